/** Authentication, roles and tenant isolation, from the rotate and create pages and /error-handling. */
import { randomBytes } from 'node:crypto';
import type { RunContext, RunEndpoint } from '../context';
import { verifiesWith } from '../context';
import type { Evidence } from '../types';
import { describeRefusal as said } from '../../core/refusals';
import { type Check, collect, evidence, failWith, pass, randomUnknownId, refusalMismatch, skip, withoutRequestId } from './util';

const primary = (ctx: RunContext) => ctx.endpoints.get('a');

/** Proves through a delivery that an endpoint's secret is still the last one issued. */
async function secretUnchanged(ctx: RunContext, endpoint: RunEndpoint, why: string): Promise<Evidence | undefined> {
  const { delivery, error } = await ctx.deliver(endpoint, endpoint.eventTypes[0] ?? 'kyc.result.approved');
  if (!delivery) return { message: `could not prove the secret unchanged after ${why}: ${error}` };
  if (!verifiesWith(endpoint.secret, delivery)) {
    return {
      message: `after ${why}, a delivery to endpoint "${endpoint.tag}" no longer verifies with the last secret the API issued: the secret changed`,
      delivery: { tag: delivery.tag, webhookId: delivery.headers['webhook-id'], receivedAt: new Date(delivery.receivedAt).toISOString() },
    };
  }
  return undefined;
}

export const authRequired: Check = {
  name: 'auth_required',
  description: `No key, an empty key and an unknown key each get ${said('unauthenticated')} (rotate and create).`,
  async run(ctx) {
    const a = primary(ctx);
    if (!a) return failWith([{ message: 'set-up failed: no endpoint to rotate (create with the admin key did not succeed)' }]);
    const unknown = `secret_live_${randomBytes(24).toString('base64url')}`;
    const probes = [
      await ctx.rotate('auth_required: rotate without a key', a.id, undefined),
      await ctx.rotate('auth_required: rotate with an empty key', a.id, ''),
      await ctx.rotate('auth_required: rotate with an unknown key', a.id, unknown),
      await ctx.rotate('auth_required: rotate with a malformed key', a.id, 'not-an-api-key'),
      await ctx.create('auth_required: create without a key', { url: ctx.endpointUrl('x') }, undefined),
      await ctx.create('auth_required: create with an empty key', { url: ctx.endpointUrl('x') }, ''),
      await ctx.create('auth_required: create with an unknown key', { url: ctx.endpointUrl('x') }, unknown),
      await ctx.create('auth_required: create with a malformed key', { url: ctx.endpointUrl('x') }, 'not-an-api-key'),
    ];
    const bad = collect(probes.map((ex) => [ex, refusalMismatch(ex, 'unauthenticated')]));
    return bad.length ? failWith(bad) : pass(`${probes.length} unauthenticated requests got ${said('unauthenticated')}`);
  },
};

export const roleEnforced: Check = {
  name: 'role_enforced',
  description: `A member key gets ${said('forbidden')} on rotate and create, and the secret does not change.`,
  async run(ctx) {
    const a = primary(ctx);
    if (!a) return failWith([{ message: 'set-up failed: no endpoint to rotate' }]);
    const rotate = await ctx.rotate('role_enforced: rotate with a member key', a.id, ctx.keys.member);
    const create = await ctx.create('role_enforced: create with a member key', { url: ctx.endpointUrl('x') }, ctx.keys.member);
    const bad = collect([
      [rotate, refusalMismatch(rotate, 'forbidden')],
      [create, refusalMismatch(create, 'forbidden')],
    ]);
    if (!ctx.canDeliver) {
      return bad.length ? failWith(bad) : pass('member refused on rotate and create (secret unchanged not proven: no trigger)');
    }
    const changed = await secretUnchanged(ctx, a, 'a member tried to rotate');
    if (changed) bad.push(changed);
    return bad.length ? failWith(bad) : pass('member refused on rotate and create; a delivery proves the secret unchanged');
  },
};

