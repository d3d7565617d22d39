/**
 * Our webhook receiver against InkLink's delivery rules, in-process: every check of
 * `inklink-mock check-receiver` (signatures, tampering, timestamps, duplicates, unknown types,
 * timing), and a secret rotation end to end.
 */
import { randomBytes } from 'node:crypto';
import { checkReceiver } from 'inklink-mock/verify';
import { WebhookHandler } from '../src/receiver';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('our webhook receiver', () => {
  it("passes every check of InkLink's delivery rules, a rotation included", async () => {
    const oldSecret = newSecret(); // what we held before our last rotation
    let secret = newSecret(); // what we hold now
    const receiver = new WebhookHandler(() => secret);

    const report = await checkReceiver(async (rawBody, headers) => receiver.handle(rawBody, headers).status, {
      secret,
      oldSecret,
      // The rotation drill: how our configuration takes a new secret.
      drill: {
        updateSecret: async (next) => {
          secret = next;
          return { ok: true, detail: 'secret stored' };
        },
      },
    });

    expect(report.results.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.summary}`)).toEqual([]);
    expect(report.drill?.windowMs).toBeLessThan(1000);
    expect(receiver.events.map((e) => e.type)).toContain('kyc.result.approved');
  });
});
