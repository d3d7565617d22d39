/**
 * The mock's control API (`/__mock/...`, described by mock/control-api.json): test set-up and
 * inspection over the same domain model. Bodies are validated against that document.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { getSpec, type CompiledSpec } from '../../core/spec';
import type { Validator } from '../../core/validator';
import type { Role } from '../../core/inklink';
import type { MockControl, SeedEndpointInput } from '../domain/control';
import type { DeliveryEngine } from '../domain/deliveries';
import type { FaultInput, FaultPlan } from '../domain/faults';
import type { RequestJournal } from '../domain/request-journal';
import type { AdvanceInput, MockClock } from '../domain/virtual-clock';
import { UI_PAGE, redirectToDashboard, type DashboardFiles } from './dashboard';
import type { OperationContext } from './dispatch';
import { matchContentType } from '../../core/media-type';
import { browserGuardViolation } from '../../core/browser-guards';
import { validBody } from './public-api';
import type { Responder } from './respond';
import type { StreamHub } from './stream';
import controlDocument from '../control-api.json';

export { controlDocument };

export interface ControlApiDeps {
  control: MockControl;
  deliveries: DeliveryEngine;
  validator: Validator;
  respond: Responder;
  startedAt: number;
  /** The mock's clock (`/__mock/clock`). */
  clock: MockClock;
  /** Fault injection rules (`/__mock/faults`). */
  faults: FaultPlan;
  /** The request journal (`/__mock/requests`). */
  requests: RequestJournal;
  /** The live stream's clients (`/__mock/stream`). */
  stream: StreamHub;
  /** The dashboard's files (`/__mock/ui`). */
  dashboard: DashboardFiles;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Requires `Authorization: Bearer <token>` on every control request when a token is set (the
 * scheme in any case, as RFC 9110 says); a refusal says how to authenticate (`WWW-Authenticate`).
 * Requests for which `isOpen` says so (the dashboard's files, which hold no data) need none.
 */
export function controlToken(
  token: string | undefined,
  respond: Responder,
  isOpen: (req: Request) => boolean = () => false,
) {
  const expected = token === undefined ? undefined : digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected || isOpen(req)) return next();
    const m = /^bearer +(\S.*)$/i.exec(req.headers.authorization ?? '');
    // Compared as fixed-length digests, in constant time.
    if (m && timingSafeEqual(digest(m[1]), expected)) return next();
    res.setHeader('www-authenticate', 'Bearer realm="inklink-mock control API"');
    respond.refuse(res, 'control_unauthenticated');
  };
}

/**
 * Whether a request reaches an operation of the control document that declares `security: []`
 * (the dashboard's files): a browser's navigation cannot send a bearer token.
 */
export function tokenFree(spec: CompiledSpec): (req: Request) => boolean {
  const open = new Set<string>();
  for (const op of spec.operations.values()) {
    const security = spec.document.paths[op.path][op.method.toLowerCase()].security;
    if (Array.isArray(security) && security.length === 0) open.add(op.operationId);
  }
  return (req) => {
    const m = spec.findOperation(req.method === 'HEAD' ? 'GET' : req.method, req.path);
    return m !== undefined && open.has(m.operation.operationId);
  };
}

const WEBHOOK_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * What browsers must not be able to do to the control API (docs/security.md): without a token,
 * only requests addressed to a loopback name (DNS rebinding); never a request from another site
 * (a foreign `Origin`, or `Sec-Fetch-Site` other than same-origin or none); never a state-changing
 * request whose body is not JSON (a form or `text/plain` needs no CORS preflight); never a request
 * that carries webhook headers (a delivery). A same-origin page served by the mock passes.
 */
export function controlGuard(token: string | undefined, respond: Responder) {
  return (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers;
    const foreign = browserGuardViolation(h, token === undefined);
    if (foreign)
      return respond.refuse(res, foreign.kind, undefined, [{ field: foreign.field, message: foreign.message }]);
    const webhook = WEBHOOK_HEADERS.find((name) => h[name] !== undefined);
    if (webhook)
      return respond.refuse(res, 'control_webhook_request', undefined, [
        { field: webhook, message: 'is a webhook header' },
      ]);
    if (
      !READ_METHODS.has(req.method) &&
      h['content-type'] !== undefined &&
      !matchContentType(h['content-type'], ['application/json'])
    ) {
      return respond.refuse(res, 'control_not_json', undefined, [
        { field: 'content-type', message: 'must be application/json' },
      ]);
    }
    next();
  };
}

