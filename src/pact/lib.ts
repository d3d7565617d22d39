/**
 * `@pact-foundation/pact` is loaded on first use, not at import: it takes half a second and
 * loads a native library, which `inklink-mock serve` and the library's other users never need.
 */
export type PactLib = typeof import('@pact-foundation/pact');

let lib: PactLib | undefined;

export function pactLib(): PactLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: Pact loads on first use (see above)
  lib ??= require('@pact-foundation/pact') as PactLib;
  return lib;
}
