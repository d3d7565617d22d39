/**
 * created_endpoint: a created endpoint is what was asked for, with the documented defaults (the
 * create page, openapi.json's webhookEndpoint and the project's decisions). A review: it judges
 * every create of the run that was sent to succeed, the set-up's included.
 */
import { ENDPOINT_ID_RE, EVENT_TYPES } from '../../../core/inklink';
import { jsonOrUndefined } from '../../../core/json';
import type { Check } from '../check';
import { PROBE_TYPE } from '../setup';
import { answerJson, evidence, failWith, isJsonObject, isSuccess, type Outcome, verdict } from '../judge/evidence';
import type { Evidence, Exchange } from '../types';

export const createdEndpoint: Check = {
  name: 'created_endpoint',
  description:
    'Every endpoint created is what was asked for: a wh_end_ id of its own, the url and name sent (name null ' +
    'when none), enabled as sent (default true, and delivered to), the event types sent (default every type), ' +
    'created_at now.',
  phase: 'review',
  // It judges the set-up's endpoints too: those created with the defaults, disabled, or subscribed to one type.
  endpoints: ['wide', 'off', 'narrow'],
  reads: ['issued'],
  covers: [
    {
      quote: 'defaults to true (field name inferred from the rendered page)',
      source: 'api §2.2',
      variant: 'answer-enabled-default-false',
    },
    {
      quote: 'Whether the endpoint receives deliveries. Defaults to true.',
      source: 'openapi.json',
      variant: 'enabled-default-false-hidden',
    },
    {
      quote: '`enabled` defaults to true, `event_types` to all ten',
      source: 'README',
      variant: 'answer-event-types-default-partial',
    },
    {
      quote:
        'The endpoint object is `{id, url, name, enabled, event_types, created_at}` (`name` nullable, `created_at` ' +
        'ISO 8601).',
      source: 'api §2.2',
      variant: 'answer-name-not-null',
    },
    { quote: '`id` is `wh_end_…`', source: 'api §2.2', variant: 'endpoint-id-unprefixed' },
    {
      quote: 'endpoint `wh_end_…`, event `wh_evt_…`, secret `whsec_…`, key `secret_live_…`',
      source: 'api §1',
      variant: 'endpoint-id-unprefixed',
    },
  ],
  async run(ctx) {
    // One endpoint with every field set and one with the url only, beside those of the set-up.
    const all = {
      url: ctx.endpointUrl('x'),
      name: `inklink-mock verify ${ctx.runId} created`,
      enabled: false,
      event_types: EVENT_TYPES.slice(0, 2),
    };
    await ctx.create('created_endpoint: create with every field set', all, ctx.keys.admin, 'success');
    const urlOnly = await ctx.create(
      'created_endpoint: create with the url only',
      { url: ctx.endpointUrl(URL_ONLY_TAG) },
      ctx.keys.admin,
      'success',
    );
    // Enabled by default means delivered to: an event for it must arrive (when the run can deliver).
    let defaultDelivery: DefaultDelivery | undefined;
    const id = answerJson(urlOnly)?.id;
    if (ctx.canDeliver && isSuccess(urlOnly) && typeof id === 'string') {
      const endpoint = { tag: URL_ONLY_TAG, id, eventTypes: EVENT_TYPES, enabled: true, secret: undefined };
      const got = await ctx.deliver(
        { ...endpoint, secretSince: urlOnly.startedAt, organization: 'primary' },
        PROBE_TYPE,
      );
      defaultDelivery = { exchange: urlOnly, delivered: got.delivery !== undefined, error: got.error };
    }
    // Creates that should have been refused but succeeded are the findings of the checks that sent them.
    return judgeCreatedEndpoints(
      ctx.run.issued.filter((i) => i.expected).map((i) => i.exchange),
      defaultDelivery,
    );
  },
};

/** The receiver path of the endpoint created with the url only, which an event is sent to. */
const URL_ONLY_TAG = 'created-default';

/** Whether an event for the endpoint created with the url only arrived. */
export interface DefaultDelivery {
  exchange: Exchange;
  delivered: boolean;
  error?: string;
}

/** How far created_at may be from when the verifier sent the request (clocks differ). */
export const CREATED_AT_TOLERANCE_MS = 5 * 60_000;

const sortedSet = (xs: readonly unknown[]) => JSON.stringify([...new Set(xs.map(String))].sort());

/** Everything a successful create's answer gets wrong about the endpoint it was asked for. */
export function createdEndpointProblems(ex: Exchange): string[] {
  const sent = jsonOrUndefined(ex.request.body ?? '');
  const got = ex.response?.json;
  if (!isJsonObject(sent) || !isJsonObject(got)) return [];
  const p: string[] = [];
  if (typeof got.id === 'string' && !ENDPOINT_ID_RE.test(got.id))
    p.push(`id ${JSON.stringify(got.id)} is not a wh_end_… id`);
  if ('url' in got && got.url !== sent.url) p.push('url is not the url sent');
  const name = typeof sent.name === 'string' ? sent.name : null;
  if ('name' in got && got.name !== name)
    p.push(name === null ? 'name is not null though none was sent' : 'name is not the name sent');
  const enabled = typeof sent.enabled === 'boolean' ? sent.enabled : true;
  if ('enabled' in got && got.enabled !== enabled)
    p.push(
      `enabled is ${JSON.stringify(got.enabled)}, ` +
        `expected ${enabled}${typeof sent.enabled === 'boolean' ? '' : ' (the default)'}`,
    );
  if (Array.isArray(got.event_types)) {
    const asked: unknown[] | undefined = Array.isArray(sent.event_types) ? sent.event_types : undefined;
    if (sortedSet(got.event_types) !== sortedSet(asked ?? EVENT_TYPES)) {
      p.push(
        asked
          ? 'event_types are not the types sent'
          : `event_types are not every type (the default): got ${got.event_types.length} of ${EVENT_TYPES.length}`,
      );
    }
  }
  const at = typeof got.created_at === 'string' ? Date.parse(got.created_at) : NaN;
  if (!Number.isNaN(at) && Math.abs(at - ex.startedAt) > CREATED_AT_TOLERANCE_MS)
    p.push(`created_at ${got.created_at} is not the time of creation`);
  return p;
}

/**
 * Judges the successful creates among `exchanges` (those sent to succeed): each answer reflects its
 * request, and ids are distinct.
 */
export function judgeCreatedEndpoints(exchanges: Exchange[], defaultDelivery?: DefaultDelivery): Outcome {
  const creates = exchanges.filter((ex) => ex.operationId === 'createWebhookEndpoint' && isSuccess(ex));
  const bad: Evidence[] = [];
  const ids = new Map<string, Exchange>();
  for (const ex of creates) {
    for (const problem of createdEndpointProblems(ex)) bad.push(evidence(ex, problem));
    const id = answerJson(ex)?.id;
    if (typeof id !== 'string') continue;
    const earlier = ids.get(id);
    if (earlier) bad.push(evidence(ex, `the same id as the endpoint created by #${earlier.seq}`));
    else ids.set(id, ex);
  }
  if (defaultDelivery && !defaultDelivery.delivered)
    bad.push(
      evidence(
        defaultDelivery.exchange,
        `an endpoint created with the url only (enabled by default) received no delivery: ${defaultDelivery.error}`,
      ),
    );
  if (creates.length === 0)
    return failWith([{ message: 'no create succeeded: there is no created endpoint to judge' }]);
  return verdict(bad, `${creates.length} created endpoints are what was asked for, with the documented defaults`);
}