type Deps = ControlApiDeps;

export function getHealth({ respond, startedAt }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, { status: 'ok', uptime_seconds: Math.round((Date.now() - startedAt) / 100) / 10 });
}

export async function resetState({ respond, control }: Deps, _req: Request, res: Response) {
  // All or nothing: a reset whose write fails answers 500 and changes nothing (not even the faults).
  await control.reset();
  respond.json(res, 200, { status: 'reset' });
}

/** The state as a JSON fixture: key hashes, never keys; the endpoints' secrets (docs/state-file.md). */
export function exportState({ respond, control }: Deps, _req: Request, res: Response) {
  res.setHeader('cache-control', 'no-store');
  respond.json(res, 200, control.exportState());
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
  // The body of mock/control-api.json's seedEndpointRequest: the domain's input with its wire name.
  type SeedEndpointBody = Omit<SeedEndpointInput, 'organizationId'> & { organization_id: string };
  const body = await validBody<SeedEndpointBody>(req, res, validator, respond);
  if (!body) return;
  const { organization_id, ...rest } = body;
  const r = await control.seedEndpoint({ ...rest, organizationId: organization_id });
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 201, r.value);
}

export async function emitEvent({ respond, deliveries, validator }: Deps, req: Request, res: Response) {
  const body = await validBody<{
    type: string;
    endpoint_id?: string;
    organization_id?: string;
    data?: Record<string, unknown>;
  }>(req, res, validator, respond);
  if (!body) return;
  const r = deliveries.emitEvent({
    type: body.type,
    data: body.data,
    endpointId: body.endpoint_id,
    organizationId: body.organization_id,
  });
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 202, r.value);
}

/** The query parameters an operation of `spec` takes. */
const queryNames = (spec: CompiledSpec, operationId: string) =>
  spec.operations
    .get(operationId)!
    .parameters.filter((p) => p.in === 'query')
    .map((p) => p.name);

/**
 * The query parameters, validated against the operation, which takes no other (a misspelt filter
 * would filter nothing); `check` adds what the schema cannot say. Answers 400 itself, one `details`
 * item per failing parameter, when they are not valid; a name the operation does not take is
 * counted, never repeated back (it may be a key).
 */
function validQuery(
  validator: Validator,
  respond: Responder,
  req: Request,
  res: Response,
  operationId: string,
  check: (q: Record<string, string>) => { field: string; message: string }[] = () => [],
): Record<string, string> | undefined {
  const q = req.query as Record<string, string>;
  const takes = queryNames(validator.spec, operationId);
  const unknown = Object.keys(q).filter((name) => !takes.includes(name)).length;
  const violations = validator.validateRequest({ operationId, query: q, headers: req.headers });
  const details = violations.map((v) => ({ field: v.location[2] ?? '', message: v.message }));
  details.push(...check(q).filter((d) => !details.some((e) => e.field === d.field)));
  if (unknown > 0)
    details.unshift({
      field: 'query',
      message:
        `has ${unknown} ${unknown === 1 ? 'parameter' : 'parameters'} this operation does not take (it ` +
        `takes ${takes.join(', ')})`,
    });
  if (details.length === 0) return q;
  respond.refuse(res, 'invalid_input', 'Invalid query parameters.', details);
  return undefined;
}

/**
 * A query parameter given twice (`?limit=1&limit=2`) is refused: which one would count? It is named
 * only when the control document declares it; anything else a client typed is not repeated back.
 */
export function repeatedQuery(spec: CompiledSpec, respond: Responder): (req: Request, res: Response) => boolean {
  const declared = new Set([...spec.operations.keys()].flatMap((id) => queryNames(spec, id)));
  return (req, res) => {
    const query = req.query as Record<string, unknown>;
    const repeated = Object.keys(query).filter((name) => Array.isArray(query[name]));
    if (repeated.length === 0) return false;
    const named = repeated.filter((name) => declared.has(name));
    const details = named.map((name) => ({ field: `query.${name}`, message: 'is repeated' }));
    if (named.length < repeated.length) details.push({ field: 'query', message: 'a parameter is repeated' });
    respond.refuse(res, 'invalid_input', 'Query parameters must not be repeated.', details);
    return true;
  };
}

const limitOf = (q: Record<string, string>) => (q.limit === undefined ? undefined : Number(q.limit));

