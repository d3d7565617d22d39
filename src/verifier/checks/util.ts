/** Small helpers shared by the checks. */
import { redact } from '../../core/log';
import { REFUSALS, type Refusal, type RefusalKind } from '../../core/refusals';
import type { RunContext } from '../context';
import type { CheckStatus, Evidence, Exchange } from '../types';

export interface Outcome {
  status: CheckStatus;
  summary: string;
  evidence: Evidence[];
}

export interface Check {
  name: string;
  description: string;
  run(ctx: RunContext): Promise<Outcome>;
}

export const pass = (summary: string, evidence: Evidence[] = []): Outcome => ({ status: 'pass', summary, evidence });
export const skip = (summary: string): Outcome => ({ status: 'skip', summary, evidence: [] });
export const failWith = (evidence: Evidence[], summary?: string): Outcome => ({
  status: 'fail',
  summary: summary ?? evidence[0]?.message ?? 'failed',
  evidence,
});

/** `#3 POST /webhook/endpoints (member key) -> 500` */
export function describe(ex: Exchange): string {
  const who = ex.request.keyLabel ? ` (${ex.request.keyLabel})` : '';
  const outcome = ex.response ? String(ex.response.status) : `no response: ${ex.error}`;
  return redact(`#${ex.seq} ${ex.request.method} ${ex.request.path}${who} -> ${outcome}`);
}

export function evidence(ex: Exchange, message: string): Evidence {
  return { message: redact(`${message} [${describe(ex)}]`), exchange: ex.seq };
}

/** Why an exchange is not InkLink's error with this status and code, or undefined if it is. */
export function errorMismatch(ex: Exchange, status: number, code: string): string | undefined {
  if (!ex.response) return `no response (${ex.error})`;
  if (ex.response.status !== status) return `expected ${status} ${code}, got ${ex.response.status}`;
  const got = (ex.response.json as any)?.error?.code;
  if (got !== code) return `expected error code ${code}, got ${got === undefined ? 'no error code' : JSON.stringify(got)}`;
  return undefined;
}

/** Why an exchange is not the refusal of this kind (its status and code from the refusal table), or undefined. */
export function refusalMismatch(ex: Exchange, kind: RefusalKind): string | undefined {
  const r: Refusal = REFUSALS[kind];
  return errorMismatch(ex, r.status, r.code);
}

/** Runs expectations; each failure becomes one piece of evidence. */
export function collect(results: [Exchange, string | undefined][]): Evidence[] {
  return results.filter(([, why]) => why !== undefined).map(([ex, why]) => evidence(ex, why!));
}

export function randomUnknownId(ctx: RunContext): string {
  return `wh_end_inklinkmockverify${ctx.runId}unknown`;
}

/** The response body with the error's requestId blanked out, for byte-for-byte comparison. */
export function withoutRequestId(ex: Exchange): string {
  const body = ex.response?.body ?? '';
  const id = (ex.response?.json as any)?.error?.requestId;
  return typeof id === 'string' && id ? body.split(id).join('<requestId>') : body;
}
