/** Awaits a call expected to fail, and returns its InklinkApiError (failing the test otherwise). */
import { InklinkApiError } from '../../../src/client';

export async function apiFailure(p: Promise<unknown>): Promise<InklinkApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InklinkApiError);
  return e as InklinkApiError;
}
