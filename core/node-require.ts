/**
 * Node's own `require`, as if from a given file: what it loads stays outside Jest's module registry.
 *
 * Inside Jest, `require`, `require('node:module').createRequire` and (Jest 30) `process.getBuiltinModule`
 * are Jest's: they would hand back Jest's copies (of `process`, or of a module a mapping points back
 * to), and Jest's registry cannot `require` an ES module on Node 20 and 22. A module object's own
 * `require` is Node's `Module.prototype.require` (Jest's `Module` is a subclass of Node's), which loads
 * with Node's loader, and Node 20.19+ `require`s ES modules. Used by the Jest helper's mapped modules
 * (src/entries/jest-node-require.ts), Pact's DEP0060 filter (src/pact/lib.ts, for the real `process`),
 * and tests that load an ESM-only package.
 */
import path from 'node:path';

type NodeModule = typeof import('node:module');
interface ModuleStatics {
  _nodeModulePaths(dir: string): string[];
}
const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fallback, only without getBuiltinModule
const nodeModule = (getBuiltin ? getBuiltin('node:module') : require('node:module')) as NodeModule;

/** `require(id)` by Node's loader, resolved as from `fromFile` (so it finds that file's dependencies). */
export function nodeRequire(fromFile: string, id: string): unknown {
  const { Module } = nodeModule;
  const beside = new Module(fromFile);
  beside.filename = fromFile;
  beside.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(path.dirname(fromFile));
  return beside.require(id);
}
