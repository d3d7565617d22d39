/**
 * What the access checks provoke: requests with every kind of key, to endpoints of the run, unknown
 * ones and another organization's, and the deliveries that prove a refused request changed nothing.
 * The judgements are src/verifier/checks/access.ts, order.ts and create.ts.
 */
import { randomBytes } from 'node:crypto';
import { describeRefusal as said } from '../../../core/refusals';
import type { Check } from '../check';
import {
  judgeAuthRequired,
  judgeIsolation,
  judgePrivilegedRoles,
  judgeRoleEnforced,
  judgeUnknownEndpoint,
  type DeliveryProof,
} from '../checks/access';
import { judgeCreateValidation, type ValidationCase } from '../checks/create';
import { judgeRefusalOrder, orderProbes, type OrderProbe } from '../checks/order';
import { answerJson } from '../checks/util';
import type { RunContext, RunEndpoint } from '../context';
import type { EndpointTag } from '../setup';
import type { Exchange } from '../types';

const endpoint = (ctx: RunContext, tag: EndpointTag): RunEndpoint => ctx.endpoints.get(tag)!;

/** After a refused request: one delivery, to be verified with the secret the run knows. */
async function proof(ctx: RunContext, e: RunEndpoint, why: string): Promise<DeliveryProof> {
  const { delivery, error } = await ctx.deliver(e, e.eventTypes[0]);
  return {
    tag: e.tag,
    why,
    secret: e.secret,
    delivery,
    error,
    since: e.secretSince,
    otherRotations: ctx.rotationsOtherThan(e.id),
  };
}

/** A create body that breaks the schema in one field. */
export const INVALID_CREATE_BODY = { url: 'not a uri' };

export const authRequired: Check = {
  name: 'auth_required',
  description:
    `No key, an empty key, an unknown and a malformed key each get ${said('unauthenticated')} ` +
    '(rotate and create).',
  phase: 'probe',
  endpoints: ['auth'],
  async run(ctx) {
    const a = endpoint(ctx, 'auth');
    const unknown = `secret_live_${randomBytes(24).toString('base64url')}`;
    const probes: Exchange[] = [];
    for (const [what, key] of [
      ['without a key', undefined],
      ['with an empty key', ''],
      ['with an unknown key', unknown],
      ['with a malformed key', 'not-an-api-key'],
    ] as const) {
      probes.push(await ctx.rotate(`auth_required: rotate ${what}`, a.id, key, 'unauthenticated'));
      probes.push(
        await ctx.create(`auth_required: create ${what}`, { url: ctx.endpointUrl('x') }, key, 'unauthenticated'),
      );
    }
    return judgeAuthRequired(probes);
  },
};

export const roleEnforced: Check = {
  name: 'role_enforced',
  description:
    `A member key gets ${said('forbidden')} on rotate and create, and (with a trigger) a delivery ` +
    'proves the secret did not change.',
  phase: 'deliver',
  endpoints: ['role'],
  after: ['delivery_signature', 'rotation_scoped'],
  async run(ctx) {
    const r = endpoint(ctx, 'role');
    const rotate = await ctx.rotate('role_enforced: rotate with a member key', r.id, ctx.keys.member, 'forbidden');
    const create = await ctx.create(
      'role_enforced: create with a member key',
      { url: ctx.endpointUrl('x') },
      ctx.keys.member,
      'forbidden',
    );
    return judgeRoleEnforced({
      rotate,
      create,
      proof: ctx.canDeliver ? await proof(ctx, r, 'a member tried to rotate') : undefined,
    });
  },
};

export const privilegedRoles: Check = {
  name: 'privileged_roles',
  description:
    'An owner key and an admin key of the organization may each create an endpoint and rotate its secret (200).',
  phase: 'probe',
  requires: ['ownerKey'],
  async run(ctx) {
    const owner = ctx.keys.owner!;
    const created = await ctx.create(
      'privileged_roles: create with the owner key',
      { url: ctx.endpointUrl('x'), name: `inklink-mock verify ${ctx.runId} owner` },
      owner,
      'success',
    );
    const requests = [{ what: 'create with the owner key', exchange: created }];
    const id = answerJson(created)?.id;
    if (typeof id === 'string') {
      requests.push({
        what: 'rotate with the owner key',
        exchange: await ctx.rotate('privileged_roles: rotate with the owner key', id, owner, 'success'),
      });
      requests.push({
        what: 'rotate with the admin key',
        exchange: await ctx.rotate('privileged_roles: rotate with the admin key', id, ctx.keys.admin, 'success'),
      });
    }
    return judgePrivilegedRoles(requests);
  },
};

export const unknownEndpoint: Check = {
  name: 'unknown_endpoint',
  description: `Rotating an unknown or a malformed endpoint id gets ${said('endpoint_not_found')}.`,
  phase: 'probe',
  async run(ctx) {
    return judgeUnknownEndpoint([
      await ctx.rotate('unknown_endpoint: rotate an unknown id', ctx.unknownId(), ctx.keys.admin, 'endpoint_not_found'),
      await ctx.rotate(
        'unknown_endpoint: rotate a malformed id',
        'not-an-endpoint-id',
        ctx.keys.admin,
        'endpoint_not_found',
      ),
    ]);
  },
};

