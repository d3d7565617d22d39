/**
 * Request and response classes whose instances are born with the app's prototypes. Express sets
 * `req`'s and `res`'s prototypes on every request; on objects that already have them that is a
 * no-op, while changing a live object's prototype gives V8 new hidden classes per request, which
 * showed up as long scavenges (7-15 ms on this VM) and so as the p99 latency at a fixed rate.
 * The classes are plain subclasses (fast to construct) whose prototypes become the app's
 * `request` and `response` (the app's own properties moved onto them).
 *
 * test/mock/native-classes.test.ts fails if an Express upgrade makes the per-request prototype
 * change more than a no-op again (which would only slow the mock down, silently).
 */
import http from 'node:http';
import type { Express } from 'express';

export function expressNativeClasses(app: Express): {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
} {
  class Request extends http.IncomingMessage {}
  class Response extends http.ServerResponse {}
  adopt(Request.prototype, app.request);
  adopt(Response.prototype, app.response);
  app.request = Request.prototype as unknown as Express['request'];
  app.response = Response.prototype as unknown as Express['response'];
  return { IncomingMessage: Request, ServerResponse: Response as unknown as typeof http.ServerResponse };
}

/** Makes `target` stand in for `source`: the same own properties and the same prototype. */
function adopt(target: object, source: object): void {
  for (const key of Reflect.ownKeys(source))
    Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key)!);
  Object.setPrototypeOf(target, Object.getPrototypeOf(source));
}
