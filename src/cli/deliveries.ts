/**
 * `inklink-mock deliveries`: a running mock's delivery journal (`GET /__mock/deliveries`) as a
 * table or JSON, `--follow` to go on with each change as the live stream (`GET /__mock/stream`)
 * tells it, and `deliveries resend ID` (`POST /__mock/deliveries/{id}/resend`) to send a past
 * delivery again, signed afresh with the secret in force.
 */
import { controlClient, MockError, MOCK_URL_OPTION, serverSentEvents, type ControlClient } from './mock-client';
import type { DeliveryRecord } from '../../mock/domain/deliveries';
import {
  CONTROL_TOKEN_ENV,
  helpText,
  parseOptions,
  UsageError,
  type CommandHelp,
  type OptionSpec,
  type ParsedOptions,
} from './options';

export const DELIVERIES_OPTIONS: OptionSpec[] = [
  MOCK_URL_OPTION,
  { name: 'endpoint', type: 'string', valueName: 'ID', description: "Only this endpoint's deliveries." },
  { name: 'event', type: 'string', valueName: 'ID', description: "Only this event's deliveries (wh_evt_…)." },
  {
    name: 'limit',
    type: 'string',
    default: '20',
    valueName: 'N',
    value: { int: [1, 10_000] },
    description: 'How many of the newest deliveries to list.',
  },
  {
    name: 'follow',
    type: 'boolean',
    description: 'After the list, print each delivery again whenever it changes (live, until Ctrl-C).',
  },
  {
    name: 'json',
    type: 'boolean',
    description: 'JSON: the list as the control API answers it; with --follow, one delivery a line.',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const DELIVERIES_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock deliveries [options]\n       inklink-mock deliveries resend [options] ID',
  about:
    "Lists a running mock's delivery journal, oldest of the newest --limit first: each delivery, its event,\n" +
    'endpoint and state, its attempts, the last answer and the fingerprint of the secret that signed the\n' +
    'last attempt. --follow then prints a delivery again each time it changes (scheduled, retried,\n' +
    'settled), from the live stream. "resend ID" sends delivery ID again: a new delivery of the same event\n' +
    "(same webhook-id and body) to the same endpoint, signed with the endpoint's secret now in force.\n" +
    `The control token, when the mock has one, comes from ${CONTROL_TOKEN_ENV}.\n` +
    'Exit status: 0 when listed (or resent; --follow: stopped by Ctrl-C), 1 when the mock refused, cannot\n' +
    'be reached or closed the stream, 2 on a usage error.',
  examples: [
    ['inklink-mock deliveries --limit 5', 'the five newest deliveries'],
    ['inklink-mock deliveries --follow --endpoint wh_end_TB06F09yGEdIekKEQEz5mgfY', "one endpoint's deliveries, live"],
    [
      'inklink-mock deliveries resend wh_dlv_0123456789abcdef',
      'send that delivery again, signed with the current secret',
    ],
    ['inklink-mock deliveries --json', 'the journal as JSON, for machines'],
  ],
};

/** A delivery as the control API answers it (the journal's record). */
type Delivery = DeliveryRecord;

const COLUMNS: [string, (d: Delivery) => string][] = [
  ['CREATED', (d) => d.created_at],
  ['DELIVERY', (d) => d.id],
  ['EVENT', (d) => d.event_id],
  ['TYPE', (d) => d.type],
  ['ENDPOINT', (d) => d.endpoint_id],
  ['STATE', (d) => d.state],
  ['ATTEMPTS', (d) => String(d.attempts.length)],
  ['LAST', (d) => lastAnswer(d)],
  ['SECRET', (d) => d.attempts.at(-1)?.secret_fingerprint ?? '-'],
  ['RESENDS', (d) => d.resent_from ?? '-'],
];

/** The last finished attempt's answer: its status, or its error. */
function lastAnswer(d: Delivery): string {
  const a = [...d.attempts].reverse().find((x) => x.outcome !== 'pending');
  if (!a) return '-';
  return a.status !== undefined ? String(a.status) + (a.error ? ` ${a.error}` : '') : (a.error ?? a.outcome);
}

/** Fixed widths (an id's, a timestamp's): rows printed later, while following, line up with the first. */
const WIDTHS = [24, 31, 31, 24, 31, 9, 8, 12, 12, 31];

function row(cells: string[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(WIDTHS[i])))
    .join(' ')
    .trimEnd();
}