export const notFoundIndistinguishable: Check = {
  name: 'not_found_indistinguishable',
  description:
    "Another organization's endpoint gets exactly the answer an unknown id gets (status and body, apart from " +
    'requestId), both ways; with a trigger, deliveries prove neither secret changed.',
  phase: 'deliver',
  requires: ['otherOrgKey'],
  endpoints: ['iso', 'foreign'],
  after: ['delivery_signature', 'rotation_scoped'],
  async run(ctx) {
    const ours = endpoint(ctx, 'iso');
    const theirs = endpoint(ctx, 'foreign');
    const unknown = ctx.unknownId();
    const p = 'not_found_indistinguishable';
    const pairs: [Exchange, Exchange][] = [
      [
        await ctx.rotate(
          `${p}: admin rotates the other organization's endpoint`,
          theirs.id,
          ctx.keys.admin,
          'endpoint_not_found',
        ),
        await ctx.rotate(`${p}: admin rotates an unknown id`, unknown, ctx.keys.admin, 'endpoint_not_found'),
      ],
      [
        await ctx.rotate(
          `${p}: the other organization's key rotates ours`,
          ours.id,
          ctx.keys.otherOrg,
          'endpoint_not_found',
        ),
        await ctx.rotate(
          `${p}: the other organization's key rotates an unknown id`,
          unknown,
          ctx.keys.otherOrg,
          'endpoint_not_found',
        ),
      ],
    ];
    const proofs = ctx.canDeliver
      ? await Promise.all([
          proof(ctx, theirs, "the primary organization's admin tried to rotate it"),
          proof(ctx, ours, "the other organization's key tried to rotate it"),
        ])
      : undefined;
    return judgeIsolation({ pairs, proofs });
  },
};

/** Sends one order probe: the parts it does not provoke are those of a request that would succeed. */
async function sendOrderProbe(ctx: RunContext, probe: OrderProbe): Promise<Exchange> {
  const { key, body, endpoint: id } = probe.provocation;
  const apiKey = key === 'none' ? undefined : key === 'member' ? ctx.keys.member : ctx.keys.admin;
  const purpose = `refusal_order: ${probe.first} before ${probe.second}`;
  if (probe.operationId === 'createWebhookEndpoint') {
    return ctx.create(
      purpose,
      body === 'invalid' ? INVALID_CREATE_BODY : { url: ctx.endpointUrl('x') },
      apiKey,
      probe.first,
    );
  }
  return ctx.rotate(purpose, id === 'unknown' ? ctx.unknownId() : endpoint(ctx, 'auth').id, apiKey, probe.first);
}

export const refusalOrder: Check = {
  name: 'refusal_order',
  description:
    'A request that breaks two rules gets the refusal checked first: the key, then the body, then the role ' +
    'and the endpoint (e.g. no key and a bad body: 401; a member key and a bad body: 400).',
  phase: 'probe',
  endpoints: ['auth'],
  after: ['auth_required', 'create_validation', 'role_enforced', 'unknown_endpoint'],
  async run(ctx) {
    const results = [];
    for (const probe of orderProbes()) results.push({ probe, exchange: await sendOrderProbe(ctx, probe) });
    return judgeRefusalOrder(results);
  },
};

export const createValidation: Check = {
  name: 'create_validation',
  description: `A bad create body gets ${said('invalid_input')} with one details item per failing field, naming each.`,
  phase: 'probe',
  async run(ctx) {
    const url = ctx.endpointUrl('x');
    const cases: [string, unknown, string[]][] = [
      ['no url', { name: 'x' }, ['url']],
      ['a url that is not a URI', { url: 'not a uri' }, ['url']],
      ['a url that is not http(s)', { url: 'ftp://example.com/hooks' }, ['url']],
      ['a name over 120 characters', { url, name: 'n'.repeat(121) }, ['name']],
      ['a name that is not a string', { url, name: 5 }, ['name']],
      ['enabled that is not a boolean', { url, enabled: 'yes' }, ['enabled']],
      ['an unknown event type', { url, event_types: ['not.an.event'] }, ['event_types']],
      ['empty event_types', { url, event_types: [] }, ['event_types']],
      ['two failing fields', { url: 'not a uri', name: 'n'.repeat(121) }, ['url', 'name']],
      ['malformed JSON', '{"url": ', ['']],
    ];
    const results: ValidationCase[] = [];
    for (const [what, body, fields] of cases) {
      results.push({
        what,
        fields,
        exchange: await ctx.create(`create_validation: ${what}`, body, ctx.keys.admin, 'invalid_input'),
      });
    }
    return judgeCreateValidation(results);
  },
};
