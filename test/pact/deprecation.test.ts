/**
 * Pact's verifier proxy (http-proxy 1.18) calls `util._extend`, and Node 22 and later print
 * "[DEP0060] DeprecationWarning" for it in every verification (src/pact/lib.ts). While Pact
 * verifies, that warning is dropped when http-proxy raised it, and only then.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeRequire } from '../../core/node-require';
import { withoutHttpProxyDeprecation } from '../../src/pact/lib';

// Node's own process (Jest's `process`, and what its `require` gives, are copies): as src/pact/lib.ts reaches it.
const realProcess = nodeRequire(__filename, 'node:process') as NodeJS.Process;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-dep0060-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A function in a file of a package's folder that emits a warning with this code (as Node's deprecate does). */
function emitterIn(folder: string): (code: string) => void {
  const file = path.join(dir, folder, 'lib/caller.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    "module.exports = (p, code) => p.emitWarning('util._extend is deprecated.', 'DeprecationWarning', code);\n",
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file written by the test
  const emit = require(file) as (p: NodeJS.Process, code: string) => void;
  return (code) => emit(realProcess, code);
}

it('drops DEP0060 from http-proxy while Pact verifies; every other warning, and after, still goes out', async () => {
  const fromHttpProxy = emitterIn('http-proxy');
  const fromElsewhere = emitterIn('my-app');
  const seen: string[] = [];
  const listener = (w: Error & { code?: string }) => seen.push(`${w.code}`);
  realProcess.on('warning', listener);
  const emitWarning = Object.getOwnPropertyDescriptor(realProcess, 'emitWarning')?.value as unknown;
  try {
    await withoutHttpProxyDeprecation(async () => {
      fromHttpProxy('DEP0060');
      fromHttpProxy('DEP0999');
      fromElsewhere('DEP0060');
    });
    expect(Object.getOwnPropertyDescriptor(realProcess, 'emitWarning')?.value).toBe(emitWarning);
    fromHttpProxy('DEP0060');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['DEP0999', 'DEP0060', 'DEP0060']);
  } finally {
    realProcess.off('warning', listener);
  }
});
