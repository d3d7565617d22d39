/**
 * `inklink-mock trigger TYPE`: makes a running mock deliver an event (`POST /__mock/events`), to
 * one endpoint (the first endpoint of the first organization, the banner's first, unless
 * `--endpoint` names another; `--all` for every enabled endpoint subscribed to the type), with
 * `--set` overrides of the payload's data. The body is checked against the control API's own
 * schema (mock/control-spec.ts, the one the mock validates it with) before anything is sent: a bad
 * override is a usage error and sends nothing. Then it says what went where.
 */
import { EVENT_TYPES, exampleEventData } from '../../core/inklink';
import { createValidator, describePath } from '../../core/validator';
import { getControlSpec } from '../../mock/control-spec';
import { randomAlphanumeric } from '../../mock/domain/ids';
import { controlClient, MockError, MOCK_URL_OPTION } from './mock-client';
import {
  CONTROL_TOKEN_ENV,
  helpText,
  nearest,
  parseOptions,
  UsageError,
  type CommandHelp,
  type OptionSpec,
} from './options';

export const TRIGGER_OPTIONS: OptionSpec[] = [
  MOCK_URL_OPTION,
  {
    name: 'endpoint',
    type: 'string',
    valueName: 'ID',
    description:
      "The endpoint to deliver to (wh_end_…); without it, the first organization's first endpoint " +
      "(the banner's first).",
  },
  {
    name: 'all',
    type: 'boolean',
    description:
      'Deliver to every enabled endpoint subscribed to TYPE, of every organization, each with its own secret.',
  },
  {
    name: 'set',
    type: 'string',
    multiple: true,
    valueName: 'PATH=VALUE',
    description:
      "Set a field of the payload's data: data.subject_id=user_9 (a string), data.score:=0.9 (JSON); repeatable.",
  },
  { name: 'json', type: 'boolean', description: "Print the mock's answer as JSON (event id, deliveries, skipped)." },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const TRIGGER_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock trigger [options] TYPE',
  about:
    `Makes a running mock deliver an event of TYPE now, one of:\n${wrap(EVENT_TYPES.join(', '), '  ')}\n` +
    "signed with the endpoint's secret, and prints where each delivery goes. It goes to one endpoint: --endpoint,\n" +
    "or the first organization's first endpoint; --all sends it to every enabled endpoint subscribed to\n" +
    'TYPE, in every organization (one delivery each, one webhook-id, each signed with its own secret).\n' +
    "--set overrides are checked against the control API's schema before anything is sent. The control\n" +
    `token, when the mock has one, comes from ${CONTROL_TOKEN_ENV}.\n` +
    'Exit status: 0 when at least one delivery is scheduled, 1 when none is (the endpoint is disabled or\n' +
    'not subscribed) or the mock refused or cannot be reached, 2 on a usage error (a bad --set included).',
  examples: [
    ['inklink-mock trigger kyc.result.approved', "the banner's first endpoint receives a kyc.result.approved event"],
    [
      'inklink-mock trigger web.result.failed --endpoint wh_end_CZ8wSJHHmiOORUvvNEHNTkn5 --set data.subject_id=user_9',
      "the first organization's second endpoint, with this subject_id",
    ],
    ['inklink-mock trigger kyc.result.pending --all --json', 'to every subscribed endpoint; the answer as JSON'],
  ],
};

/** `text` in lines of at most 100 characters, each after `indent`. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + word.length < 100 - indent.length) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.map((l) => indent + l).join('\n');
}

/** Names a path may not use: they would reach an object's prototype, not a field. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

interface Override {
  path: string[];
  value: unknown;
}

/** `data.subject_id=user_9` (a string) or `data.score:=0.9` (JSON). */
function parseOverride(raw: string): Override {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${raw}: write PATH=VALUE (e.g. data.subject_id=user_9)`);
  const json = raw[eq - 1] === ':';
  const pathText = raw.slice(0, json ? eq - 1 : eq);
  const text = raw.slice(eq + 1);
  const path = pathText.split('.');
  if (path.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s)))
    throw new UsageError(`--set ${raw}: ${JSON.stringify(pathText)} is not a path (data.FIELD, dot-separated)`);
  if (path[0] !== 'data') {
    const why =
      path[0] === 'type'
        ? 'the type is the TYPE argument'
        : path[0] === 'timestamp'
          ? 'the mock stamps each event with the time it is emitted'
          : `the payload is {type, timestamp, data}: only data's fields can be set (data.${pathText})`;
    throw new UsageError(`--set ${raw}: ${why}`);
  }
  if (!json) return { path, value: text };
  try {
    return { path, value: JSON.parse(text) };
  } catch {
    throw new UsageError(`--set ${raw}: the value after := must be JSON (a string is written ${pathText}=VALUE)`);
  }
}

