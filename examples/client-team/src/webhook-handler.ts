/**
 * Our webhook handler, free of any HTTP framework: it takes a delivery's raw body and headers and
 * says which status to answer. Mount it in your server with the raw body (never a parsed and
 * re-serialised one), e.g. `app.post('/webhooks/inklink', express.raw({ type: '*\/*' }), …)`.
 */
import { receiveWebhook, WebhookVerificationError, type WebhookEvent } from 'inklink-mock/client';

export interface WebhookHandlerOptions {
  /** The current signing secret, read on every delivery so that a rotation takes effect at once. */
  secret: () => string;
  /** Called once per event: duplicates (InkLink delivers at least once) are dropped before. */
  onEvent: (event: WebhookEvent) => void | Promise<void>;
}

export function createWebhookHandler(options: WebhookHandlerOptions) {
  // In production, keep the ids you have processed in your database, not in memory.
  const processed = new Set<string>();
  return async (rawBody: string | Buffer, headers: Record<string, unknown>): Promise<number> => {
    let event: WebhookEvent;
    try {
      event = receiveWebhook(rawBody, headers, options.secret());
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      // A bad signature or timestamp: 401. A signed payload we cannot use (say, an event type
      // added after this code was written): 400, never a 5xx.
      return e.reason === 'invalid_payload' ? 400 : 401;
    }
    if (processed.has(event.id)) return 200;
    await options.onEvent(event);
    processed.add(event.id);
    return 204;
  };
}