export function listDeliveries(
  { respond, deliveries, validator }: Deps,
  req: Request,
  res: Response,
  { operationId }: OperationContext,
) {
  const q = validQuery(validator, respond, req, res, operationId);
  if (!q) return;
  respond.json(res, 200, {
    deliveries: deliveries.list({
      endpointId: q.endpoint_id,
      eventId: q.event_id,
      organizationId: q.organization_id,
      limit: limitOf(q),
    }),
  });
}

/** `POST /__mock/deliveries/{id}/resend`: the domain decides; this answers what it decided. */
export function resendDelivery(
  { respond, deliveries }: Deps,
  _req: Request,
  res: Response,
  { params }: OperationContext,
) {
  const r = deliveries.resend(params.id);
  if (!r) return respond.refuse(res, 'control_not_found', 'No such delivery in the journal.');
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 202, r.value);
}

/** The `operation` filter names one of InkLink's operations: any other is a typo, not an empty result. */
function knownOperation(q: Record<string, string>) {
  const operations = [...getSpec().operations.keys()];
  if (q.operation === undefined || operations.includes(q.operation)) return [];
  return [{ field: 'operation', message: `is not an operation of InkLink's API: ${operations.join(', ')}` }];
}

/** The request journal, newest first (docs/dashboard.md). */
export function listRequests(
  { respond, requests, validator }: Deps,
  req: Request,
  res: Response,
  { operationId }: OperationContext,
) {
  const q = validQuery(validator, respond, req, res, operationId, knownOperation);
  if (!q) return;
  respond.json(res, 200, {
    requests: requests.list({
      operation: q.operation,
      status: q.status,
      organizationId: q.organization_id,
      limit: limitOf(q),
    }),
  });
}

export function clearRequests({ respond, requests }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, { removed: requests.clear() });
}

/** Server-Sent Events of what happens in the mock (mock/http/stream.ts). */
export function openStream({ stream }: Deps, req: Request, res: Response) {
  stream.open(req, res);
}

/** Where a person lands who opens the control API's address (`/__mock`, `/__mock/`) or `/__mock/ui/`: the dashboard. */
export function toDashboard(_deps: Deps, _req: Request, res: Response) {
  redirectToDashboard(res);
}

/** The dashboard's page: no data, no token needed (the page asks for it). */
export function getDashboard(deps: Deps, req: Request, res: Response) {
  sendDashboardFile(deps, req, res, UI_PAGE);
}

export function getDashboardFile(deps: Deps, req: Request, res: Response, { params }: OperationContext) {
  sendDashboardFile(deps, req, res, params.file);
}

function sendDashboardFile({ respond, dashboard }: Deps, req: Request, res: Response, name: string) {
  let file;
  try {
    file = dashboard.get(name);
  } catch {
    return respond.refuse(
      res,
      'internal',
      "The dashboard's files are missing from the package: rebuild it (npm run build).",
    );
  }
  if (!file) return respond.refuse(res, 'control_not_found', 'The dashboard has no such file.');
  dashboard.send(res, file, req.method === 'HEAD');
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

/** `GET /__mock/clock`: which clock the mock runs on, and its time. */
export function getClock({ respond, clock }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, clock.view());
}

/** `POST /__mock/clock/advance`: the domain moves the time (a virtual clock only) and makes what falls due. */
export async function advanceClock({ respond, clock, validator }: Deps, req: Request, res: Response) {
  const body = await validBody<AdvanceInput>(req, res, validator, respond);
  if (!body) return;
  const r = await clock.tryAdvance(body);
  if (!r.ok) return respond.domainError(res, r.error);
  respond.json(res, 200, r.value);
}

export function getControlSpec({ respond }: Deps, _req: Request, res: Response) {
  respond.json(res, 200, controlDocument);
}

/** The control API's handlers, by operationId (mock/control-api.json). */
export const CONTROL_HANDLERS = {
  getHealth,
  resetState,
  getState,
  exportState,
  mintApiKey,
  seedEndpoint,
  emitEvent,
  listDeliveries,
  resendDelivery,
  listRequests,
  clearRequests,
  openStream,
  controlRoot: toDashboard,
  controlRootSlash: toDashboard,
  dashboardSlash: toDashboard,
  getDashboard,
  getDashboardFile,
  addFault,
  listFaults,
  clearFaults,
  deleteFault,
  getClock,
  advanceClock,
  getControlSpec,
};
