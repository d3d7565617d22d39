/**
 * HTTP over a raw TCP socket, for requests fetch and undici refuse to send (odd methods, bytes that
 * are not ASCII in the request line or headers, duplicated or contradictory framing headers).
 */
import net from 'node:net';

export interface RawResponse {
  /** The status of the first final (non-1xx) response. */
  status: number;
  /** Header names lower-cased; a repeated header keeps every value. */
  headers: Record<string, string[]>;
  body: Buffer;
  /** Everything the server sent. */
  raw: Buffer;
}

export interface RawRequestSpec {
  method: string;
  /** The request-target as sent (no encoding is applied). */
  target: string;
  /** Sent in this order; names and values as latin1 bytes. */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** `length`: a correct Content-Length; `chunked`: valid chunked encoding; `none`: as given. */
  framing?: 'length' | 'chunked' | 'none';
  version?: string;
}

export function encodeRequest(r: RawRequestSpec): Buffer {
  const head: string[] = [`${r.method} ${r.target} ${r.version ?? 'HTTP/1.1'}`];
  for (const [k, v] of r.headers) head.push(`${k}: ${v}`);
  const body = r.body ?? Buffer.alloc(0);
  const framing = r.framing ?? 'length';
  let payload = body;
  if (framing === 'length' && (r.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(r.method)))
    head.push(`content-length: ${body.length}`);
  if (framing === 'chunked') {
    head.push('transfer-encoding: chunked');
    const parts: Buffer[] = [];
    for (let i = 0; i < body.length; i += 65536) {
      const chunk = body.subarray(i, i + 65536);
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    payload = Buffer.concat(parts);
  }
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), payload]);
}

/**
 * Sends bytes, half-closes, and reads until the server closes (or the time is up). Resolves with
 * everything received; rejects only on a time-out.
 */
export function exchange(url: string, bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => {
      socket.end(bytes);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms (received ${Buffer.concat(chunks).length} bytes)`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the answer (e.g. the server closes while we still send) is not a failure here.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Parses the first final response of a byte stream (interim 1xx responses are skipped). */
export function parseResponse(raw: Buffer, method = 'GET'): RawResponse | undefined {
  let offset = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', offset, 'latin1');
    if (end < 0) return undefined;
    const head = raw.subarray(offset, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(head[0]);
    if (!m) return undefined;
    const status = Number(m[1]);
    const headers: Record<string, string[]> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i <= 0) return undefined;
      const name = line.slice(0, i).trim().toLowerCase();
      (headers[name] ??= []).push(line.slice(i + 1).trim());
    }
    const bodyStart = end + 4;
    if (status >= 100 && status < 200) {
      offset = bodyStart;
      continue;
    }
    let length = 0;
    if (method !== 'HEAD' && status !== 204 && status !== 304) {
      if (headers['content-length']?.length !== 1) return { status, headers, body: raw.subarray(bodyStart), raw };
      length = Number(headers['content-length'][0]);
    }
    if (raw.length < bodyStart + length) return undefined;
    return { status, headers, body: raw.subarray(bodyStart, bodyStart + length), raw };
  }
}

export async function rawRequest(url: string, spec: RawRequestSpec, timeoutMs?: number): Promise<RawResponse> {
  const raw = await exchange(url, encodeRequest(spec), timeoutMs);
  const res = parseResponse(raw, spec.method);
  if (!res)
    throw new Error(
      `no well-formed HTTP response (${raw.length} bytes): ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`,
    );
  return res;
}
