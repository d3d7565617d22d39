/**
 * What Jest loads for `https-proxy-agent` (see ./jest.ts). @pact-foundation/pact 16 requires
 * https-proxy-agent 9, which is ESM only; Jest's module registry cannot `require` an ES module, but
 * Node 20.19 and later can (require(esm)). So this module, loaded by Jest in place of the package,
 * loads it with Node's own require, resolved from where Pact is installed.
 */
import { createRequire } from 'node:module';

export = createRequire(require.resolve('@pact-foundation/pact'))('https-proxy-agent');