const header = () => row(COLUMNS.map(([name]) => name));
const line = (d: Delivery) => row(COLUMNS.map(([, cell]) => cell(d)));

function commandOf(positionals: string[], values: ParsedOptions): { resend?: string } {
  if (positionals.length === 0) return {};
  const [first, id, extra] = positionals;
  if (first !== 'resend')
    throw new UsageError(`unexpected argument ${JSON.stringify(first)} (deliveries takes options, or "resend ID")`);
  if (id === undefined) throw new UsageError('resend needs the id of a delivery (deliveries resend ID)');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)} (resend takes one ID)`);
  for (const name of ['endpoint', 'event', 'follow'])
    if (values[name] !== undefined && values[name] !== false)
      throw new UsageError(`--${name} is for listing: resend takes --mock-url and --json`);
  return { resend: id };
}

export async function deliveriesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(DELIVERIES_OPTIONS, argv, process.env, { positionals: 'resend ID' });
  if (values.help) {
    process.stdout.write(helpText(DELIVERIES_HELP, DELIVERIES_OPTIONS));
    return 0;
  }
  const { resend } = commandOf(positionals, values);
  // The mock unreachable or refusing is a MockError: main() prints it as one line, exit 1.
  const mock = controlClient(String(values['mock-url']));
  if (resend !== undefined) return resendDelivery(mock, resend, values.json === true);
  return list(mock, values);
}

async function resendDelivery(mock: ControlClient, id: string, json: boolean): Promise<number> {
  const d = (await mock.expect('POST', `/__mock/deliveries/${encodeURIComponent(id)}/resend`, 202)) as Delivery;
  process.stdout.write(
    json
      ? `${JSON.stringify(d, null, 2)}\n`
      : `delivery ${d.id} resends ${d.resent_from}: event ${d.event_id} (${d.type}) to ${d.endpoint_id} ` +
          `${d.url}, ${d.state}\n`,
  );
  return 0;
}

async function list(mock: ControlClient, values: ParsedOptions): Promise<number> {
  const filter = (d: Delivery) =>
    (values.endpoint === undefined || d.endpoint_id === values.endpoint) &&
    (values.event === undefined || d.event_id === values.event);
  const follow = values.follow === true;
  const json = values.json === true;
  // The stream opens before the list is read: nothing that happens in between is missed.
  const abort = new AbortController();
  const stream = follow ? await mock.stream(abort.signal) : undefined;
  const query = new URLSearchParams({ limit: String(values.limit) });
  if (values.endpoint !== undefined) query.set('endpoint_id', String(values.endpoint));
  if (values.event !== undefined) query.set('event_id', String(values.event));
  const answer = (await mock.expect('GET', `/__mock/deliveries?${query}`, 200)) as { deliveries: Delivery[] };
  const oldestFirst = [...answer.deliveries].reverse();
  if (json && !follow) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  else if (json) for (const d of oldestFirst) process.stdout.write(`${JSON.stringify(d)}\n`);
  else {
    process.stdout.write(`${header()}\n`);
    for (const d of oldestFirst) process.stdout.write(`${line(d)}\n`);
  }
  if (!stream?.body) return 0;
  // Ctrl-C (or SIGTERM) ends the following: exit 0. The stream ending on its own (the mock stopped) is 1.
  let stopped = false;
  const stop = () => {
    stopped = true;
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const event of serverSentEvents(stream.body)) {
      if (event.type === 'gap') process.stderr.write('inklink-mock deliveries: the stream left some events out\n');
      if (event.type === 'state' && /"reset"/.test(event.data))
        process.stderr.write('inklink-mock deliveries: the mock was reset: its journal is empty\n');
      if (event.type !== 'delivery') continue;
      const d = JSON.parse(event.data) as Delivery;
      if (!filter(d)) continue;
      process.stdout.write(json ? `${event.data}\n` : `${line(d)}\n`);
    }
  } catch (e) {
    if (!stopped) throw new MockError(`the stream from ${mock.where} broke: ${(e as Error).message}`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (stopped) return 0;
  process.stderr.write(`inklink-mock deliveries: the mock at ${mock.where} closed the stream\n`);
  return 1;
}
