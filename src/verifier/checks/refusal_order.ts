/**
 * refusal_order: the documented order of an operation's refusals (the key, then the body, then
 * the role and the endpoint), derived from OPERATION_REFUSALS: for every two refusals an operation
 * can give that answer differently and can be provoked in the same request, one probe provokes
 * both and must get the earlier one.
 */
import { OPERATION_REFUSALS, type RefusalKind, describeRefusal as said } from '../../../core/refusals';
import type { Check } from '../check';
import type { CheckContext } from '../context';
import { evidence, type Outcome, refusalMismatch, verdict } from '../judge/evidence';
import { operationRequests, type RequestChoice } from '../requests';
import type { Exchange } from '../types';

/** How a request provokes a refusal: one setting per part of the request. */
export interface Provocation extends RequestChoice {
  key?: 'none' | 'member';
}

/** How the verifier provokes each refusal it can. */
export const PROVOKE: Partial<Record<RefusalKind, Provocation>> = {
  unauthenticated: { key: 'none' },
  invalid_input: { body: 'invalid' },
  forbidden: { key: 'member' },
  endpoint_not_found: { endpoint: 'unknown' },
};

/** The check that owns each refusal on its own: an order probe's failure follows from that check's. */
export const REFUSAL_CHECK: Partial<Record<RefusalKind, string>> = {
  unauthenticated: 'auth_required',
  invalid_input: 'create_validation',
  forbidden: 'role_enforced',
  endpoint_not_found: 'unknown_endpoint',
};

/** A create body that breaks the schema in one field. */
export const INVALID_CREATE_BODY = { url: 'not a uri' };

export interface OrderProbe {
  operationId: string;
  /** The refusal the operation checks first: the expected answer. */
  first: RefusalKind;
  second: RefusalKind;
  provocation: Provocation;
}

/** Sends one order probe: the parts it does not provoke are those of a request that would succeed. */
async function sendOrderProbe(ctx: CheckContext, probe: OrderProbe): Promise<Exchange> {
  const { key, ...choice } = probe.provocation;
  const apiKey = key === 'none' ? undefined : key === 'member' ? ctx.keys.member : ctx.keys.admin;
  const parts = operationRequests(probe.operationId).probe(choice, {
    validBody: { url: ctx.endpointUrl('x') },
    invalidBody: INVALID_CREATE_BODY,
    endpointId: ctx.endpoint('auth').id,
    unknownEndpointId: ctx.unknownId(),
  });
  return ctx.send(
    `refusal_order: ${probe.first} before ${probe.second}`,
    probe.operationId,
    parts,
    apiKey,
    probe.first,
  );
}

export const refusalOrder: Check = {
  name: 'refusal_order',
  description:
    'A request that breaks two rules gets the refusal checked first: the key, then the body, then the role ' +
    'and the endpoint (e.g. no key and a bad body: 401; a member key and a bad body: 400).',
  phase: 'probe',
  endpoints: ['auth'],
  after: ['auth_required', 'create_validation', 'role_enforced', 'unknown_endpoint'],
  covers: [
    {
      quote:
        'Checks run in this order: authentication (401), then the body (400), then the role and the endpoint (500).',
      source: 'README',
      variant: 'body-checked-before-key',
    },
    {
      quote:
        'Checks run in this order: authentication (401), then the body (400), then the role and the endpoint (500).',
      source: 'README',
      variant: 'role-checked-before-body',
    },
    {
      quote:
        'Checks run in this order: authentication (401), then the body (400), then the role and the endpoint (500).',
      source: 'README',
      variant: 'endpoint-checked-before-key',
    },
  ],
  async run(ctx) {
    const results = [];
    for (const probe of orderProbes()) results.push({ probe, exchange: await sendOrderProbe(ctx, probe) });
    return judgeRefusalOrder(results);
  },
};

/** Every probe the table calls for, in table order (`provoke`: how each refusal is provoked). */
export function orderProbes(
  table: Readonly<Record<string, readonly RefusalKind[]>> = OPERATION_REFUSALS,
  provoke: Partial<Record<RefusalKind, Provocation>> = PROVOKE,
): OrderProbe[] {
  const out: OrderProbe[] = [];
  for (const [operationId, kinds] of Object.entries(table)) {
    kinds.forEach((first, i) => {
      for (const second of kinds.slice(i + 1)) {
        const a = provoke[first];
        const b = provoke[second];
        if (!a || !b) continue;
        // The same status and code: which came first cannot be seen.
        if (said(first) === said(second)) continue;
        // Both need the same part of the request (say, two keys): they cannot meet in one request.
        if (Object.keys(a).some((part) => part in b)) continue;
        out.push({ operationId, first, second, provocation: { ...a, ...b } });
      }
    });
  }
  return out;
}

const PART_TEXT = {
  key: { none: 'no key', member: 'a member key' },
  body: { invalid: 'an invalid body' },
  endpoint: { unknown: 'an unknown endpoint id' },
} as const;

/** `createWebhookEndpoint with no key and an invalid body` */
export function describeProbe(p: OrderProbe): string {
  const parts = (Object.keys(p.provocation) as (keyof Provocation)[]).map(
    (part) => (PART_TEXT[part] as Record<string, string>)[p.provocation[part]!],
  );
  return `${p.operationId} with ${parts.join(' and ')}`;
}

export function judgeRefusalOrder(results: { probe: OrderProbe; exchange: Exchange }[]): Outcome {
  const bad = results.flatMap(({ probe, exchange }) => {
    const why = refusalMismatch(exchange, probe.first);
    if (!why) return [];
    const owner = REFUSAL_CHECK[probe.first];
    return [
      evidence(
        exchange,
        `${describeProbe(probe)}: ${why} (${probe.first} is checked before ${probe.second})`,
        owner ? [owner] : undefined,
      ),
    ];
  });
  return verdict(
    bad,
    `${results.length} requests provoking two refusals each got the one checked first ` +
      `(${results.map((r) => said(r.probe.first)).join(', ')})`,
  );
}
