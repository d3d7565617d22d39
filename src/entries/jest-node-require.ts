/**
 * Node's own require, resolved from where Pact is installed, for the modules `inklink-mock/jest`
 * maps (./jest.ts): what it loads stays outside Jest's module registry.
 *
 * Node's own: inside Jest, `require('node:module').createRequire` is Jest's, which would map the
 * package back to the mapped module (and hand Pact an empty object, found by
 * test/package/jest-helper.test.ts). Jest 29 left `process.getBuiltinModule` (Node 20.16+) alone,
 * so it gave Node's `node:module`; Jest 30.5 routes it to its own too, whose `Module` is a subclass
 * of Node's. Either way, a module object's `require` is Node's `Module.prototype.require`, which
 * loads with Node's loader: that is what is used, for a module object placed in Pact's folder.
 */
import path from 'node:path';

type NodeModule = typeof import('node:module');
interface ModuleStatics {
  _nodeModulePaths(dir: string): string[];
}
const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fallback, only without getBuiltinModule
const nodeModule = (getBuiltin ? getBuiltin('node:module') : require('node:module')) as NodeModule;

/** `require(id)` by Node, from @pact-foundation/pact's own folder (so it finds Pact's dependencies). */
export function requireBesidePact(id: string): unknown {
  const from = require.resolve('@pact-foundation/pact');
  const { Module } = nodeModule;
  const beside = new Module(from);
  beside.filename = from;
  beside.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(path.dirname(from));
  return beside.require(id);
}
