/**
 * Routing by the spec: a request is matched against the compiled document's operations and handed
 * to the handler of that operationId (as openapi-backend does), so paths live only in the spec.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { CompiledSpec } from '../../src/core/spec';

export type OperationHandler = (req: Request, res: Response, params: Record<string, string>) => void | Promise<void>;

export function dispatcher(spec: CompiledSpec, handlers: Record<string, OperationHandler>): RequestHandler {
  for (const id of spec.operations.keys()) {
    if (!handlers[id]) throw new Error(`No handler for operation ${id}`);
  }
  return (req: Request, res: Response, next: NextFunction) => {
    const match = spec.findOperation(req.method, req.path);
    if (!match) return next();
    const id = match.operation.operationId;
    res.locals.operationId = id;
    try {
      const done = handlers[id](req, res, match.params);
      if (done) done.catch(next);
    } catch (err) {
      next(err);
    }
  };
}
