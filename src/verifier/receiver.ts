/**
 * The verifier's webhook receiver. Each endpoint the verifier creates delivers to its own path
 * (`<receiver url>/<tag>`), so deliveries can be told apart; the answer per path is scripted
 * (e.g. fail the first attempt to provoke a retry, redirect it, or hold it open while the run
 * rotates the secret). A delivery is visible to waiters as soon as it has arrived, before it is
 * answered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapturedDelivery } from './types';

export type ReceiverAnswer = number | { status: number; headers?: Record<string, string> };
export type AnswerPolicy = (delivery: CapturedDelivery, indexOnTag: number) => ReceiverAnswer | Promise<ReceiverAnswer>;

export interface Receiver {
  /** The URL endpoints are created with: `--receiver-url`, or where the receiver listens. */
  readonly publicUrl: string;
  urlFor(tag: string): string;
  setPolicy(tag: string, policy: AnswerPolicy): void;
  deliveries(tag?: string): CapturedDelivery[];
  /** Resolves with the deliveries on `tag` once `predicate` holds, or with what arrived by the deadline. */
  waitFor(tag: string, predicate: (ds: CapturedDelivery[]) => boolean, timeoutMs: number): Promise<CapturedDelivery[]>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startReceiver(host: string, port: number, publicUrl?: string): Promise<Receiver> {
  const captured: CapturedDelivery[] = [];
  const policies = new Map<string, AnswerPolicy>();
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const tag = (req.url ?? '/').split('?')[0].split('/').filter(Boolean).pop() ?? '';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const d: CapturedDelivery = {
        tag,
        method: req.method ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
        answeredStatus: 0,
      };
      const onTag = captured.filter((c) => c.tag === tag).length;
      captured.push(d);
      for (const w of waiters) w();
      const answer = async () => {
        let a: ReceiverAnswer;
        try {
          a = (await policies.get(tag)?.(d, onTag)) ?? 204;
        } catch {
          a = 500;
        }
        const { status, headers: extra } = typeof a === 'number' ? { status: a, headers: undefined } : a;
        d.answeredStatus = status;
        d.answeredAt = Date.now();
        if (!res.destroyed) res.writeHead(status, extra).end();
      };
      void answer();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const listening = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const base = (publicUrl ?? listening).replace(/\/+$/, '');

  return {
    publicUrl: base,
    urlFor: (tag) => `${base}/${tag}`,
    setPolicy: (tag, policy) => policies.set(tag, policy),
    deliveries: (tag) => captured.filter((d) => tag === undefined || d.tag === tag),
    waitFor(tag, predicate, timeoutMs) {
      return new Promise((resolve) => {
        const done = () => {
          const ds = captured.filter((d) => d.tag === tag);
          if (predicate(ds)) finish(ds);
        };
        const finish = (ds: CapturedDelivery[]) => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve(ds);
        };
        const timer = setTimeout(() => finish(captured.filter((d) => d.tag === tag)), timeoutMs);
        waiters.add(done);
        done();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
