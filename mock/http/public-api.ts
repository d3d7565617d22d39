/**
 * InkLink's operations: one named handler per operationId, each receiving the authenticated
 * principal from the dispatcher's security step (dispatch.ts). Every decision is the service's.
 */
import type { Request, Response } from 'express';
import { describePath, type Validator, type Violation } from '../../core/validator';
import type { FieldError } from '../domain/model';
import type { WebhookEndpointService } from '../domain/service';
import { discardBody, readJsonBody, type BodyResult } from './body';
import type { AuthenticatedContext } from './dispatch';
import type { Responder } from './respond';

export interface PublicApiDeps {
  service: WebhookEndpointService;
  validator: Validator;
  respond: Responder;
}

/** One `details` item per failing field of the body (the first message for each). */
export function detailsOf(violations: Violation[]): FieldError[] {
  const byField = new Map<string, string>();
  for (const v of violations) {
    const path = describePath(v.location.slice(2));
    const field = path === '(root)' ? '' : path;
    if (!byField.has(field))
      byField.set(field, v.message.startsWith(`${path} `) ? v.message.slice(path.length + 1) : v.message);
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

function refuseBody(res: Response, respond: Responder, body: Extract<BodyResult, { ok: false }>): void {
  respond.refuse(res, body.kind, body.message, [{ field: '', message: body.message }]);
}

/**
 * Reads a JSON body and validates it against the operation's request schema: the body and what the
 * schema found wrong (one details item per field). Answers 400/413 itself and resolves undefined
 * when the body cannot be read as JSON at all.
 */
export async function checkedBody(
  req: Request,
  res: Response,
  validator: Validator,
  respond: Responder,
): Promise<{ value: unknown; problems: FieldError[] } | undefined> {
  const operationId: string = res.locals.operationId;
  const body = await readJsonBody(req, res, validator.spec.operation(operationId).requestBody?.contentTypes);
  if (!body.ok) {
    refuseBody(res, respond, body);
    return undefined;
  }
  const violations = validator
    .validateRequest({ operationId, headers: req.headers, body: body.value, bodyParsed: true })
    .filter((v) => v.location[1] === 'body' || v.check === 'request_content_type_conformance');
  return { value: body.value, problems: detailsOf(violations) };
}

/** A body that conforms to the operation's request schema, or undefined when it was refused (400/413). */
export async function validBody<T>(
  req: Request,
  res: Response,
  validator: Validator,
  respond: Responder,
): Promise<T | undefined> {
  const body = await checkedBody(req, res, validator, respond);
  if (!body) return undefined;
  if (body.problems.length) {
    respond.refuse(res, 'invalid_input', undefined, body.problems);
    return undefined;
  }
  return body.value as T;
}

/** `POST /webhook/endpoints/{id}/rotate-secret` */
export async function rotateWebhookEndpointSecret(
  { service, respond }: PublicApiDeps,
  req: Request,
  res: Response,
  { principal, params }: AuthenticatedContext,
) {
  // The operation takes no body; one is read and dropped, under the same 1 MiB limit.
  const body = discardBody(req, res);
  if (body) {
    const read = await body;
    if (!read.ok) return refuseBody(res, respond, read);
  }
  const result = await service.rotateSecret(principal, params.id);
  if (!result.ok) return respond.domainError(res, result.error);
  respond.json(res, 200, { secret: result.value.secret });
}

/** `POST /webhook/endpoints` */
export async function createWebhookEndpoint(
  { service, validator, respond }: PublicApiDeps,
  req: Request,
  res: Response,
  { principal }: AuthenticatedContext,
) {
  // The schema's problems and the domain's go into one answer (the service decides, and checks the role after).
  const body = await checkedBody(req, res, validator, respond);
  if (body === undefined) return;
  const result = await service.createEndpoint(principal, body.value, body.problems);
  if (!result.ok) return respond.domainError(res, result.error);
  respond.json(res, 200, { ...result.value.endpoint, secret: result.value.secret });
}

/** The handlers of InkLink's operations, by operationId. */
export const PUBLIC_HANDLERS = { rotateWebhookEndpointSecret, createWebhookEndpoint };
