/**
 * Creating endpoints (the create page, openapi.json's webhookEndpoint and the project's decisions):
 * bad bodies get one `details` item per failing field; a created endpoint is what was asked for,
 * with the documented defaults.
 */
import { ENDPOINT_ID_RE, EVENT_TYPES } from '../../../core/inklink';
import { jsonOrUndefined } from '../../../core/json';
import { describeRefusal as said } from '../../../core/refusals';
import type { Evidence, Exchange } from '../types';
import {
  answerJson,
  evidence,
  failWith,
  isJsonObject,
  isSuccess,
  type Outcome,
  refusalMismatch,
  verdict,
} from './util';

export interface ValidationCase {
  what: string;
  /** The fields that must each be named by a details item (`""`: the body as a whole). */
  fields: string[];
  exchange: Exchange;
}

const names = (detailField: string, field: string) =>
  field === ''
    ? detailField === ''
    : detailField === field || detailField.startsWith(`${field}[`) || detailField.startsWith(`${field}.`);

export function judgeCreateValidation(cases: ValidationCase[]): Outcome {
  const bad: Evidence[] = [];
  for (const { what, fields, exchange } of cases) {
    const why = refusalMismatch(exchange, 'invalid_input');
    if (why) {
      bad.push(evidence(exchange, `${what}: ${why}`));
      continue;
    }
    const details: unknown = answerJson(exchange)!.error!.details;
    const items = Array.isArray(details)
      ? details.filter((d): d is { field: string } => typeof d?.field === 'string')
      : [];
    for (const field of fields) {
      if (!items.some((d) => names(d.field, field)))
        bad.push(
          evidence(exchange, `${what}: no details item names ${field === '' ? 'the body (field "")' : `"${field}"`}`),
        );
    }
    const counts = new Map<string, number>();
    for (const d of items) counts.set(d.field, (counts.get(d.field) ?? 0) + 1);
    for (const [field, n] of counts)
      if (n > 1) bad.push(evidence(exchange, `${what}: ${n} details items for "${field}", not one per failing field`));
  }
  return verdict(bad, `${cases.length} bad bodies got ${said('invalid_input')} naming each failing field once`);
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
export function judgeCreatedEndpoints(exchanges: Exchange[]): Outcome {
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
  if (creates.length === 0)
    return failWith([{ message: 'no create succeeded: there is no created endpoint to judge' }]);
  return verdict(bad, `${creates.length} created endpoints are what was asked for, with the documented defaults`);
}
