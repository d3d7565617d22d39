/** `inklink-mock proxy --upstream URL`: a validating proxy between a client and InkLink's API (or the mock). */
import { createLogger, LOG_LEVELS, type LogLevel } from '../../core/log';
import { startValidatingProxy } from '../proxy';
import type { ProxyReport } from '../proxy';
import {
  commandOptions,
  durationValue,
  HTTP_URL,
  PORT,
  POSITIVE_DURATION,
  requireOptions,
  specOption,
  type CommandHelp,
  type OptionSpec,
} from './options';

export const PROXY_OPTIONS: OptionSpec[] = [
  {
    name: 'upstream',
    type: 'string',
    env: 'INKLINK_PROXY_UPSTREAM',
    valueName: 'URL',
    value: HTTP_URL,
    description:
      "Where requests go (required): InkLink's API, a staging deploy or the mock, e.g. http://127.0.0.1:4010.",
  },
  {
    name: 'port',
    type: 'string',
    env: 'INKLINK_PROXY_PORT',
    default: '4011',
    valueName: 'N',
    value: PORT,
    description: 'Port to listen on (0 picks a free one).',
  },
  {
    name: 'host',
    type: 'string',
    env: 'INKLINK_PROXY_HOST',
    default: '127.0.0.1',
    valueName: 'HOST',
    description: 'Interface to bind.',
  },
  {
    name: 'report',
    type: 'string',
    env: 'INKLINK_PROXY_REPORT',
    valueName: 'FILE',
    description: 'Write the report (exchanges, violations by rule, each finding) as JSON to FILE, kept current.',
  },
  {
    name: 'har',
    type: 'string',
    env: 'INKLINK_PROXY_HAR',
    valueName: 'FILE',
    description: 'Write every exchange, redacted, as a HAR file (inklink-mock validate --har reads it), kept current.',
  },
  {
    name: 'timeout',
    type: 'string',
    env: 'INKLINK_PROXY_TIMEOUT',
    default: '30s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: 'How long the upstream has to answer; then the client gets a 502.',
  },
  {
    name: 'spec',
    type: 'string',
    env: 'INKLINK_SPEC',
    valueName: 'FILE',
    description: 'An OpenAPI 3.0 document instead of the bundled openapi.json.',
  },
  {
    name: 'log-level',
    type: 'string',
    env: 'INKLINK_PROXY_LOG_LEVEL',
    default: 'info',
    valueName: 'LEVEL',
    value: { oneOf: LOG_LEVELS },
    description: 'silent, error, warn (violations), info (and one line per exchange) or debug.',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const PROXY_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock proxy --upstream URL [options]',
  about: `Forwards every request to the upstream and checks each exchange against openapi.json and InkLink's
rules (error envelope and requestId, secret format, a secret never shown twice, a refused key never
accepted later). Violations are named in the x-inklink-proxy-violations response header and a log
line. Runs until SIGINT or SIGTERM; exit status 1 when any exchange broke a rule, 0 otherwise, 2 on
a usage error.`,
  examples: [
    [
      'inklink-mock proxy --upstream http://127.0.0.1:4010 --port 4011',
      'check what your app sends to the mock and what it answers',
    ],
    [
      'inklink-mock proxy --upstream "$INKLINK_SANDBOX_URL" --port 4011 --report proxy.json --har inklink.har',
      "between your integration tests and InkLink's sandbox, with a report and a HAR for validate --har",
    ],
  ],
};

export function formatSummary(r: ProxyReport): string {
  const rules = Object.entries(r.byRule)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ');
  const errors = r.upstreamErrors ? `, ${r.upstreamErrors} unanswered by the upstream` : '';
  const byRule = rules ? ` (${rules})` : '';
  const exchanges = `${r.exchanges} exchange${r.exchanges === 1 ? '' : 's'}`;
  return `proxy: ${exchanges}, ${r.findings.length} with violations${byRule}${errors}\n`;
}

export async function proxyCommand(argv: string[]): Promise<number> {
  const values = commandOptions(PROXY_OPTIONS, PROXY_HELP, argv, {
    positionalHint: 'the upstream goes with --upstream',
  });
  if (!values) return 0;
  requireOptions(values, PROXY_OPTIONS, ['upstream']);
  const upstream = String(values.upstream);
  const logLevel = values['log-level'] as LogLevel;
  const timeoutMs = durationValue(values, 'timeout');
  const port = Number(values.port);
  const spec = specOption(values.spec);
  const logger = createLogger(logLevel);
  const proxy = await startValidatingProxy({
    upstream,
    port,
    host: String(values.host),
    reportFile: values.report === undefined ? undefined : String(values.report),
    harFile: values.har === undefined ? undefined : String(values.har),
    timeoutMs,
    spec,
    logger,
  });
  process.stdout.write(
    `inklink-mock proxy: listening on ${proxy.url} and forwarding to ${new URL(upstream).href.replace(/\/+$/, '')}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const report = await proxy.close();
  process.stdout.write(formatSummary(report));
  return report.findings.length ? 1 : 0;
}
