/**
 * `checkReceiver(handler, options)`: the battery against an in-process handler, so a team tests
 * its webhook handler in a unit test without a server. The handler gets each delivery's exact
 * body (a UTF-8 string) and its headers (lower-case names, as Node gives them) and resolves to
 * the HTTP status it would answer. A handler that throws answers 500, as a server framework would.
 */
import { runReceiverCheck, type ReceiverCheckOptions } from './engine';
import type { Answer, Delivery, ReceiverReport, Transport } from './types';

export type ReceiverHandler = (
  rawBody: string,
  headers: Record<string, string>,
) => number | { status: number } | Promise<number | { status: number }>;

function statusOf(value: unknown): number | undefined {
  const s = typeof value === 'number' ? value : (value as { status?: unknown } | null)?.status;
  return typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599 ? s : undefined;
}

export function handlerTransport(handler: ReceiverHandler): Transport {
  return {
    target: 'handler',
    async deliver(d: Delivery, timeoutMs: number): Promise<Answer> {
      const t0 = performance.now();
      const elapsed = () => Math.round((performance.now() - t0) * 10) / 10;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<Answer>((resolve) => {
        timer = setTimeout(
          () => resolve({ error: `timed out after ${timeoutMs} ms`, timedOut: true, durationMs: elapsed() }),
          timeoutMs,
        );
      });
      const call = (async (): Promise<Answer> => {
        try {
          // A handler written in JavaScript may resolve to anything: it is checked, then described.
          const value: unknown = await handler(d.body, { ...d.headers });
          const status = statusOf(value);
          if (status === undefined)
            return {
              error: `the handler resolved to ${JSON.stringify(value) ?? String(value)}, not an HTTP status`,
              durationMs: elapsed(),
            };
          return { status, durationMs: elapsed() };
        } catch (e) {
          return {
            status: 500,
            body: `the handler threw: ${(e as Error)?.message ?? String(e)}`,
            durationMs: elapsed(),
          };
        }
      })();
      try {
        return await Promise.race([call, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    reproduce: (d) => `await handler(${JSON.stringify(d.body)}, ${JSON.stringify(d.headers)})`,
  };
}

/** Runs the checks against `handler`; resolves to the report (`report.ok` is true when no check failed). */
export function checkReceiver(handler: ReceiverHandler, options: ReceiverCheckOptions): Promise<ReceiverReport> {
  return runReceiverCheck(handlerTransport(handler), options);
}
