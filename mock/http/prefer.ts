/**
 * `Prefer: code=N`, as Prism users send it: the answer of status N the operation declares in
 * openapi.json, without running the operation, as a fault rule answers (mock/http/faults.ts; its
 * rules apply first). Whatever the key: nothing is checked, read or changed.
 *
 * - a success status: a fresh example of the operation's answer (mock/domain/examples.ts: a secret
 *   that no endpoint holds, an id that names none);
 * - an error status: InkLink's envelope with the code of that status (the refusal table's);
 * - a status the operation does not declare, or a code that is not a status: 400 VALIDATION_ERROR
 *   (`prefer_undeclared`), naming the declared ones.
 *
 * Such an answer carries `Preference-Applied: code=N` (RFC 7240) and `x-inklink-mock-fault: prefer`.
 * Other preferences (`respond-async`, Prism's `example=` and `dynamic=`) are ignored, as RFC 7240 says
 * a server may.
 */
import type { Response } from 'express';
import { codeForStatus } from '../../core/refusals';
import type { CompiledSpec } from '../../core/spec';
import { SUCCESS_EXAMPLES } from '../domain/examples';
import type { AnyOperationHandler, OperationContext, OperationHandler } from './dispatch';
import { FAULT_HEADER } from './faults';
import type { Responder } from './respond';

export const PREFERENCE_APPLIED_HEADER = 'preference-applied';

/** The `code` preference of a Prefer header: its text (validated by the caller), or undefined. */
export function preferredCode(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const preference of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [token] = preference.split(';');
    const eq = token.indexOf('=');
    if (eq > 0 && token.slice(0, eq).trim().toLowerCase() === 'code')
      return token
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export function withPrefer(
  handlers: Record<string, AnyOperationHandler>,
  spec: CompiledSpec,
  respond: Responder,
  /** The mock's time, for the examples' `created_at`. */
  now: () => Date = () => new Date(),
): Record<string, OperationHandler> {
  const wrapped: Record<string, OperationHandler> = {};
  for (const [operationId, handler] of Object.entries(handlers)) {
    const declared = [...spec.operation(operationId).responses.keys()].filter((s) => /^[1-5]\d\d$/.test(s)).map(Number);
    wrapped[operationId] = (req, res, ctx) => {
      // The common case costs one header lookup.
      const code = req.headers.prefer === undefined ? undefined : preferredCode(req.headers.prefer);
      return code === undefined ? handler(req, res, ctx) : answerPreferred(respond, res, ctx, code, declared, now);
    };
  }
  return wrapped;
}

function answerPreferred(
  respond: Responder,
  res: Response,
  ctx: OperationContext,
  code: string,
  declared: number[],
  now: () => Date,
): void {
  const status = /^\d{3}$/.test(code) ? Number(code) : NaN;
  if (!declared.includes(status)) {
    const what = Number.isNaN(status)
      ? `"${code.slice(0, 20)}" is not an HTTP status`
      : `${ctx.operationId} does not declare ${status}`;
    const message = `Prefer: code=N asks for a status the operation declares (${declared.join(', ')}); ${what}.`;
    respond.refuse(res, 'prefer_undeclared', message, [
      { field: 'prefer', message: `code must be one of ${declared.join(', ')}` },
    ]);
    return;
  }
  res.setHeader(FAULT_HEADER, 'prefer');
  res.setHeader(PREFERENCE_APPLIED_HEADER, `code=${status}`);
  const example = SUCCESS_EXAMPLES[ctx.operationId];
  if (status < 300 && example) {
    respond.json(res, status, example(now()));
    return;
  }
  const message = `Answered as asked by "Prefer: code=${status}": the operation did not run.`;
  const details = status === 400 ? [{ field: '', message }] : [];
  respond.envelope(res, status, codeForStatus(status) ?? 'INTERNAL_ERROR', message, details);
}
