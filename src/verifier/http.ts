/**
 * The verifier's HTTP client: every request it sends to the implementation is recorded with the
 * response, resolved to its operation through the one compiled spec, so that the conformance checks
 * can run over everything the run provoked.
 */
import type { CompiledSpec } from '../../core/spec';
import { API_KEY_HEADER } from '../../core/inklink';
import type { Exchange } from './types';
import { jsonOrUndefined } from '../../core/json';

export interface SendOptions {
  /** Who is calling, for the report (`admin key`, `no key`, …); the key itself is never reported. */
  keyLabel?: string;
  apiKey?: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
}

export class RecordingClient {
  readonly exchanges: Exchange[] = [];
  private readonly basePath: string;

  constructor(
    private readonly baseUrl: string,
    private readonly spec: CompiledSpec,
    private readonly timeoutMs = 10_000,
  ) {
    this.basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  }

  /** Sends `method path` relative to the base URL and records the exchange. */
  async send(purpose: string, method: string, path: string, opts: SendOptions = {}): Promise<Exchange> {
    const url = this.baseUrl.replace(/\/+$/, '') + path;
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (opts.apiKey !== undefined) headers[API_KEY_HEADER] = opts.apiKey;
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    const match = this.spec.findOperation(method, this.basePath + path) ?? this.spec.findOperation(method, path);
    const exchange: Exchange = {
      seq: this.exchanges.length + 1,
      purpose,
      operationId: match?.operation.operationId,
      request: { method, url, path, headers, body, keyLabel: opts.keyLabel },
      startedAt: Date.now(),
      durationMs: 0,
    };
    this.exchanges.push(exchange);
    const started = performance.now();
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        resHeaders[k] = v;
      });
      const json: unknown = jsonOrUndefined(text);
      exchange.response = { status: res.status, headers: resHeaders, body: text, json };
    } catch (e) {
      exchange.error = describeFetchError(e, timeoutMs);
    }
    exchange.durationMs = Math.round((performance.now() - started) * 10) / 10;
    return exchange;
  }
}

const TRANSPORT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed',
};

/** What a peer that answered bytes no HTTP parser accepts is said to have done (llhttp's HPE_… codes). */
export const NOT_HTTP = 'answered something that is not HTTP';

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const code = err.cause?.code;
  if (code?.startsWith('HPE_')) return `${NOT_HTTP} (${code})`;
  if (code) return TRANSPORT_ERRORS[code] ? `${TRANSPORT_ERRORS[code]} (${code})` : code;
  return err.cause?.message ?? err.message ?? String(e);
}
