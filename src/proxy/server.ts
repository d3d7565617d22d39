/**
 * `inklink-mock proxy`: a validating proxy for live traffic, as Prism's proxy is, plus InkLink's own
 * rules (rules.ts). It forwards every request to the upstream (InkLink's API, a staging deploy or
 * the mock) and the answer back unchanged, checks each exchange, and names what it broke in the
 * `x-inklink-proxy-violations` response header and a log line. It keeps a report and a HAR
 * (recording.ts), redacted: it never stores or prints a secret or a key.
 *
 * It builds on the core only (like the verifier); `GET /__proxy/report` answers the report so far,
 * and the mock's control API (`/__mock/…`) is forwarded unchecked once it passes the control API's
 * own browser guards (core/browser-guards.ts): the Host rewrite must not undo them.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { browserGuardViolation } from '../../core/browser-guards';
import { createLogger, type Logger, type LogLevel } from '../../core/log';
import { PROXY_REFUSALS, REFUSALS, type Refusal } from '../../core/refusals';
import type { CompiledSpec } from '../../core/spec';
import { createValidator, getValidator } from '../../core/validator';
import { Recording, type ProxyReport } from './recording';
import { redactText } from './redact';
import { ExchangeMemory, checkExchange } from './rules';

export interface ValidatingProxyOptions {
  /** Where requests go: e.g. https://sandbox.inklink.example/api/v1, or the mock's URL. */
  upstream: string;
  /** Port to listen on (default 0: any free one). */
  port?: number;
  host?: string;
  /** Write the report (JSON) to this file. */
  reportFile?: string;
  /** Write every exchange, redacted, as a HAR 1.2 file (for `inklink-mock validate --har`). */
  harFile?: string;
  /** How long the upstream has to answer (default 30 s). */
  timeoutMs?: number;
  /** Another OpenAPI document than the bundled openapi.json. */
  spec?: CompiledSpec;
  logger?: Logger;
  /** When no logger is given (default `info`: one line per exchange, violations at `warn`). */
  logLevel?: LogLevel;
}

export interface ValidatingProxy {
  /** The proxy's base URL: point the client here instead of at the upstream. */
  url: string;
  /** The report so far. */
  report(): ProxyReport;
  /** Stops the proxy, writes the files, and resolves with the final report. */
  close(): Promise<ProxyReport>;
}

