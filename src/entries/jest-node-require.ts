/**
 * Node's own require, resolved from where Pact is installed, for the modules `inklink-mock/jest`
 * maps (./jest.ts): what it loads stays outside Jest's module registry.
 *
 * Node's own: inside Jest, `require('node:module').createRequire` is Jest's, which would map the
 * package back to the mapped module (and hand Pact an empty object, found by
 * test/package/jest-helper.test.ts); `process.getBuiltinModule` (Node 20.16+) is not intercepted.
 */
type NodeModule = typeof import('node:module');
const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fallback, only without getBuiltinModule
const nodeModule = (getBuiltin ? getBuiltin('node:module') : require('node:module')) as NodeModule;

/** `require(id)` by Node, from @pact-foundation/pact's own folder (so it finds Pact's dependencies). */
export function requireBesidePact(id: string): unknown {
  return nodeModule.createRequire(require.resolve('@pact-foundation/pact'))(id);
}
