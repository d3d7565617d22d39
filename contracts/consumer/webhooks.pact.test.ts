/**
 * The webhook deliveries an example receiver handles, as an asynchronous message contract (V4):
 * the payload and the delivery headers (metadata). Each message goes through the receiver's real
 * code path: signed with a test secret, verified and parsed by `receiveWebhook`.
 */
import { PactV4 } from '@pact-foundation/pact';
import { receiveWebhook, WebhookVerificationError } from '../../src/client';
import { PROVIDER_NAME, signedDelivery, webhookDeliveryInteraction } from '../../src/pact';
import { expectCommittedPactCurrent, tempPactDir } from '../../test/helpers/pact/pact-files';

export const CONSUMER = 'inklink-example-webhook-receiver';
const dir = tempPactDir();
const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER_NAME, dir, logLevel: 'warn' });
const TEST_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhook deliveries (consumer)', () => {
  it('handles a kyc.result.approved delivery', async () => {
    await webhookDeliveryInteraction(pact, { type: 'kyc.result.approved' }).executeTest(async (message) => {
      const { rawBody, headers } = signedDelivery(message, TEST_SECRET);
      const event = receiveWebhook(rawBody, headers, TEST_SECRET);
      expect(event.type).toBe('kyc.result.approved');
      expect(event.id).toMatch(/^wh_evt_/);
      expect(event.data.inquiry_id).toMatch(/^kyc_iq_/);
      expect(typeof event.data.subject_id).toBe('string');
      // The same bytes with another secret are refused.
      expect(() => receiveWebhook(rawBody, headers, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toThrow(
        WebhookVerificationError,
      );
    });
  });

  it('handles a web.result.rejected delivery', async () => {
    await webhookDeliveryInteraction(pact, { type: 'web.result.rejected' }).executeTest(async (message) => {
      const { rawBody, headers } = signedDelivery(message, TEST_SECRET);
      const event = receiveWebhook(rawBody, headers, TEST_SECRET);
      expect(event.type).toBe('web.result.rejected');
      expect(event.data.inquiry_id).toMatch(/^web_iq_/);
    });
  });
});

describe('the committed pact', () => {
  it('is what these tests generate', () => {
    expectCommittedPactCurrent(dir, CONSUMER, PROVIDER_NAME);
  });
});