export const unknownEndpoint: Check = {
  name: 'unknown_endpoint',
  description: `Rotating an unknown or malformed endpoint id gets ${said('endpoint_not_found')}.`,
  async run(ctx) {
    const probes = [
      await ctx.rotate('unknown_endpoint: rotate an unknown id', randomUnknownId(ctx), ctx.keys.admin),
      await ctx.rotate('unknown_endpoint: rotate a malformed id', 'not-an-endpoint-id', ctx.keys.admin),
    ];
    const bad = collect(probes.map((ex) => [ex, refusalMismatch(ex, 'endpoint_not_found')]));
    return bad.length ? failWith(bad) : pass(`unknown and malformed ids got ${said('endpoint_not_found')}`);
  },
};

export const notFoundIndistinguishable: Check = {
  name: 'not_found_indistinguishable',
  description: "Another organization's endpoint gets exactly the answer an unknown id gets (status and body, apart from requestId).",
  async run(ctx) {
    if (!ctx.keys.otherOrg) return skip('needs a key of another organization (--other-org-key)');
    const a = primary(ctx);
    const b = ctx.endpoints.get('b');
    if (!a || !b) return failWith([{ message: `set-up failed: could not create an endpoint in ${a ? 'the other' : 'the primary'} organization` }]);
    const unknown = randomUnknownId(ctx);
    const pairs = [
      [
        await ctx.rotate("not_found_indistinguishable: admin rotates the other organization's endpoint", b.id, ctx.keys.admin),
        await ctx.rotate('not_found_indistinguishable: admin rotates an unknown id', unknown, ctx.keys.admin),
      ],
      [
        await ctx.rotate("not_found_indistinguishable: the other organization's key rotates ours", a.id, ctx.keys.otherOrg),
        await ctx.rotate("not_found_indistinguishable: the other organization's key rotates an unknown id", unknown, ctx.keys.otherOrg),
      ],
    ];
    const bad: Evidence[] = [];
    for (const [foreign, missing] of pairs) {
      const why = refusalMismatch(foreign, 'endpoint_not_found');
      if (why) bad.push(evidence(foreign, `a foreign endpoint: ${why}`));
      if (foreign.response?.status !== missing.response?.status) {
        bad.push(evidence(foreign, `status ${foreign.response?.status} differs from the unknown id's ${missing.response?.status} (#${missing.seq})`));
      } else if (withoutRequestId(foreign) !== withoutRequestId(missing)) {
        bad.push(evidence(foreign, `the body differs from the unknown id's (#${missing.seq}): it tells which ids exist elsewhere`));
      }
    }
    if (ctx.canDeliver) {
      for (const [e, why] of [
        [b, "the primary organization's admin tried to rotate it"],
        [a, "the other organization's key tried to rotate it"],
      ] as const) {
        const changed = await secretUnchanged(ctx, e, why);
        if (changed) bad.push(changed);
      }
    }
    return bad.length ? failWith(bad) : pass('foreign and unknown ids get identical answers' + (ctx.canDeliver ? '; deliveries prove both secrets unchanged' : ''));
  },
};

export const createValidation: Check = {
  name: 'create_validation',
  description: `A bad create body gets ${said('invalid_input')} with a details item naming each failing field.`,
  async run(ctx) {
    const url = ctx.endpointUrl('x');
    const cases: [string, unknown, string][] = [
      ['no url', { name: 'x' }, 'url'],
      ['a url that is not a URI', { url: 'not a uri' }, 'url'],
      ['a name over 120 characters', { url, name: 'n'.repeat(121) }, 'name'],
      ['an unknown event type', { url, event_types: ['not.an.event'] }, 'event_types'],
      ['empty event_types', { url, event_types: [] }, 'event_types'],
      ['malformed JSON', '{"url": ', ''],
    ];
    const bad: Evidence[] = [];
    for (const [what, body, field] of cases) {
      const ex = await ctx.create(`create_validation: ${what}`, body, ctx.keys.admin);
      const why = refusalMismatch(ex, 'invalid_input');
      if (why) {
        bad.push(evidence(ex, `${what}: ${why}`));
        continue;
      }
      const details = (ex.response!.json as any).error.details;
      const named = Array.isArray(details) && details.some((d: any) => typeof d?.field === 'string' && (field === '' ? d.field === '' : d.field === field || d.field.startsWith(`${field}[`) || d.field.startsWith(`${field}.`)));
      if (!named) bad.push(evidence(ex, `${what}: no details item names ${field === '' ? 'the body (field "")' : `"${field}"`}`));
    }
    return bad.length ? failWith(bad) : pass(`${cases.length} bad bodies got ${said('invalid_input')} naming the field`);
  },
};
