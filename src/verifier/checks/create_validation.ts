/**
 * create_validation: a bad create body gets one `details` item per failing field, naming each (the
 * create page, openapi.json's webhookEndpoint).
 */
import { describeRefusal as said } from '../../../core/refusals';
import type { Check } from '../check';
import { answerJson, evidence, type Outcome, refusalMismatch, verdict } from '../judge/evidence';
import type { Evidence, Exchange } from '../types';

export const createValidation: Check = {
  name: 'create_validation',
  description: `A bad create body gets ${said('invalid_input')} with one details item per failing field, naming each.`,
  phase: 'probe',
  covers: [
    {
      quote: 'Body validation failures are 400 `VALIDATION_ERROR` with one `details` item per failing field.',
      source: 'api §2.2',
      variant: 'details-collapsed',
    },
    {
      quote: 'Invalid request body (`VALIDATION_ERROR`); one `details` item per failing field.',
      source: 'openapi.json',
      variant: 'details-collapsed',
    },
    {
      quote: '`details` items are `{field, message}`, root-level messages use `field: ""`',
      source: 'api §1',
      variant: 'root-problem-not-blank-field',
    },
    {
      quote: 'Failing field; an empty string for a root-level message.',
      source: 'openapi.json',
      variant: 'root-problem-not-blank-field',
    },
    {
      quote: 'Registers an HTTPS URL that receives webhook deliveries (HTTP is allowed only in development).',
      source: 'openapi.json',
      variant: 'create-url-unchecked',
    },
    { quote: 'string, `format: uri`', source: 'api §2.2', variant: 'create-url-unchecked' },
    { quote: 'string, `maxLength: 120`', source: 'api §2.2', variant: 'create-fields-unchecked' },
    { quote: 'array of the event types below, at least 1', source: 'api §2.2', variant: 'create-fields-unchecked' },
    { quote: '`VALIDATION_ERROR` 400', source: 'api §1', variant: 'error-code-not-documented' },
  ],
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
