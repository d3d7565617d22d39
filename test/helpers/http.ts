/** Real HTTP calls for tests, failing loudly if the mock's self-check flagged its own response. */
import { jsonOrUndefined } from '../../core/json';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  /** Allow an `x-inklink-mock-violations` header (only for tests of the self-check itself). */
  allowViolations?: boolean;
}

export async function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: RequestInit['body'];
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body as RequestInit['body'];
    else {
      body = JSON.stringify(opts.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
  }
  const res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const json = jsonOrUndefined(text);
  const violations = res.headers.get('x-inklink-mock-violations');
  if (violations && !opts.allowViolations) {
    throw new Error(`The mock flagged its own response to ${method} ${path}: ${violations}`);
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts InkLink's envelope with the given status and code, and requestId == x-request-id. */
export function expectEnvelope(res: HttpResult, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.json).toEqual({
    error: {
      code,
      message: expect.any(String),
      details: expect.any(Array),
      requestId: res.headers.get('x-request-id'),
    },
  });
  expect(res.headers.get('x-request-id')).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
