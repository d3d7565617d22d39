/**
 * Our webhook receiver: verifies each delivery's Standard Webhooks signature over the raw body with
 * `receiveWebhook`, drops duplicates (the same `webhook-id` on a retry), and answers 204, or 401 so
 * that InkLink retries a delivery we could not verify.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { receiveWebhook, WebhookVerificationError, type WebhookEvent } from 'inklink-mock/client';

export type Outcome = { status: 204; event: WebhookEvent; duplicate: boolean } | { status: 400 | 401; reason: string };

export class WebhookHandler {
  readonly events: WebhookEvent[] = [];
  private readonly seen = new Set<string>();

  /** `secret()` is read on every delivery: after a rotation, the new one verifies. */
  constructor(private readonly secret: () => string) {}

  /** One delivery: the exact bytes received and the headers as received. */
  handle(rawBody: string | Buffer, headers: Record<string, unknown>): Outcome {
    let event: WebhookEvent;
    try {
      event = receiveWebhook(rawBody, headers, this.secret());
    } catch (e) {
      if (e instanceof WebhookVerificationError)
        return { status: e.reason === 'invalid_payload' ? 400 : 401, reason: e.reason };
      throw e;
    }
    const duplicate = this.seen.has(event.id);
    if (!duplicate) {
      this.seen.add(event.id);
      this.events.push(event);
    }
    return { status: 204, event, duplicate };
  }
}

/** The handler behind an HTTP server on 127.0.0.1 (a free port): `url` is where InkLink delivers. */
export async function startReceiver(handler: WebhookHandler): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const outcome = handler.handle(Buffer.concat(chunks), req.headers);
      res.writeHead(outcome.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
