/// <reference types="node" preserve="true" />
/**
 * inklink-mock's public API: everything. Each part has an entry point of its own as well, which
 * loads only what it needs: `inklink-mock/client`, `inklink-mock/pact`, `inklink-mock/verify`,
 * `inklink-mock/mock` and `inklink-mock/jest` (see docs/package.md).
 */
export * from './entries/mock';
export { getSpec, compileSpec, CompiledSpec, type Operation } from '../core/spec';
export { createValidator, getValidator, type Validator, type Violation, type CheckName } from '../core/validator';
export {
  generateSecret,
  secretProblem,
  fingerprint,
  sign,
  signedHeaders,
  verify,
  type VerifyResult,
} from '../core/webhooks';
export { EVENT_TYPES, ROLES, type Role, type EventPayload } from '../core/inklink';
export * from './entries/client';
// check-receiver: a webhook receiver against InkLink's delivery rules (also for the `verify` entry point).
export * from './receiver-check';
export { httpTransport, updateSecretByUrl, updateSecretByCommand } from './receiver-check/http';
export {
  rotateSecretInteraction,
  createEndpointInteraction,
  webhookDeliveryInteraction,
  signedDelivery,
  settled as settledPactInteraction,
  PROVIDER_NAME as PACT_PROVIDER_NAME,
  EXAMPLES as PACT_EXAMPLES,
  PATTERNS as PACT_PATTERNS,
  STATE as PACT_STATES,
  PROVIDER_STATES,
  verifyPacts,
  toVerifierOptions,
  checkPact,
  checkPactFile,
  type PactVerifyOptions,
  type VerificationReport,
  type RotateCase,
  type RotateField,
  type CreateCase,
  type CreateField,
  type ErrorField,
  type WebhookField,
  type PactCheckResult,
  type PactMismatch,
} from './pact';
export {
  startValidatingProxy,
  VIOLATIONS_HEADER as PROXY_VIOLATIONS_HEADER,
  type ValidatingProxy,
  type ValidatingProxyOptions,
  type ProxyReport,
  type ProxyFinding,
  type ProxyViolation,
  type ProxyRule,
} from './proxy';
// Provider states for verifying pacts: the runtime Pact's Verifier is given, and the backend interface.
export * from './pact/provider-states';
/** The verifier, as `inklink-mock/verify` has it: `verifier.verify(options)`, `verifier.CHECK_INFO`, … */
export * as verifier from './entries/verify';
export { withInklinkMock } from './entries/jest';
