/**
 * The success answers `Prefer: code=200` gets (mock/http/prefer.ts): what each InkLink operation's
 * 200 looks like, made fresh for every request, without running the operation. Nothing is stored:
 * the ids name no endpoint, and a secret is new random bytes that no endpoint holds, so it signs
 * nothing and verifies nothing (the rotation did not happen: the endpoint keeps its secret).
 */
import { EVENT_TYPES } from '../../core/inklink';
import { generateSecret } from '../../core/webhooks';
import { newEndpointId } from './ids';

/** An example of each operation's success answer, by operationId, made at `now` (the mock's time). */
export const SUCCESS_EXAMPLES: Readonly<Record<string, (now: Date) => unknown>> = {
  rotateWebhookEndpointSecret: () => ({ secret: generateSecret() }),
  createWebhookEndpoint: (now) => ({
    id: newEndpointId(),
    url: 'https://example.com/webhooks',
    name: null,
    enabled: true,
    event_types: [...EVENT_TYPES],
    created_at: now.toISOString(),
    secret: generateSecret(),
  }),
};
