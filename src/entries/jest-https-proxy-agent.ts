/**
 * What Jest loads for `https-proxy-agent` (see ./jest.ts). @pact-foundation/pact 16 requires
 * https-proxy-agent 9, which is ESM only; Jest's module registry cannot `require` an ES module, but
 * Node 20.19 and later can (require(esm)). So this module, loaded by Jest in place of the package,
 * loads it with Node's own require, resolved from where Pact is installed.
 *
 * Node's own: inside Jest, `require('node:module').createRequire` is Jest's, which would map the
 * package back to this very module (and hand Pact an empty object, found by
 * test/package/jest-helper.test.ts); `process.getBuiltinModule` (Node 20.16+) is not intercepted.
 */
type NodeModule = typeof import('node:module');
const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fallback, only without getBuiltinModule
const nodeModule = (getBuiltin ? getBuiltin('node:module') : require('node:module')) as NodeModule;

export = nodeModule.createRequire(require.resolve('@pact-foundation/pact'))('https-proxy-agent');
