/**
 * How the mock answers: every response is JSON with an `x-request-id`, every error is InkLink's
 * envelope whose `requestId` equals that header. With self-check on, each response is validated
 * against the operation's declared response before it is sent; a violation is logged and named in
 * the `x-inklink-mock-violations` header.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from '../../core/log';
import { REFUSALS, type Refusal, type RefusalKind } from '../../core/refusals';
import type { Validator, Violation } from '../../core/validator';
import type { DomainError, FieldError } from '../domain/model';

export const VIOLATIONS_HEADER = 'x-inklink-mock-violations';

/** A fresh request id on every response (set first, before anything can answer). */
export function requestId(_req: Request, res: Response): void {
  const id = randomUUID();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
}

export interface SelfCheck {
  validator: Validator;
  logger: Logger;
}

export class Responder {
  constructor(private readonly selfCheck?: SelfCheck) {}

  json(res: Response, status: number, payload: unknown): void {
    const body = JSON.stringify(payload);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    if (this.selfCheck) {
      if (res.locals.transportError) this.checkEnvelope(res, payload);
      else if (res.locals.operationId) this.check(res, status, payload);
    }
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  }

  /**
   * A refusal of the table (core/refusals.ts): its status and code, in InkLink's envelope. One
   * raised below the operations (`transport`) is outside what an operation declares, so self-check
   * validates only its envelope.
   */
  refuse(res: Response, kind: RefusalKind, message?: string, details: FieldError[] = []): void {
    const r: Refusal = REFUSALS[kind];
    this.envelope(res, r.status, r.code, message ?? r.message, details, r.transport === true);
  }

  domainError(res: Response, err: DomainError): void {
    this.refuse(res, err.kind, err.message, err.details);
  }

  /** An error envelope with any status and code (fault injection answers statuses it was given). */
  envelope(
    res: Response,
    status: number,
    code: string,
    message: string,
    details: FieldError[] = [],
    transport = false,
  ): void {
    if (transport) res.locals.transportError = true;
    this.json(res, status, { error: { code, message, details, requestId: res.locals.requestId } });
  }

  /** Self-check of an answer outside the operations: InkLink's envelope, requestId = x-request-id. */
  private checkEnvelope(res: Response, payload: unknown): void {
    const { validator, logger } = this.selfCheck!;
    const envelope = validator.spec.componentValidator('error');
    const problems: Violation[] = [];
    if (!envelope(payload)) {
      problems.push({
        check: 'response_schema_conformance',
        location: ['response', 'body'],
        message: 'not the error envelope',
      });
    } else if ((payload as { error: { requestId: unknown } }).error.requestId !== res.getHeader('x-request-id')) {
      problems.push({
        check: 'response_headers_conformance',
        location: ['response', 'body', 'error', 'requestId'],
        message: 'differs from x-request-id',
      });
    }
    if (problems.length === 0) return;
    res.locals.violations = problems;
    res.setHeader(VIOLATIONS_HEADER, headerSafe(problems));
    for (const v of problems)
      logger.warn('self-check violation', { check: v.check, location: v.location.join('.'), message: v.message });
  }

  private check(res: Response, status: number, payload: unknown): void {
    const { validator, logger } = this.selfCheck!;
    const violations = validator.validateResponse({
      operationId: res.locals.operationId,
      status,
      headers: res.getHeaders() as Record<string, string>,
      body: payload,
    });
    if (violations.length === 0) return;
    res.locals.violations = violations;
    res.setHeader(VIOLATIONS_HEADER, headerSafe(violations));
    for (const v of violations) {
      logger.warn('self-check violation', {
        check: v.check,
        operation: v.operationId,
        location: v.location.join('.'),
        message: v.message,
      });
    }
  }
}

function headerSafe(violations: Violation[]): string {
  return violations
    .map((v) => `${v.check} ${v.location.join('.')}: ${v.message}`)
    .join('; ')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 2000);
}
