/**
 * Node's own require, resolved from where Pact is installed, for the modules `inklink-mock/jest`
 * maps (./jest.ts): what it loads stays outside Jest's module registry (core/node-require.ts says
 * why a module object's `require` is Node's). Inside Jest, `createRequire` would map the package
 * back to the mapped module and hand Pact an empty object (found by test/package/jest-helper.test.ts).
 */
import { nodeRequire } from '../../core/node-require';

/** `require(id)` by Node, from @pact-foundation/pact's own folder (so it finds Pact's dependencies). */
export function requireBesidePact(id: string): unknown {
  return nodeRequire(require.resolve('@pact-foundation/pact'), id);
}
