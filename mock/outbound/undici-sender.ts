/**
 * The outbound HTTP adapter of the delivery engine: one POST per attempt on undici's dispatcher,
 * keep-alive connections (at most 64 per receiver origin), no redirects followed, the receiver's
 * answer read up to a cap and dropped, the whole attempt bounded by the timeout. The status, once it
 * arrived, is kept with a later error (e.g. a body that never ends). undici is loaded with the first
 * delivery: a mock that delivers nothing never loads it.
 *
 * A connection that reaches the mock itself (`isSelf`, by the address actually connected, so a
 * name that resolves to the mock is caught too) is closed before a byte is sent: a delivery never
 * touches the mock's own API (docs/security.md).
 */
import type { Agent, Dispatcher } from 'undici';
import { MAX_TIMER_MS } from '../../core/duration';
import type { AttemptOutcome, DeliverySender, DeliveryTarget, SendHandle } from '../domain/delivery-ports';

export interface UndiciSenderOptions {
  /** Per-attempt timeout in ms (connect, headers and the capped body). */
  timeoutMs: number;
  /** Bytes of a receiver's answer read before the connection is dropped (default 64 KiB). */
  maxResponseBytes?: number;
  /** True when a connection to this address and port reaches the mock itself. */
  isSelf?: (ip: string, port: number) => boolean;
}

/** What an attempt whose connection reached the mock itself records as its error. */
export const SELF_DELIVERY_ERROR = 'refused: the URL reaches the mock itself';
const SELF_DELIVERY_CODE = 'INKLINK_MOCK_SELF_DELIVERY';

/** Origin, path and (for `user:pass@` URLs) basic credentials of a delivery URL. */
interface Target extends DeliveryTarget {
  origin: string;
  path: string;
  authorization?: string;
}

class Cancelled extends Error {
  override name = 'AbortError';
}

export class UndiciSender implements DeliverySender {
  private agent: Agent | undefined;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly isSelf: ((ip: string, port: number) => boolean) | undefined;

  constructor(options: UndiciSenderOptions) {
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > MAX_TIMER_MS) {
      throw new Error(`The delivery timeout must be an integer from 1 to ${MAX_TIMER_MS} ms`);
    }
    this.timeoutMs = options.timeoutMs;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.isSelf = options.isSelf;
  }

  private get dispatcher(): Agent {
    if (!this.agent) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: undici loads at the first delivery
      const { Agent: AgentClass, buildConnector } = require('undici') as typeof import('undici');
      const connect = buildConnector({ timeout: this.timeoutMs });
      const isSelf = this.isSelf;
      this.agent = new AgentClass({
        connections: 64,
        keepAliveTimeout: 4_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connect: isSelf
          ? (opts, callback) =>
              connect(opts, (err, socket) => {
                if (err || !socket) return callback(err ?? new Error('no socket'), null);
                if (!isSelf(socket.remoteAddress ?? '', socket.remotePort ?? 0)) return callback(null, socket);
                socket.destroy();
                callback(Object.assign(new Error(SELF_DELIVERY_ERROR), { code: SELF_DELIVERY_CODE }), null);
              })
          : { timeout: this.timeoutMs },
      });
    }
    return this.agent;
  }

  target(url: string): Target | undefined {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
      const authorization =
        u.username || u.password ? `Basic ${Buffer.from(userInfo(u)).toString('base64')}` : undefined;
      return { kind: 'delivery-target', origin: u.origin, path: `${u.pathname}${u.search}`, authorization };
    } catch {
      return undefined;
    }
  }

  send(delivery: DeliveryTarget, headers: Record<string, string>, body: Buffer): SendHandle {
    const target = delivery as Target;
    const timeoutMs = this.timeoutMs;
    const cap = this.maxResponseBytes;
    let status: number | undefined;
    let received = 0;
    let settled = false;
    let abort: ((err: Error) => void) | undefined;
    let resolve!: (o: AttemptOutcome) => void;
    const result = new Promise<AttemptOutcome>((r) => (resolve = r));
    const finish = (r: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      finish({ status, error: `timed out after ${timeoutMs} ms` });
      abort?.(new Error('timeout'));
    }, timeoutMs);
    timer.unref();
    // undici's controller API (7+): the controller aborts the attempt, and its error comes back
    // through onResponseError like any other.
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: (controller) => {
        abort = (err) => controller.abort(err);
        if (settled) controller.abort(new Cancelled('cancelled'));
      },
      onResponseStart: (_controller, statusCode) => {
        status = statusCode;
      },
      onResponseData: (controller, chunk) => {
        received += chunk.length;
        if (received > cap) {
          controller.abort(new Error('response body over the cap'));
          finish({ status });
        }
      },
      onResponseEnd: () => finish({ status }),
      onResponseError: (_controller, err) => finish({ status, error: describeError(err, timeoutMs) }),
    };
    try {
      const sent = target.authorization ? { ...headers, authorization: target.authorization } : headers;
      this.dispatcher.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers: sent, body },
        handler,
      );
    } catch (err) {
      finish({ error: describeError(err as NodeJS.ErrnoException, timeoutMs) });
    }
    return {
      result,
      cancel: () => {
        abort?.(new Cancelled('cancelled'));
        finish({ error: 'cancelled' });
      },
    };
  }

  /**
   * Requests still queued inside undici (not yet on a connection) cannot be aborted one by one: the
   * dispatcher goes, with every connection and queued request, and a new one comes with the next send.
   */
  reset(): void {
    const agent = this.agent;
    this.agent = undefined;
    void agent?.destroy().catch(() => undefined);
  }
}

/** A URL's user information, `user:password`, decoded (throws on a malformed escape). */
function userInfo(u: URL): string {
  return `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
}

function describeError(e: NodeJS.ErrnoException, timeoutMs: number): string {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  // Never the URL (it may carry credentials), only what went wrong.
  if (err.name === 'AbortError' || err instanceof Cancelled) return 'cancelled';
  if (err.code === SELF_DELIVERY_CODE || err.cause?.code === SELF_DELIVERY_CODE) return SELF_DELIVERY_ERROR;
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `timed out after ${timeoutMs} ms`;
    case 'UND_ERR_SOCKET':
      // The peer closed or reset the connection.
      return err.cause?.code ?? 'ECONNRESET';
  }
  if (err.code && !err.code.startsWith('UND_ERR')) return err.code;
  if (err.cause?.code) return err.cause.code;
  return (err.code ?? err.message).replace(/https?:\/\/\S+/g, '<url>');
}
