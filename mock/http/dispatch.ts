/**
 * Routing by the spec, as openapi-backend does it: a request is matched against the compiled
 * document's operations and handed to the handler of that operationId, so paths live only in the
 * spec. Authentication is a step of dispatch, like openapi-backend's security handlers: an operation
 * that declares the `api-key` header gets it checked before its handler runs, and the handler
 * receives the authenticated principal. Handlers never check a key themselves.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { API_KEY_HEADER } from '../../core/inklink';
import type { CompiledSpec, Operation } from '../../core/spec';
import type { Principal, Result } from '../domain/model';
import type { Responder } from './respond';

export interface OperationContext {
  operationId: string;
  params: Record<string, string>;
}

/** What a handler of an operation that declares `api-key` receives. */
export interface AuthenticatedContext extends OperationContext {
  principal: Principal;
}

export type OperationHandler<C extends OperationContext = OperationContext> = (
  req: Request,
  res: Response,
  ctx: C,
) => void | Promise<void>;

/**
 * A handler of some operation, whatever context it takes: `AuthenticatedContext` for the operations
 * that declare `api-key` (`withAuthentication` supplies it), `OperationContext` for the others. Which
 * is which only the spec says, at run time; a typed redesign is planned.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the context's type depends on the operation
export type AnyOperationHandler = OperationHandler<any>;

/** A table of named handler functions taking their dependencies first (see `bindHandlers`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as in AnyOperationHandler
export type HandlerTable<D> = Record<string, (deps: D, req: Request, res: Response, ctx: any) => void | Promise<void>>;

/** Binds a table of named handler functions to their dependencies, keyed by operationId. */
export function bindHandlers<D>(table: HandlerTable<D>, deps: D): Record<string, AnyOperationHandler> {
  const out: Record<string, AnyOperationHandler> = {};
  for (const [operationId, handler] of Object.entries(table))
    out[operationId] = (req, res, ctx) => handler(deps, req, res, ctx);
  return out;
}

/** The security step: checks a key and answers the refusal itself when it is not valid. */
export interface Authentication {
  authenticate(apiKey: string | undefined): Result<Principal>;
  respond: Responder;
}

/** Whether an operation declares the `api-key` header, so that it is authenticated before it runs. */
export function requiresApiKey(op: Operation): boolean {
  return op.parameters.some((p) => p.in === 'header' && p.name === API_KEY_HEADER && p.required);
}

/**
 * Wraps the handlers of operations that declare `api-key` in the security step: a request whose
 * key does not authenticate is refused before the handler runs; one that does reaches the handler
 * with `ctx.principal`.
 */
export function withAuthentication(
  spec: CompiledSpec,
  handlers: Record<string, AnyOperationHandler>,
  auth: Authentication,
): Record<string, AnyOperationHandler> {
  const out: Record<string, AnyOperationHandler> = { ...handlers };
  for (const op of spec.operations.values()) {
    const handler = handlers[op.operationId];
    if (!handler || !requiresApiKey(op)) continue;
    out[op.operationId] = (req, res, ctx) => {
      const principal = auth.authenticate(req.headers[API_KEY_HEADER] as string | undefined);
      if (!principal.ok) return auth.respond.domainError(res, principal.error);
      // For the request journal (mock/http/recorder.ts).
      res.locals.principal = principal.value;
      return handler(req, res, { ...ctx, principal: principal.value });
    };
  }
  return out;
}

export function dispatcher(spec: CompiledSpec, handlers: Record<string, AnyOperationHandler>): RequestHandler {
  for (const id of spec.operations.keys()) {
    if (!handlers[id]) throw new Error(`No handler for operation ${id}`);
  }
  return (req: Request, res: Response, next: NextFunction) => {
    // HEAD is answered wherever GET is (Node sends the headers and no body).
    const match =
      spec.findOperation(req.method, req.path) ??
      (req.method === 'HEAD' ? spec.findOperation('GET', req.path) : undefined);
    if (!match) return next();
    const operationId = match.operation.operationId;
    res.locals.operationId = operationId;
    try {
      const done = handlers[operationId](req, res, { operationId, params: match.params });
      if (done) done.catch(next);
    } catch (err) {
      next(err);
    }
  };
}
