/// <reference types="node" preserve="true" />
/**
 * `inklink-mock/pact`: ready-made interactions for consumer tests, provider states, provider
 * verification (`verifyPacts`) and `checkPact` against openapi.json. Pact itself is loaded on first
 * use, not at import.
 */
export * from '../pact';
