/**
 * delivery_signature: the set-up's first delivery verifies (standardwebhooks) with the secret its
 * endpoint was created with (§4 of the docs: the signing scheme).
 */
import type { Check } from '../check';
import { deliveryEvidence, failWith, type Outcome, pass, verifiesWith } from '../judge/evidence';
import type { CapturedDelivery } from '../types';

export const deliverySignature: Check = {
  name: 'delivery_signature',
  description:
    'A delivery verifies (standardwebhooks) with the secret its endpoint was created with: v1, HMAC-SHA256 ' +
    'over id.timestamp.body.',
  phase: 'deliver',
  requires: ['trigger'],
  endpoints: ['probe'],
  after: ['one_time_secret'],
  covers: [
    {
      quote: 'Signed content: `${webhook-id}.${webhook-timestamp}.${raw body}` (exact bytes, never re-serialised).',
      source: 'api §4',
      variant: 'body-reformatted-after-signing',
    },
    {
      quote: 'Key: the bytes of base64-decoding the secret after removing `whsec_`.',
      source: 'api §4',
      variant: 'key-not-base64-decoded',
    },
    {
      quote: 'Signature: `v1,` + base64(HMAC-SHA256(key, content)).',
      source: 'api §4',
      variant: 'signed-with-wrong-key',
    },
  ],
  async run(ctx) {
    return judgeDeliverySignature({ delivery: ctx.probeDelivery!, secret: ctx.endpoint('probe').secret });
  },
};

/** The set-up's first delivery, against the secret its endpoint was created with. */
export function judgeDeliverySignature(o: { delivery: CapturedDelivery; secret: unknown }): Outcome {
  if (typeof o.secret !== 'string')
    return failWith([
      deliveryEvidence(o.delivery, 'create returned no secret to verify the delivery with', ['one_time_secret']),
    ]);
  if (!verifiesWith(o.secret, o.delivery)) {
    return failWith([
      deliveryEvidence(
        o.delivery,
        'the delivery does not verify (standardwebhooks) with the secret its endpoint was created with',
      ),
    ]);
  }
  return pass('a delivery verifies (standardwebhooks) with the secret its endpoint was created with');
}
