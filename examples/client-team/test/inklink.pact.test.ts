/**
 * Our consumer contract with InkLink, written with inklink-mock's ready-made interactions: what we
 * send and what we rely on in the answers, and the webhook deliveries we handle. The pact goes to
 * pacts/; `npm run pact:verify` checks it against the mock (and your CI against InkLink's staging).
 */
import { PactV4 } from '@pact-foundation/pact';
import { InklinkApiError } from 'inklink-mock/client';
import {
  EXAMPLES,
  PROVIDER_NAME,
  rotateSecretInteraction,
  signedDelivery,
  webhookDeliveryInteraction,
} from 'inklink-mock/pact';
import { WebhookHandler } from '../src/receiver';
import { inklinkClient, rotateSigningSecret, SecretStore } from '../src/secrets';

const pact = new PactV4({ consumer: 'client-team-starter', provider: PROVIDER_NAME, dir: 'pacts', logLevel: 'warn' });
// Any key: pact-verify replaces it with a real key of the role the interaction's state names.
const client = (url: string) => inklinkClient(url, EXAMPLES.apiKey);

describe('rotating our signing secret (consumer contract)', () => {
  it('keeps the new secret', async () => {
    await rotateSecretInteraction(pact, { case: 'rotated', endpointId: 'wh_end_starter' }).executeTest(
      async (server) => {
        const store = new SecretStore();
        await rotateSigningSecret(client(server.url), 'wh_end_starter', store);
        expect(store.get('wh_end_starter')).toMatch(/^whsec_/);
      },
    );
  });

  it('reports a member key as INTERNAL_ERROR, and keeps nothing', async () => {
    await rotateSecretInteraction(pact, { case: 'member-key', endpointId: 'wh_end_starter' }).executeTest(
      async (server) => {
        const store = new SecretStore();
        const failed = rotateSigningSecret(client(server.url), 'wh_end_starter', store);
        await expect(failed).rejects.toBeInstanceOf(InklinkApiError);
        await expect(failed).rejects.toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
        expect(store.get('wh_end_starter')).toBeUndefined();
      },
    );
  });
});

describe('webhook deliveries we handle (consumer contract)', () => {
  const TEST_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('a kyc.result.approved delivery goes through our receiver', async () => {
    await webhookDeliveryInteraction(pact, { type: 'kyc.result.approved' }).executeTest(async (message) => {
      const handler = new WebhookHandler(() => TEST_SECRET);
      const { rawBody, headers } = signedDelivery(message, TEST_SECRET);
      const outcome = handler.handle(rawBody, headers);
      expect(outcome).toMatchObject({ status: 204, duplicate: false, event: { type: 'kyc.result.approved' } });
      // The same delivery again (a retry) is a duplicate; another secret's signature is refused.
      expect(handler.handle(rawBody, headers)).toMatchObject({ status: 204, duplicate: true });
      expect(new WebhookHandler(() => 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').handle(rawBody, headers)).toEqual({
        status: 401,
        reason: 'no_matching_signature',
      });
    });
  });
});
