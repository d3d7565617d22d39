/**
 * What Jest loads for `https-proxy-agent` (see ./jest.ts). @pact-foundation/pact 16 requires
 * https-proxy-agent 9, which is ESM only; Jest's module registry cannot `require` an ES module, but
 * Node 20.19 and later can (require(esm)). So this module, loaded by Jest in place of the package,
 * loads it with Node's own require, resolved from where Pact is installed (Pact 17 requires
 * https-proxy-agent 7, CommonJS, which loads the same way).
 */
import { requireBesidePact } from './jest-node-require';

export = requireBesidePact('https-proxy-agent');
