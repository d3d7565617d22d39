/**
 * `@pact-foundation/pact` is loaded on first use, not at import: it takes half a second and
 * loads a native library, which `inklink-mock serve` and the library's other users never need. It
 * is an optional peer dependency: a project that uses the Pact helpers installs it, and without it
 * the first use says in one line how (PactMissingError).
 */
import { nodeRequire } from '../../core/node-require';

export type PactLib = typeof import('@pact-foundation/pact');

const PACT = '@pact-foundation/pact';

/** The Pact major to install on this Node: 17 (which needs Node 22) or 16. */
export function pactMajorFor(nodeVersion = process.versions.node): 16 | 17 {
  return Number(nodeVersion.split('.')[0]) >= 22 ? 17 : 16;
}

/** Pact is not installed: the message is the one line that says how to install it. */
export class PactMissingError extends Error {
  constructor(what = "inklink-mock's Pact helpers") {
    super(
      `${what} need ${PACT}, which is not installed: ` +
        `npm install --save-dev ${PACT}@${pactMajorFor()} (16.5+ on Node 20, 17.1+ on Node 22 and later)`,
    );
    this.name = 'PactMissingError';
  }
}

let lib: PactLib | undefined;

export function pactLib(): PactLib {
  if (lib) return lib;
  try {
    require.resolve(PACT);
  } catch {
    throw new PactMissingError();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: Pact loads on first use (see above)
  lib = require(PACT) as PactLib;
  return lib;
}

/**
 * The real `process` (inside Jest, `process` is a copy of it, whose methods Node never calls; Jest
 * 30 routes `require` and `process.getBuiltinModule` to its copies): Node's loader gives Node's.
 */
function realProcess(): NodeJS.Process {
  return nodeRequire(__filename, 'node:process') as NodeJS.Process;
}

type EmitWarning = (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) => void;

let quieted = 0;
let emitWarning: EmitWarning | undefined;

/**
 * Runs Pact's verifier without one warning it causes and a user cannot act on: http-proxy 1.18,
 * the proxy of Pact's verifier (16 and 17 alike), calls `util._extend` on every request it
 * forwards, and Node 22 and later print "[DEP0060] DeprecationWarning: The `util._extend` API is
 * deprecated" for it. While `run` runs, that warning is dropped when http-proxy raised it, and only
 * then: every other warning, DEP0060 from any other caller included, is emitted as before.
 */
export async function withoutHttpProxyDeprecation<T>(run: () => Promise<T>): Promise<T> {
  const proc = realProcess() as unknown as { emitWarning: EmitWarning };
  if (quieted++ === 0) {
    const original = proc.emitWarning;
    emitWarning = original;
    proc.emitWarning = function (warning, ...rest) {
      const options = rest[0];
      const code = typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : rest[1];
      if (code === 'DEP0060' && /[\\/]http-proxy[\\/]lib[\\/]/.test(new Error().stack ?? '')) return;
      original.call(this, warning, ...rest);
    };
  }
  try {
    return await run();
  } finally {
    if (--quieted === 0 && emitWarning) {
      proc.emitWarning = emitWarning;
      emitWarning = undefined;
    }
  }
}
