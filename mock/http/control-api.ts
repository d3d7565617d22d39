/**
 * The mock's control API (`/__mock/...`, described by mock/control-api.json): test set-up and
 * inspection over the same domain model. Bodies are validated against that document.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Validator } from '../../src/core/validator';
import type { Role } from '../../src/core/inklink';
import type { MockControl } from '../domain/control';
import type { DeliveryEngine } from '../domain/deliveries';
import type { FaultInput, FaultPlan } from '../domain/faults';
import type { OperationContext } from './dispatch';
import { validBody } from './public-api';
import type { Responder } from './respond';
import controlDocument from '../control-api.json';

export { controlDocument };

export interface ControlApiDeps {
  control: MockControl;
  deliveries: DeliveryEngine;
  validator: Validator;
  respond: Responder;
  startedAt: number;
  /** Fault injection rules (`/__mock/faults`). */
  faults: FaultPlan;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Requires `Authorization: Bearer <token>` on every control request when a token is set. */
export function controlToken(token: string | undefined, respond: Responder) {
  const expected = token === undefined ? undefined : digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next();
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    // Compared as fixed-length digests, in constant time.
    if (m && timingSafeEqual(digest(m[1]), expected)) return next();
    respond.refuse(res, 'control_unauthenticated');
  };
}

type Deps = ControlApiDeps;

export function getHealth({ respond, startedAt }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, { status: 'ok', uptime_seconds: Math.round((Date.now() - startedAt) / 100) / 10 });
}

export async function resetState({ respond, control, faults }: Deps, _req: Request, res: Response) {
  faults.clear();
  await control.reset();
  respond.json(res, 200, { status: 'reset' });
}

export function getState({ respond, control }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, control.view());
}

export async function mintApiKey({ respond, control, validator }: Deps, req: Request, res: Response) {
  const body = await validBody<{ role: Role; organization_id?: string }>(req, res, validator, respond);
  if (!body) return;
  const r = await control.mintKey({ role: body.role, organizationId: body.organization_id });
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 201, r.value);
}

export async function seedEndpoint({ respond, control, validator }: Deps, req: Request, res: Response) {
  const body = await validBody<any>(req, res, validator, respond);
  if (!body) return;
  const { organization_id, ...rest } = body;
  const r = await control.seedEndpoint({ ...rest, organizationId: organization_id });
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 201, r.value);
}

export async function emitEvent({ respond, deliveries, validator }: Deps, req: Request, res: Response) {
  const body = await validBody<{ type: string; endpoint_id?: string; organization_id?: string; data?: Record<string, unknown> }>(req, res, validator, respond);
  if (!body) return;
  const r = deliveries.emitEvent({ type: body.type, data: body.data, endpointId: body.endpoint_id, organizationId: body.organization_id });
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 202, r.value);
}

export function listDeliveries({ respond, deliveries, validator }: Deps, req: Request, res: Response, { operationId }: OperationContext) {
  const q = req.query as Record<string, unknown>;
  const violations = validator.validateRequest({ operationId, query: q as any, headers: req.headers });
  if (violations.length) {
    return respond.refuse(
      res,
      'invalid_input',
      'Invalid query parameters.',
      violations.map((v) => ({ field: v.location[2] ?? '', message: v.message })),
    );
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  respond.json(res, 200, {
    deliveries: deliveries.list({
      endpointId: str(q.endpoint_id),
      eventId: str(q.event_id),
      organizationId: str(q.organization_id),
      limit: q.limit === undefined ? undefined : Number(q.limit),
    }),
  });
}

export async function addFault({ respond, faults, validator }: Deps, req: Request, res: Response) {
  const body = await validBody<FaultInput>(req, res, validator, respond);
  if (!body) return;
  const r = faults.add(body);
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 201, r.value);
}

export function listFaults({ respond, faults }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, { faults: faults.list() });
}

export function clearFaults({ respond, faults }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, { removed: faults.clear() });
}

export function deleteFault({ respond, faults }: Deps, _req: Request, res: Response, { params }: OperationContext) {
  const removed = faults.remove(params.id);
  if (!removed) return respond.refuse(res, 'control_not_found', 'No such fault.');
  respond.json(res, 200, removed);
}

export function getControlSpec({ respond }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, controlDocument);
}

/** The control API's handlers, by operationId (mock/control-api.json). */
export const CONTROL_HANDLERS = {
  getHealth,
  resetState,
  getState,
  mintApiKey,
  seedEndpoint,
  emitEvent,
  listDeliveries,
  addFault,
  listFaults,
  clearFaults,
  deleteFault,
  getControlSpec,
};