export const VIOLATIONS_HEADER = 'x-inklink-proxy-violations';
export const REPORT_PATH = '/__proxy/report';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Hop-by-hop headers, and those the forwarding itself sets. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The proxy's own answer, in InkLink's envelope. */
function answer(res: http.ServerResponse, r: Refusal, message: string): void {
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: r.code, message, requestId } });
  res
    .writeHead(r.status, {
      'content-type': 'application/json',
      'x-request-id': requestId,
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** A path the mock's control API may answer, however spelled (percent-encoded, doubled slashes, case). */
function isControlPath(path: string): boolean {
  let p = path.split(/[?#]/)[0];
  try {
    p = decodeURIComponent(p);
  } catch {
    // left as sent: the upstream refuses a malformed path itself
  }
  return /^[/\\]+__mock(?:[/\\]|$)/i.test(p);
}

export async function startValidatingProxy(options: ValidatingProxyOptions): Promise<ValidatingProxy> {
  let upstream: URL;
  try {
    upstream = new URL(options.upstream);
  } catch {
    throw new Error('the upstream must be an absolute http(s) URL');
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
    throw new Error('the upstream must be an absolute http(s) URL');
  const base = upstream.href.replace(/\/+$/, '');
  const validator = options.spec ? createValidator(options.spec) : getValidator();
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const memory = new ExchangeMemory();
  const recording = new Recording(base, memory, { report: options.reportFile, har: options.harFile }, (e) =>
    logger.error(e.message),
  );
  recording.flush();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (method === 'GET' && path.split('?')[0] === REPORT_PATH) {
      const body = JSON.stringify(recording.report());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    // The proxy rewrites Host to the upstream's, so the mock's DNS-rebinding and cross-site guards
    // are applied here, to the Host and Origin the browser sent, before anything is forwarded.
    if (isControlPath(path)) {
      const foreign = browserGuardViolation(req.headers, true);
      if (foreign) {
        req.resume();
        return answer(res, REFUSALS[foreign.kind], REFUSALS[foreign.kind].message);
      }
    }
    const started = new Date();
    const body = await readBody(req);
    if (body === undefined)
      return answer(res, REFUSALS.body_too_large, `The request body is over the proxy's ${MAX_BODY_BYTES} byte limit.`);
    const requestHeaders = flatHeaders(req.headers);
    const forwarded: Record<string, string> = { 'accept-encoding': 'identity' };
    for (const [k, v] of Object.entries(requestHeaders))
      if (!NOT_FORWARDED.has(k) && k !== 'accept-encoding') forwarded[k] = v;
    const hasBody = method !== 'GET' && method !== 'HEAD' && body.length > 0;
    // An Origin checked above as the proxy's own is the upstream's own once Host is rewritten.
    if (forwarded.origin !== undefined && isControlPath(path)) forwarded.origin = upstream.origin;

    let upstreamRes: Response;
    let resBody: Buffer;
    try {
      upstreamRes = await fetch(base + path, {
        method,
        headers: forwarded,
        body: hasBody ? body : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      resBody = Buffer.from(await upstreamRes.arrayBuffer());
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.message);
      logger.error(`upstream ${base} did not answer ${method} ${redactText(path, memory)}: ${why}`);
      recording.upstreamError();
      return answer(
        res,
        PROXY_REFUSALS.upstream_unreachable,
        `${PROXY_REFUSALS.upstream_unreachable.message} (${why})`,
      );
    }
    const ms = Date.now() - started.getTime();
    const responseHeaders: Record<string, string> = {};
    upstreamRes.headers.forEach((v, k) => {
      if (k !== 'set-cookie') responseHeaders[k] = v;
    });
    const cookies = upstreamRes.headers.getSetCookie();
    if (cookies.length) responseHeaders['set-cookie'] = cookies.join(', ');

    const out: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(responseHeaders)) if (!NOT_RETURNED.has(k) && k !== 'set-cookie') out[k] = v;
    if (cookies.length) out['set-cookie'] = cookies;
    out['content-length'] = resBody.length;

    // The mock's control API is test set-up, not InkLink's API: forwarded as it is, unchecked.
    if (!path.startsWith('/__mock/')) {
      const exchange = {
        method,
        path,
        requestHeaders,
        requestBody: hasBody ? body.toString('utf8') : undefined,
        status: upstreamRes.status,
        responseHeaders,
        responseBody: resBody.toString('utf8'),
      };
      const { operationId, violations } = checkExchange(exchange, memory, validator);
      const shown = redactText(path, memory);
      logger.info(`${method} ${shown} -> ${upstreamRes.status} ${ms}ms ${operationId ?? '(no operation)'}`, {
        requestId: responseHeaders['x-request-id'],
      });
      if (violations.length) {
        out[VIOLATIONS_HEADER] = [...new Set(violations.map((v) => v.rule))].join(', ');
        const listed = violations.map((v) => `${v.rule} at ${v.location}: ${v.message}`).join('; ');
        logger.warn(`violations in ${method} ${shown} -> ${upstreamRes.status}: ${listed}`);
      }
      recording.add({ ...exchange, startedAt: started, ms, url: base + path, operationId, violations });
    }
    res.writeHead(upstreamRes.status, out);
    res.end(method === 'HEAD' ? undefined : resBody);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      logger.error(`proxy error: ${(e as Error).message}`);
      if (!res.headersSent) answer(res, REFUSALS.internal, 'The proxy failed to handle the request.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<ProxyReport> | undefined;
  return {
    url,
    report: () => recording.report(),
    close() {
      closed ??= new Promise<ProxyReport>((resolve) => {
        server.close(() => {
          recording.tryFlush();
          logger.flush();
          resolve(recording.report());
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
