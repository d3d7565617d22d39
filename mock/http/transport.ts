/**
 * The HTTP server around the app: timeouts that stop slow clients from holding it, and InkLink's
 * envelope (with a request id) even for requests Node rejects before Express sees them.
 *
 * Node answers some requests itself, without the envelope, unless told otherwise; each is routed to
 * the app or answered here (found by the hostile-input suite, test/reliability/hostile-input):
 * - an HTTP/1.1 request without `Host` (Node: a bare 400): the mock does not need Host, so it is served;
 * - `CONNECT` (Node: the connection is closed without an answer): 404 `NOT_FOUND` in the envelope;
 * - `Expect` other than `100-continue` (Node: a bare 417): the expectation is ignored, as RFC 9110
 *   allows, and the request is served.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { expressNativeClasses } from './native-classes';
import { LIMITS } from '../domain/limits';
import type { Logger } from '../../core/log';
import { REFUSALS, type RefusalKind } from '../../core/refusals';
import type { TransportLimits } from '../config';

export const DEFAULT_LIMITS: TransportLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderSize: LIMITS.headerBytes.value,
};

/**
 * A whole HTTP response carrying a refusal of the table, for a socket Express never sees: the same
 * body as the app's answer of the same refusal (respond.ts: no `details`).
 */
function envelopeResponse(kind: RefusalKind): string {
  const { status, code, message } = REFUSALS[kind];
  const id = randomUUID();
  const body = JSON.stringify({ error: { code, message, details: [], requestId: id } });
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${id}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}

export function createHttpServer(app: Express, logger: Logger, limits: TransportLimits = DEFAULT_LIMITS): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderSize,
      // Node checks the header and request timeouts on this interval only.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      requireHostHeader: false,
      ...expressNativeClasses(app),
    },
    app,
  );
  // No count limit in Node: the app counts the header lines and refuses a request over the limit
  // (431), so it is journalled and answered alike on every Node. (By default Node 20 silently drops
  // the lines past 2,000, and Node 22 and later refuse a request over maxHeadersCount in the parser,
  // before the app.) The header bytes limit (maxHeaderSize) bounds the count anyway.
  server.maxHeadersCount = 0;
  server.on('checkExpectation', app);
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(envelopeResponse('no_route'));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way on this connection cannot be followed by another one.
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    const kind: RefusalKind =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request_timeout'
          : 'malformed_request';
    logger.debug('client error', { code: err.code, status: REFUSALS[kind].status });
    socket.end(envelopeResponse(kind));
  });
  return server;
}

/** True when a request carried more header lines than the limit (the server keeps them all). */
export function tooManyHeaders(req: http.IncomingMessage): boolean {
  return req.rawHeaders.length > 2 * LIMITS.headerCount.value;
}

/**
 * A graceful shutdown: the server stops accepting connections; every request already received is
 * answered (its handler runs to the end, after its write) with `Connection: close`; idle
 * connections are closed as soon as they are idle; at `deadline.at` (a time, which the caller may
 * bring forward) whatever is left is cut.
 */
export async function shutDown(server: http.Server, deadline: { at: number }): Promise<void> {
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!res.headersSent) res.shouldKeepAlive = false;
  });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (;;) {
    server.closeIdleConnections();
    const open = await new Promise<number>((resolve) => server.getConnections((_err, n) => resolve(n ?? 0)));
    if (open === 0 || Date.now() >= deadline.at) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  server.closeAllConnections();
  await closed;
}