/** The event's data with the overrides applied over the data the mock would generate. */
function dataWith(type: string, overrides: Override[]): Record<string, unknown> {
  let root: Record<string, unknown> = { data: exampleEventData(type, randomAlphanumeric) };
  for (const { path, value } of overrides) {
    if (path.length === 1) {
      root = { data: value };
      continue;
    }
    let node = root;
    for (const [i, key] of path.slice(0, -1).entries()) {
      const next = node[key];
      if (next === undefined) node[key] = {};
      else if (next === null || typeof next !== 'object' || Array.isArray(next))
        throw new UsageError(`--set ${path.join('.')}: ${path.slice(0, i + 1).join('.')} is not an object`);
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return root.data as Record<string, unknown>;
}

/** What the control API's schema finds wrong with the event's body: one line, or none. */
function bodyProblems(body: Record<string, unknown>): string | undefined {
  const violations = createValidator(getControlSpec())
    .validateRequest({ operationId: 'emitEvent', headers: { 'content-type': 'application/json' }, body })
    .filter((v) => v.location[1] === 'body');
  if (violations.length === 0) return undefined;
  return violations
    .map((v) => {
      const path = describePath(v.location.slice(2));
      return v.message.startsWith(`${path} `) ? v.message : `${path} ${v.message}`;
    })
    .join('; ');
}

function eventType(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`give the event type (TYPE): one of ${EVENT_TYPES.join(', ')}`);
  const [type, extra] = positionals;
  if (extra !== undefined)
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)} (trigger takes one TYPE)`);
  const types = EVENT_TYPES.join(', ');
  if (type.startsWith('-'))
    throw new UsageError(`unexpected argument ${JSON.stringify(type)} (TYPE is an event type: ${types})`);
  if (!EVENT_TYPES.includes(type)) {
    const near = nearest(type, EVENT_TYPES);
    throw new UsageError(
      `unknown event type ${JSON.stringify(type)} (${near ? `did you mean ${near}?` : `one of ${types}`})`,
    );
  }
  return type;
}

interface EmitAnswer {
  event_id: string;
  deliveries: string[];
  skipped: { endpoint_id: string; reason: string }[];
}

interface StateAnswer {
  organizations: { id: string; endpoints: { id: string }[] }[];
}

interface JournalAnswer {
  deliveries: { id: string; endpoint_id: string; organization_id: string; url: string }[];
}

export async function triggerCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(TRIGGER_OPTIONS, argv, process.env, { positionals: 'TYPE' });
  if (values.help) {
    process.stdout.write(helpText(TRIGGER_HELP, TRIGGER_OPTIONS));
    return 0;
  }
  const type = eventType(positionals);
  const endpoint = values.endpoint as string | undefined;
  if (endpoint !== undefined && values.all === true)
    throw new UsageError('--endpoint and --all do not go together: one endpoint, or all of them');
  const overrides = ((values.set as string[] | undefined) ?? []).map(parseOverride);
  const body: Record<string, unknown> = { type };
  if (endpoint !== undefined) body.endpoint_id = endpoint;
  if (overrides.length) body.data = dataWith(type, overrides);
  const problem = bodyProblems(body);
  if (problem) throw new UsageError(`--set: ${problem}; nothing was sent`);

  // The mock unreachable or refusing is a MockError: main() prints it as one line, exit 1.
  const mock = controlClient(String(values['mock-url']));
  if (endpoint === undefined && values.all !== true) {
    const state = (await mock.expect('GET', '/__mock/state', 200)) as StateAnswer;
    const first = state.organizations[0]?.endpoints[0];
    if (!first)
      throw new MockError(`the mock at ${mock.where} has no endpoint to deliver to: seed one, or give --endpoint`);
    body.endpoint_id = first.id;
  }
  const answer = (await mock.expect('POST', '/__mock/events', 202, body)) as EmitAnswer;
  if (values.json === true) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  else {
    const journal = (await mock.expect(
      'GET',
      `/__mock/deliveries?event_id=${encodeURIComponent(answer.event_id)}`,
      200,
    )) as JournalAnswer;
    process.stdout.write(whereItGoes(type, answer, journal));
  }
  if (answer.deliveries.length === 0) {
    process.stderr.write(`inklink-mock trigger: no endpoint received event ${answer.event_id}\n`);
    return 1;
  }
  return 0;
}

/** What went where: one line per delivery (endpoint, organization, URL), one per endpoint skipped. */
function whereItGoes(type: string, answer: EmitAnswer, journal: JournalAnswer): string {
  const n = answer.deliveries.length;
  const lines = [`event ${answer.event_id} (${type}): ${n} ${n === 1 ? 'delivery' : 'deliveries'}`];
  for (const id of answer.deliveries) {
    const d = journal.deliveries.find((x) => x.id === id);
    lines.push(d ? `  ${id} -> ${d.endpoint_id} (${d.organization_id}) ${d.url}` : `  ${id}`);
  }
  for (const s of answer.skipped) lines.push(`  skipped ${s.endpoint_id}: ${s.reason}`);
  return `${lines.join('\n')}\n`;
}
