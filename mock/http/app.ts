/**
 * The Express layer, kept thin: request ids, the control API behind its token, InkLink's API
 * dispatched by operationId, and envelopes for everything that goes wrong below the operations.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../core/log';
import { getSpec } from '../../core/spec';
import { createValidator, getValidator } from '../../core/validator';
import type { MockControl } from '../domain/control';
import type { DeliveryEngine } from '../domain/deliveries';
import { FaultPlan } from '../domain/faults';
import { LiveFeed } from '../domain/live';
import { RequestJournal } from '../domain/request-journal';
import { MockClock } from '../domain/virtual-clock';
import type { WebhookEndpointService } from '../domain/service';
import { getControlSpec } from '../control-spec';
import { CONTROL_HANDLERS, controlGuard, controlToken, repeatedQuery, tokenFree } from './control-api';
import { DashboardFiles, redirectToDashboard } from './dashboard';
import { bindHandlers, dispatcher, withAuthentication } from './dispatch';
import { withFaults } from './faults';
import { withPrefer } from './prefer';
import { PUBLIC_HANDLERS } from './public-api';
import { requestRecorder } from './recorder';
import { Responder, requestId } from './respond';
import { StreamHub, type StreamOptions } from './stream';
import { tooManyHeaders } from './transport';

export interface AppDeps {
  service: WebhookEndpointService;
  control: MockControl;
  deliveries: DeliveryEngine;
  logger: Logger;
  selfCheck: boolean;
  controlToken?: string;
  startedAt: number;
  /** The mock's clock (`/__mock/clock`; when requests arrived, in the request journal); the system's when absent. */
  clock?: MockClock;
  /** Fault injection rules for InkLink's operations (a fresh, empty plan when absent). */
  faults?: FaultPlan;
  /** The request journal InkLink's API requests are recorded in (a fresh one when absent). */
  requests?: RequestJournal;
  /** What the live stream (`/__mock/stream`) carries (a fresh feed when absent). */
  live?: LiveFeed;
  /** The live stream's heartbeat and stall bound (defaults in mock/domain/limits.ts). */
  streamOptions?: StreamOptions;
}

/**
 * The request line (at info, as Prism prints one): method, operation, status, time, request id. One
 * listener for every response (no closure per request), on 'close', not 'finish': a request whose
 * connection ends without an answer (a client that gave up, an injected reset) gets its line too.
 */
function requestLine(logger: Logger): (this: Response) => void {
  return function logRequest(this: Response) {
    // The operation, never the path: a path may carry anything a client typed (even a secret's
    // base64 without its prefix, in a segment of any length). Never headers, bodies or query strings.
    logger.request({
      method: this.req.method,
      operation: this.locals.operationId ?? '(no route)',
      status: this.writableFinished ? this.statusCode : 'no answer',
      ms: performance.now() - this.locals.startedAt,
      requestId: this.locals.requestId,
    });
  };
}

export function createApp(deps: AppDeps): Express {
  const { logger } = deps;
  const publicValidator = getValidator();
  const controlSpec = getControlSpec();
  const controlValidator = createValidator(controlSpec);
  const respondPublic = new Responder(deps.selfCheck ? { validator: publicValidator, logger } : undefined);
  const respondControl = new Responder(deps.selfCheck ? { validator: controlValidator, logger } : undefined);
  const faults = deps.faults ?? new FaultPlan([...getSpec().operations.keys()]);
  const requests = deps.requests ?? new RequestJournal();
  const stream = new StreamHub(deps.live ?? new LiveFeed(), logger, deps.streamOptions);
  const clock = deps.clock ?? new MockClock();
  const recordRequest = requestRecorder(requests, () => clock.clock.now());

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  const dispatchControl = dispatcher(
    controlSpec,
    bindHandlers(CONTROL_HANDLERS, {
      control: deps.control,
      deliveries: deps.deliveries,
      validator: controlValidator,
      respond: respondControl,
      startedAt: deps.startedAt,
      clock,
      faults,
      requests,
      stream,
      dashboard: new DashboardFiles(),
    }),
  );
  // InkLink's operations: faults first (they answer instead of the operation, whatever the key),
  // then `Prefer: code=N`, then the security step, then the operation's handler with the principal.
  const publicOperations = bindHandlers(PUBLIC_HANDLERS, {
    service: deps.service,
    validator: publicValidator,
    respond: respondPublic,
  });
  const authenticated = withAuthentication(getSpec(), publicOperations, {
    authenticate: (key) => deps.service.authenticate(key),
    respond: respondPublic,
  });
  const dispatchPublic = dispatcher(
    getSpec(),
    withFaults(
      withPrefer(authenticated, getSpec(), respondPublic, () => clock.now()),
      faults,
      respondPublic,
    ),
  );
  const checkControlToken = controlToken(deps.controlToken, respondControl, tokenFree(controlSpec));
  const guardControl = controlGuard(deps.controlToken, respondControl);
  const refuseRepeated = repeatedQuery(controlSpec, respondControl);
  const control = (req: Request, res: Response, next: NextFunction) =>
    guardControl(req, res, () =>
      checkControlToken(req, res, () => (refuseRepeated(req, res) ? undefined : dispatchControl(req, res, next))),
    );

  // One front layer does what every request needs (a request id, its log line) and routes: the
  // control API behind its token, or InkLink's operations. One router layer per request, not four.
  const logRequests = logger.enabled('info');
  const logLine = requestLine(logger);
  app.use((req: Request, res: Response, next: NextFunction) => {
    requestId(req, res);
    // A person who opens the mock's address in a browser lands on the dashboard; an API client
    // asking for `/` (no text/html in its Accept) still gets InkLink's 404.
    if (req.path === '/' && isPageRequest(req)) return redirectToDashboard(res);
    const toControl = isControl(req.path);
    // InkLink's API requests go to the request journal (the control API's do not).
    if (!toControl) recordRequest(req, res);
    if (logRequests) {
      res.locals.startedAt = performance.now();
      res.on('close', logLine);
    }
    // Node drops the header lines past its count: a request with more than the limit is refused
    // whole (an api-key among the dropped ones would have been lost).
    if (tooManyHeaders(req)) return (toControl ? respondControl : respondPublic).refuse(res, 'headers_too_large');
    if (toControl) {
      control(req, res, next);
    } else {
      dispatchPublic(req, res, next);
    }
  });
  app.use((req: Request, res: Response) => {
    if (req.path.startsWith('/__mock')) return respondControl.refuse(res, 'no_route');
    // A known path asked with a method the spec does not declare: 405, and the methods it does.
    const allowed = getSpec().allowedMethods(req.path);
    if (allowed.length > 0) {
      res.setHeader('Allow', allowed.join(', '));
      return respondPublic.refuse(res, 'method_not_allowed');
    }
    respondPublic.refuse(res, 'no_route');
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const respond = req.path.startsWith('/__mock') ? respondControl : respondPublic;
    // The error's message is not echoed: it may quote what the client sent.
    logger.error('unhandled error', {
      method: req.method,
      path: req.path,
      error: (err as { name?: unknown } | null | undefined)?.name ?? 'Error',
      id: res.locals.requestId,
    });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    respond.refuse(res, 'internal');
  });
  return app;
}

/** A browser's navigation: GET or HEAD asking for HTML. */
function isPageRequest(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/i.test(req.headers.accept ?? '');
}

function isControl(path: string): boolean {
  return path.startsWith('/__mock') && (path.length === 7 || path.charCodeAt(7) === 47); /* / */
}
