/**
 * A local webhook receiver for provider verification: each capture gets its own path, and the
 * first delivery to that path (raw body and headers) resolves it. Deliveries are answered 204.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedDelivery {
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface DeliveryReceiver {
  /** A fresh URL whose first delivery `next` resolves with. */
  expect(timeoutMs: number): { url: string; delivery: Promise<CapturedDelivery> };
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startDeliveryReceiver(host = '127.0.0.1'): Promise<DeliveryReceiver> {
  const waiting = new Map<string, (d: CapturedDelivery) => void>();
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const resolve = req.method === 'POST' ? waiting.get(req.url ?? '') : undefined;
      res.writeHead(resolve ? 204 : 404).end();
      if (resolve) {
        waiting.delete(req.url ?? '');
        resolve({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    expect(timeoutMs) {
      const path = `/pact-verify/deliveries/${++counter}`;
      const delivery = new Promise<CapturedDelivery>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(path);
          reject(new Error(`no webhook delivery arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        waiting.set(path, (d) => {
          clearTimeout(timer);
          resolve(d);
        });
      });
      delivery.catch(() => undefined);
      return { url: base + path, delivery };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
