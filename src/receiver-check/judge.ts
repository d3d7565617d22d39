/**
 * The judgement of one answer, as InkLink sees it: a 2xx within the delivery timeout accepts a
 * delivery; any other answer (3xx included: redirects are not followed) refuses it; no answer is
 * neither (InkLink gives up and retries, and the receiver may or may not have acted on it). Pure.
 */
import type { Answer, Expectation } from './types';

export interface Verdict {
  ok: boolean;
  /** What the answer was and, when it is wrong, why it matters. */
  message: string;
}

export const isAccepted = (a: Answer) => a.status !== undefined && a.status >= 200 && a.status < 300;

/** `answered 401 in 2.1 ms`, `no answer: timed out after 15000 ms`. */
export function describeAnswer(a: Answer): string {
  return a.status === undefined
    ? `no answer: ${a.error ?? 'unknown error'}`
    : `answered ${a.status} in ${ms(a.durationMs)}`;
}

/** A duration for people: `0.4 ms`, `12 ms`, `1.25 s`, `15 s`, `5 min`, `2 h`. */
export function ms(n: number): string {
  if (n >= 3_600_000) return `${Number((n / 3_600_000).toFixed(1))} h`;
  if (n >= 60_000) return `${Number((n / 60_000).toFixed(1))} min`;
  if (n >= 1000) return `${Number((n / 1000).toFixed(2))} s`;
  return n < 10 ? `${Number(n.toFixed(1))} ms` : `${Math.round(n)} ms`;
}

/** True when the answer came after the delivery timeout, or never did. */
export function isLate(a: Answer, timeoutMs: number): boolean {
  return a.timedOut === true || a.durationMs > timeoutMs;
}

export function judge(expect: Expectation, a: Answer, timeoutMs: number): Verdict {
  const said = describeAnswer(a);
  if (expect === 'observe') return { ok: true, message: said };
  if (a.status === undefined) {
    const why =
      expect === 'refuse'
        ? 'a refusal is an answer (non-2xx), and the receiver may have acted on the delivery'
        : 'InkLink counts the attempt as failed and retries';
    return { ok: false, message: `${said} (${why})` };
  }
  switch (expect) {
    case 'accept':
      if (!isAccepted(a)) {
        return {
          ok: false,
          message:
            `${said}: refused (InkLink counts any non-2xx answer, 3xx included, as a failed attempt ` + 'and retries)',
        };
      }
      if (isLate(a, timeoutMs))
        return {
          ok: false,
          message: `${said}, after the ${ms(timeoutMs)} delivery timeout (InkLink has given up and retries)`,
        };
      return { ok: true, message: said };
    case 'refuse':
      return isAccepted(a) ? { ok: false, message: `${said}: accepted` } : { ok: true, message: said };
    case 'not_5xx':
      return a.status >= 500
        ? { ok: false, message: `${said} (a 5xx makes InkLink retry an event the receiver will never take)` }
        : { ok: true, message: said };
  }
}
