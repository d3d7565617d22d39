/** `inklink-mock serve`: the stateful mock on a port, with the start-up banner. */
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../../core/log';
import { CONTROL_TOKEN_ENV } from './options';
import { DEFAULTS, isLoopback } from '../../mock/config';
import { parseSchedule } from '../../core/duration';
import { createMockServer, type StateSource } from '../../mock/server';
import { formatBanner, formatLoadedState } from '../../mock/banner';
import { CLOCK_MODES, type ClockMode } from '../../mock/domain/virtual-clock';
import { whenParentGone } from './parent-watch';
import {
  commandOptions,
  durationValue,
  HTTP_URL,
  PORT,
  POSITIVE_DURATION,
  UsageError,
  type CommandHelp,
  type OptionSpec,
} from './options';

export const SERVE_OPTIONS: OptionSpec[] = [
  {
    name: 'port',
    type: 'string',
    env: 'INKLINK_MOCK_PORT',
    default: String(DEFAULTS.cliPort),
    valueName: 'N',
    value: PORT,
    description: 'Port to listen on (0 picks a free one).',
  },
  {
    name: 'host',
    type: 'string',
    env: 'INKLINK_MOCK_HOST',
    default: DEFAULTS.host,
    valueName: 'HOST',
    description: 'Interface to bind; a non-loopback host requires --control-token.',
  },
  {
    name: 'seed',
    type: 'string',
    env: 'INKLINK_MOCK_SEED',
    default: String(DEFAULTS.seed),
    valueName: 'N',
    value: { int: [0, 2 ** 31 - 1] },
    description: 'Seed of the generated organizations, keys, endpoints and secrets.',
  },
  {
    name: 'webhook-url',
    type: 'string',
    env: 'INKLINK_MOCK_WEBHOOK_URL',
    default: DEFAULTS.webhookUrl,
    valueName: 'URL',
    value: HTTP_URL,
    description: 'Where the seeded endpoints deliver (your local receiver).',
  },
  {
    name: 'retry-schedule',
    type: 'string',
    env: 'INKLINK_MOCK_RETRY_SCHEDULE',
    default: '0,5s,5m,30m,2h,5h,10h,14h,20h,24h',
    valueName: 'LIST',
    description: 'Delays before each delivery attempt, e.g. 0,1s,5s.',
  },
  {
    name: 'delivery-timeout',
    type: 'string',
    env: 'INKLINK_MOCK_DELIVERY_TIMEOUT',
    default: '15s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: 'Per-attempt delivery timeout.',
  },
  {
    name: 'journal-limit',
    type: 'string',
    env: 'INKLINK_MOCK_JOURNAL_LIMIT',
    default: String(DEFAULTS.journalLimit),
    valueName: 'N',
    value: { int: [1, 1_000_000] },
    description: 'Deliveries kept in the journal.',
  },
  {
    name: 'clock',
    type: 'string',
    env: 'INKLINK_MOCK_CLOCK',
    default: DEFAULTS.clock,
    valueName: 'CLOCK',
    value: { oneOf: CLOCK_MODES },
    description:
      "system (the machine's time) or virtual: time stands still until POST /__mock/clock/advance moves it, " +
      'making the delivery attempts due on the way.',
  },
  {
    name: 'log-level',
    type: 'string',
    env: 'INKLINK_MOCK_LOG_LEVEL',
    default: 'info',
    valueName: 'LEVEL',
    value: { oneOf: LOG_LEVELS },
    description:
      `One of ${LOG_LEVELS.join(', ')}: warn shows failed delivery attempts, info also a line per request, ` +
      'debug also successful deliveries.',
  },
  {
    name: 'log-format',
    type: 'string',
    env: 'INKLINK_MOCK_LOG_FORMAT',
    default: 'text',
    valueName: 'FORMAT',
    value: { oneOf: LOG_FORMATS },
    description: `One of ${LOG_FORMATS.join(', ')} (one JSON object a line, for machines).`,
  },
  {
    name: 'control-token',
    type: 'string',
    env: CONTROL_TOKEN_ENV,
    valueName: 'TOKEN',
    description:
      'Bearer token the control API requires (needed off loopback). Prefer INKLINK_MOCK_CONTROL_TOKEN: ' +
      'the flag is visible to other local users in `ps`.',
  },
  {
    name: 'state-file',
    type: 'string',
    env: 'INKLINK_MOCK_STATE_FILE',
    valueName: 'FILE',
    description:
      'Keep the state in the database FILE (LMDB, mode 0600, crash-safe): start from it if it holds a state, ' +
      'else fill it from --fixture or the seed.',
  },
  {
    name: 'fixture',
    type: 'string',
    env: 'INKLINK_MOCK_FIXTURE',
    valueName: 'FILE.json',
    description:
      'Start from this JSON state (e.g. from GET /__mock/state/export): in memory, or into a new --state-file.',
  },
  {
    name: 'shutdown-timeout',
    type: 'string',
    env: 'INKLINK_MOCK_SHUTDOWN_TIMEOUT',
    default: '10s',
    valueName: 'DURATION',
    value: { duration: 0 },
    description: 'On SIGTERM/SIGINT, how long to wait for the requests in flight to be answered.',
  },
  {
    name: 'self-check',
    type: 'boolean',
    env: 'INKLINK_MOCK_SELF_CHECK',
    description: 'Validate every response against the spec before sending it.',
  },
  {
    name: 'outlive-parent',
    type: 'boolean',
    env: 'INKLINK_MOCK_OUTLIVE_PARENT',
    description:
      'Keep serving when the process that started it exits (by default the mock stops with its parent, ' +
      'and with npm or npx when they started it).',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const SERVE_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock serve [options]',
  about:
    'Serves the stateful InkLink mock and prints its base URL, the seeded api keys and the endpoints\n' +
    'with their initial secrets. SIGINT or SIGTERM stops it, and so does the end of the process that\n' +
    'started it (npm or npx included; not with --outlive-parent).\n' +
    'Exit status: 0 once stopped (a signal, or its parent gone), 1 when it cannot start (e.g. the port is\n' +
    'taken), 2 on a usage error.',
  examples: [
    [
      'inklink-mock serve --port 4117',
      'the mock on http://127.0.0.1:4117 (npm start -- --port 4117 in this repository)',
    ],
    [
      'inklink-mock serve --retry-schedule 0,1s,5s --webhook-url http://127.0.0.1:3000/webhooks',
      'deliveries to your local receiver, retried after 1 s and 5 s',
    ],
    ['inklink-mock serve --state-file state.db', 'keep the state across restarts (in the database state.db)'],
    [
      'inklink-mock serve --clock virtual',
      'time moves only when told: POST /__mock/clock/advance {"by": "24h"} makes the retries due by then',
    ],
    ['inklink-mock serve --log-format json --log-level debug', 'every log line as JSON, for machines'],
  ],
};

export async function serveCommand(argv: string[]): Promise<number> {
  const values = commandOptions(SERVE_OPTIONS, SERVE_HELP, argv);
  if (!values) return 0;
  const logLevel = values['log-level'] as LogLevel;
  const logFormat = values['log-format'] as LogFormat;
  let retrySchedule: number[];
  try {
    retrySchedule = parseSchedule(String(values['retry-schedule']));
  } catch (e) {
    throw new UsageError(`--retry-schedule: ${(e as Error).message}`);
  }
  const deliveryTimeoutMs = durationValue(values, 'delivery-timeout');
  const shutdownTimeoutMs = durationValue(values, 'shutdown-timeout');
  // Every option is checked before anything is created (a state file is written at creation).
  const port = Number(values.port);
  const host = String(values.host);
  const controlToken = values['control-token'] as string | undefined;
  if (controlToken !== undefined && controlToken.trim() === '')
    throw new UsageError('--control-token must not be blank: give a real token, or none');
  if (!isLoopback(host) && !controlToken)
    throw new UsageError(`--host ${host} is not loopback: it needs --control-token (or INKLINK_MOCK_CONTROL_TOKEN)`);
  // The token itself is never printed: only that the flag shows it to `ps`.
  if (argv.some((a) => a === '--control-token' || a.startsWith('--control-token=')))
    process.stderr.write(
      'warning: --control-token is visible to other local users in `ps`; set INKLINK_MOCK_CONTROL_TOKEN instead\n',
    );
  const logger = createLogger(logLevel, process.stderr, process.stdout, { format: logFormat });
  // Signals are caught from here on: one that arrives while the mock starts stops it once started.
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // And so does the end of whoever started it: npm and its shell pass no signal on (./parent-watch.ts).
  const parent = values['outlive-parent'] === true ? undefined : whenParentGone();
  const stop = parent
    ? Promise.race([signal.then((s) => ({ signal: s })), parent.gone.then((pid) => ({ parent_exited: pid }))])
    : signal.then((s) => ({ signal: s }));
  const mock = createMockServer({
    seed: Number(values.seed),
    webhookUrl: String(values['webhook-url']),
    retrySchedule,
    deliveryTimeoutMs,
    journalLimit: Number(values['journal-limit']),
    logger,
    selfCheck: values['self-check'] === true,
    controlToken,
    stateFile: values['state-file'] === undefined ? undefined : String(values['state-file']),
    fixture: values.fixture === undefined ? undefined : String(values.fixture),
    shutdownTimeoutMs,
    clock: values.clock as ClockMode,
  });
  let url: string;
  try {
    url = await mock.listen(port, host);
  } catch (e) {
    await mock.close(); // the state database is given back
    throw e;
  }
  // The banner is for people; a machine reading JSON lines learns the URL from the log.
  if (logFormat === 'json') logger.info('listening', { url });
  if (logLevel !== 'silent') {
    const extra = values['self-check'] ? ['self-check: on'] : [];
    if (mock.clock.mode === 'virtual')
      extra.push(
        `clock: virtual, at ${mock.clock.now().toISOString()}; it moves only through POST /__mock/clock/advance`,
      );
    extra.push(...stateLines(mock.stateSource));
    if (mock.seeded.length) logger.banner(formatBanner(url, mock.seeded, extra));
    else logger.banner(formatBanner(url, undefined, extra) + formatLoadedState(mock.control.view()));
  }
  // Graceful: no new connection, every request in flight answered (after its write), then closed
  // within --shutdown-timeout. A second signal cuts the wait short.
  logger.info('shutting down', { ...(await stop), timeout_ms: shutdownTimeoutMs });
  parent?.stop();
  const again = () => void mock.close({ timeoutMs: 0 });
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  await mock.close();
  return 0;
}

/** The banner's lines about where the state came from and where it goes. */
function stateLines(source: StateSource): string[] {
  switch (source.kind) {
    case 'seed':
      return [];
    case 'fixture':
      return [`state: loaded from the fixture ${source.fixture}, in memory (changes are not saved)`];
    case 'file':
      if (!source.created) {
        const ignored = source.fixtureIgnored
          ? [`fixture ${source.fixture} not loaded: the state file already holds a state`]
          : [];
        return [`state: loaded from ${source.file}; changes are saved there`, ...ignored];
      }
      return [
        `state: ${source.fixture ? `loaded from the fixture ${source.fixture}` : 'seeded'} ` +
          `and saved to ${source.file}; changes are saved there`,
      ];
  }
}
