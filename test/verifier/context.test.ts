/** The run's model of the implementation: a secret is the endpoint's only when the request should have succeeded. */
import { getSpec } from '../../core/spec';
import { getValidator } from '../../core/validator';
import { generateSecret } from '../../core/webhooks';
import { RunContext } from '../../src/verifier/context';
import type { RecordingClient } from '../../src/verifier/http';
import { parseTrigger } from '../../src/verifier/trigger';
import type { Receiver } from '../../src/verifier/receiver';
import type { Trigger } from '../../src/verifier/trigger';
import type { CapturedDelivery } from '../../src/verifier/types';
import { delivery, exchange } from '../helpers/check-build';

/** A client that answers every request 200 with a fresh secret. */
function lenientClient(): RecordingClient {
  const exchanges: ReturnType<typeof exchange>[] = [];
  return {
    exchanges,
    send: async (purpose: string, method: string, path: string) => {
      const ex = exchange({ method, path, status: 200, json: { id: 'wh_end_new', secret: generateSecret() } });
      exchanges.push(ex);
      return ex;
    },
  } as unknown as RecordingClient;
}

describe('RunContext', () => {
  const keys = {
    admin: 'secret_live_admin000',
    member: 'secret_live_member00',
    owner: 'secret_live_owner000',
    otherOrg: 'secret_live_other000',
  };
  const context = () =>
    new RunContext({
      client: lenientClient(),
      spec: getSpec(),
      validator: getValidator(),
      keys,
      trigger: parseTrigger('none', 'http://x'),
      deliveryWaitMs: 10,
      endpointUrl: (t) => `http://r/${t}`,
      generation: { seed: 1, cases: 1 },
    });

  it('takes a 200 to a request that should succeed as the endpoint’s new secret', async () => {
    const ctx = context();
    ctx.endpoints.set('a', {
      tag: 'a',
      id: 'wh_end_a',
      eventTypes: [],
      enabled: true,
      secret: 'whsec_old',
      secretSince: 0,
      organization: 'primary',
    });
    const ex = await ctx.rotate('p', 'wh_end_a', keys.admin, 'success');
    expect(ctx.endpoints.get('a')!.secret).toBe((ex.response!.json as any).secret);
    expect(ctx.issued).toEqual([{ secret: (ex.response!.json as any).secret, exchange: ex, expected: true }]);
  });

  it(
    'never takes a 200 to a member, or to another organization, ' +
      'as the endpoint’s secret (but remembers it was issued)',
    async () => {
      const ctx = context();
      ctx.endpoints.set('a', {
        tag: 'a',
        id: 'wh_end_a',
        eventTypes: [],
        enabled: true,
        secret: 'whsec_old',
        secretSince: 0,
        organization: 'primary',
      });
      await ctx.rotate('p', 'wh_end_a', keys.member, 'forbidden');
      await ctx.rotate('p', 'wh_end_a', keys.otherOrg, 'endpoint_not_found');
      const created = await ctx.create('p', { url: 'http://r/x' }, keys.member, 'forbidden');
      expect(ctx.endpoints.get('a')!.secret).toBe('whsec_old');
      expect(ctx.issued.map((i) => i.expected)).toEqual([false, false, false]);
      expect(ctx.issued[2].exchange).toBe(created);
    },
  );

  it('dates the endpoint’s secret by its rotation; lists other endpoints’ rotations not refused', async () => {
    const ctx = context();
    ctx.endpoints.set('a', {
      tag: 'a',
      id: 'wh_end_a',
      eventTypes: [],
      enabled: true,
      secret: 'whsec_old',
      secretSince: 0,
      organization: 'primary',
    });
    const own = await ctx.rotate('p', 'wh_end_a', keys.admin, 'success');
    expect(ctx.endpoints.get('a')!.secretSince).toBe(own.startedAt);
    const other = await ctx.rotate('p', 'wh_end_b', keys.admin, 'success');
    const refused = await ctx.rotate('p', 'wh_end_c', keys.admin, 'success');
    refused.response!.status = 500;
    const unanswered = await ctx.rotate('p', 'wh_end_d', keys.admin, 'success');
    delete unanswered.response;
    await ctx.create('p', { url: 'http://r/x' }, keys.admin, 'success');
    expect(ctx.rotationsOtherThan('wh_end_a')).toEqual([
      { sentAt: other.startedAt, answeredAt: other.startedAt + other.durationMs },
      { sentAt: unanswered.startedAt, answeredAt: undefined },
    ]);
  });

  it('labels keys by role for reports, never by value', () => {
    const ctx = context();
    expect(
      [keys.admin, keys.member, keys.owner, keys.otherOrg, undefined, '', 'secret_live_zzz'].map((k) => ctx.label(k)),
    ).toEqual([
      'admin key',
      'member key',
      'owner key',
      "other organization's key",
      'no key',
      'empty key',
      'a key that is not a valid one',
    ]);
  });

  it(
    'takes a delivery as the event it asked for when its webhook-id and body ' +
      'were not seen together: not a retry, but an id reused for another event',
    async () => {
      const received: CapturedDelivery[] = [];
      // Each event fired arrives as `next` says; the receiver holds what arrived.
      let next: () => CapturedDelivery[] = () => [];
      const receiver = {
        deliveries: () => [...received],
        waitFor: async () => [...received],
      } as unknown as Receiver;
      const trigger: Trigger = { kind: 'mock', description: 'fake', fire: async () => void received.push(...next()) };
      const ctx = new RunContext({
        client: lenientClient(),
        spec: getSpec(),
        validator: getValidator(),
        keys,
        trigger,
        receiver,
        deliveryWaitMs: 10,
        endpointUrl: (t) => `http://r/${t}`,
        generation: { seed: 1, cases: 1 },
      });
      const e = {
        tag: 'a',
        id: 'wh_end_a',
        eventTypes: [],
        enabled: true,
        secret: 'whsec_x',
        secretSince: 0,
        organization: 'primary' as const,
      };
      const first = delivery({ id: 'wh_evt_1' });
      next = () => [first];
      expect(await ctx.deliver(e, 'kyc.result.approved')).toEqual({ delivery: first });
      // A retry of the first event only: nothing new.
      next = () => [{ ...first, receivedAt: first.receivedAt + 1 }];
      expect(await ctx.deliver(e, 'kyc.result.approved')).toEqual({ error: 'no delivery arrived within 10 ms' });
      // Another event under the same id is new (delivery_conformance judges the reuse).
      const reused = delivery({
        id: 'wh_evt_1',
        payload: {
          type: 'kyc.result.failed',
          timestamp: new Date().toISOString(),
          data: { inquiry_id: 'kyc_iq_2', subject_id: 'u' },
        },
      });
      next = () => [reused];
      expect(await ctx.deliver(e, 'kyc.result.failed')).toEqual({ delivery: reused });
    },
  );

  describe('what one check sees', () => {
    const endpoint = {
      tag: 'a',
      id: 'wh_end_a',
      eventTypes: [],
      enabled: true,
      secret: 'whsec_old',
      secretSince: 0,
      organization: 'primary' as const,
    };

    it('its own endpoints of the set-up only', () => {
      const ctx = context();
      ctx.endpoints.set('a', endpoint);
      expect(ctx.forCheck({ name: 'mine', endpoints: ['a'] }).endpoint('a')).toBe(endpoint);
      expect(() => ctx.forCheck({ name: 'other' }).endpoint('a')).toThrow(
        'other uses endpoint "a" of the set-up without declaring it (endpoints)',
      );
    });

    it('of what the rest of the run did, only what it declares it reads', async () => {
      const ctx = context();
      const ex = await ctx.create('p', { url: 'http://r/x' }, keys.admin, 'success');
      const review = ctx.forCheck({ name: 'review', reads: ['exchanges', 'issued', 'deliveries'] });
      expect(review.run.exchanges).toEqual([ex]);
      expect(review.run.issued.map((i) => i.exchange)).toEqual([ex]);
      expect(review.run.deliveries()).toEqual([]);
      const probe = ctx.forCheck({ name: 'probe', reads: ['rotations'] });
      expect(probe.run.rotationsOtherThan('wh_end_a')).toEqual([]);
      expect(() => probe.run.exchanges).toThrow("probe reads the run's exchanges without declaring it");
      expect(() => probe.run.issued).toThrow("probe reads the run's issued without declaring it");
      expect(() => probe.run.deliveries()).toThrow("probe reads the run's deliveries without declaring it");
      expect(() => review.run.rotationsOtherThan('x')).toThrow("review reads the run's rotations without declaring it");
    });

    it('sends through the run, which records what it sent for the reviews', async () => {
      const ctx = context();
      ctx.endpoints.set('a', { ...endpoint });
      const ex = await ctx.forCheck({ name: 'mine', endpoints: ['a'] }).rotate('p', 'wh_end_a', keys.admin, 'success');
      expect(ctx.client.exchanges).toEqual([ex]);
      expect(ctx.endpoints.get('a')!.secret).toBe((ex.response!.json as any).secret);
    });
  });
});
