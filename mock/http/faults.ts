/**
 * Applies the fault plan (mock/domain/faults.ts) to InkLink's operations. Each handler is wrapped
 * so that, while no fault rule exists, a request costs one boolean check more than without faults.
 *
 * - latency: the operation runs when the request arrives and its answer is held for the latency
 *   (as over a slow network: a client that gives up meanwhile may miss a rotation that happened);
 * - status: answered instead of running the operation, in InkLink's envelope when the status has an
 *   InkLink code (400, 401, 404, 429, 500), as a plain-text gateway error otherwise;
 * - reset: the connection is reset (TCP RST) instead of answering.
 *
 * A faulted answer carries `x-inklink-mock-fault: <fault id>`. Injected statuses are answered as
 * transport errors, so the self-check (which validates only their envelope) does not flag them.
 */
import http from 'node:http';
import type { Request, Response } from 'express';
import { ERROR_CODE_BY_STATUS } from '../../core/inklink';
import type { FaultAction, FaultPlan } from '../domain/faults';
import type { AnyOperationHandler, OperationContext, OperationHandler } from './dispatch';
import type { Responder } from './respond';

export const FAULT_HEADER = 'x-inklink-mock-fault';

export function withFaults(
  handlers: Record<string, AnyOperationHandler>,
  plan: FaultPlan,
  respond: Responder,
): Record<string, OperationHandler> {
  const wrapped: Record<string, OperationHandler> = {};
  for (const [operationId, handler] of Object.entries(handlers)) {
    wrapped[operationId] = (req, res, ctx) =>
      plan.active ? faulty(plan.take(operationId), handler, respond, req, res, ctx) : handler(req, res, ctx);
  }
  return wrapped;
}

function faulty(
  action: FaultAction | undefined,
  handler: AnyOperationHandler,
  respond: Responder,
  req: Request,
  res: Response,
  ctx: OperationContext,
): void | Promise<void> {
  if (!action) return handler(req, res, ctx);
  res.setHeader(FAULT_HEADER, action.faultId);
  if (action.reset) {
    later(action.delayMs, () => req.socket.resetAndDestroy());
    return;
  }
  if (action.status !== undefined) {
    const status = action.status;
    later(action.delayMs, () => answerStatus(respond, res, status, action.faultId));
    return;
  }
  if (action.delayMs > 0) holdAnswer(res, action.delayMs);
  return handler(req, res, ctx);
}

/** Runs `fn` after `ms`; the timer does not keep a process that is shutting down alive. */
function later(ms: number, fn: () => void): void {
  if (ms > 0) setTimeout(fn, ms).unref();
  else fn();
}

/** Holds whatever the operation answers for `ms` before it is sent. */
function holdAnswer(res: Response, ms: number): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    later(ms, () => {
      if (!res.destroyed) end(...args);
    });
    return res;
  }) as Response['end'];
}

function answerStatus(respond: Responder, res: Response, status: number, faultId: string): void {
  if (res.destroyed || res.headersSent) return;
  const code = ERROR_CODE_BY_STATUS[status];
  if (code) {
    respond.envelope(res, status, code, `Injected by the mock's fault ${faultId}.`, [], true);
    return;
  }
  const body = `${status} ${http.STATUS_CODES[status] ?? 'Error'} (injected by the mock's fault ${faultId})\n`;
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
