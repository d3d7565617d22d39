/** `inklink-mock verify`: checks an implementation against openapi.json and the documented behaviour. */
import { exitStatus, nameWidth } from '../../core/check-report';
import { CONTROL_TOKEN_ENV } from './options';
import {
  abortedLine,
  formatAnnotations,
  formatCtrf,
  formatHtml,
  formatJson,
  formatJUnit,
  tableFooter,
  tableHeader,
  tableRow,
} from '../verifier/report';
import { MAX_SEED } from '../verifier/generate/random';
import { belowMinimumLine, formatCoverage } from '../verifier/coverage';
import { CHECK_INFO, DEFAULT_GENERATED, verify } from '../verifier/run';
import { parseTrigger } from '../verifier/trigger';
import { colourEnabled } from './terminal';
import {
  commandOptions,
  durationValue,
  HTTP_URL,
  PORT,
  POSITIVE_DURATION,
  requireOptions,
  specOption,
  UsageError,
  type CommandHelp,
  type OptionSpec,
} from './options';
import { checkList, parseReportOption, writeReports } from './reports';

export const VERIFY_OPTIONS: OptionSpec[] = [
  {
    name: 'base-url',
    type: 'string',
    env: 'INKLINK_BASE_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: 'Base URL of the implementation (e.g. https://platform.inklink.com/api/v1). Required.',
  },
  {
    name: 'admin-key',
    type: 'string',
    env: 'INKLINK_ADMIN_KEY',
    valueName: 'KEY',
    description: 'An owner or admin api key; the run creates its endpoints with it. Required.',
  },
  {
    name: 'member-key',
    type: 'string',
    env: 'INKLINK_MEMBER_KEY',
    valueName: 'KEY',
    description: 'A member api key of the same organization. Required.',
  },
  {
    name: 'owner-key',
    type: 'string',
    env: 'INKLINK_OWNER_KEY',
    valueName: 'KEY',
    description: 'An owner api key of the same organization (privileged_roles; skipped without).',
  },
  {
    name: 'other-org-key',
    type: 'string',
    env: 'INKLINK_OTHER_ORG_KEY',
    valueName: 'KEY',
    description: 'An owner or admin key of another organization (tenant isolation checks; skipped without).',
  },
  {
    name: 'trigger',
    type: 'string',
    env: 'INKLINK_TRIGGER',
    default: 'none',
    valueName: 'mock|url:URL|none',
    description:
      'How to make the implementation deliver: the mock control API, POST {endpoint_id, type} to URL, or ' +
      'none (delivery checks skipped).',
  },
  {
    name: 'control-token',
    type: 'string',
    env: CONTROL_TOKEN_ENV,
    valueName: 'TOKEN',
    description: "Bearer token of the mock's control API, for --trigger mock.",
  },
  {
    name: 'receiver-host',
    type: 'string',
    env: 'INKLINK_RECEIVER_HOST',
    default: '127.0.0.1',
    valueName: 'HOST',
    description: 'Interface the webhook receiver listens on.',
  },
  {
    name: 'receiver-port',
    type: 'string',
    env: 'INKLINK_RECEIVER_PORT',
    default: '0',
    valueName: 'PORT',
    value: PORT,
    description: 'Port of the webhook receiver (0: any free one).',
  },
  {
    name: 'receiver-url',
    type: 'string',
    env: 'INKLINK_RECEIVER_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: "Public URL that reaches the receiver (e.g. a tunnel), used as the endpoints' url.",
  },
  {
    name: 'delivery-wait',
    type: 'string',
    env: 'INKLINK_DELIVERY_WAIT',
    default: '10s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: 'How long to wait for an expected delivery or retry.',
  },
  {
    name: 'seed',
    type: 'string',
    env: 'INKLINK_SEED',
    valueName: 'N',
    value: { int: [0, MAX_SEED] },
    description: "Seed of generated_requests' cases (default: a random one; every run prints its seed).",
  },
  {
    name: 'generated',
    type: 'string',
    env: 'INKLINK_GENERATED',
    default: String(DEFAULT_GENERATED),
    valueName: 'N',
    value: { int: [1, 100_000] },
    description: 'How many requests generated_requests generates.',
  },
  {
    name: 'report',
    type: 'string',
    multiple: true,
    env: 'INKLINK_REPORT',
    valueName: 'junit|json|ctrf|html:FILE',
    description: 'Also write a report (repeatable; the env var takes a comma-separated list).',
  },
  {
    name: 'check',
    type: 'string',
    multiple: true,
    env: 'INKLINK_CHECKS',
    valueName: 'NAME',
    description: 'Run only these checks (repeatable).',
  },
  {
    name: 'spec',
    type: 'string',
    env: 'INKLINK_SPEC',
    valueName: 'FILE',
    description: 'An OpenAPI 3.0 document to verify against instead of the bundled openapi.json.',
  },
  {
    name: 'min-coverage',
    type: 'string',
    env: 'INKLINK_MIN_COVERAGE',
    valueName: 'PCT',
    value: { int: [0, 100] },
    description: 'Fail the run (exit status 1) when its coverage is below PCT percent (0-100).',
  },
  { name: 'list-checks', type: 'boolean', description: 'List the checks and exit.' },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const VERIFY_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock verify --base-url URL --admin-key K --member-key K [options]',
  about:
    'Checks an implementation against openapi.json and the documented behaviour, check by check.\n' +
    'Exit status: 0 when no check fails, 1 when one does, 2 on a usage error.',
  examples: [
    [
      'inklink-mock verify --base-url http://127.0.0.1:4010 --admin-key $ADMIN --member-key $MEMBER --trigger mock',
      'the mock, deliveries included',
    ],
    [
      'inklink-mock verify --base-url https://staging.example.com/api/v1' +
        ' --trigger none --report junit:reports/verify.xml',
      'a deployment (keys from INKLINK_ADMIN_KEY and INKLINK_MEMBER_KEY), with a JUnit report',
    ],
    ['inklink-mock verify --list-checks', 'the checks, one a line'],
  ],
};

export async function verifyCommand(argv: string[]): Promise<number> {
  const values = commandOptions(VERIFY_OPTIONS, VERIFY_HELP, argv);
  if (!values) return 0;
  if (values['list-checks']) {
    process.stdout.write(checkList(CHECK_INFO));
    return 0;
  }
  requireOptions(values, VERIFY_OPTIONS, ['base-url', 'admin-key', 'member-key']);
  const reports = parseReportOption(values.report, ['junit', 'json', 'ctrf', 'html']);
  const deliveryWaitMs = durationValue(values, 'delivery-wait');
  const spec = specOption(values.spec);
  const trigger = String(values.trigger);
  let triggerDescription: string;
  try {
    triggerDescription = parseTrigger(trigger, String(values['base-url']).replace(/\/+$/, '')).description;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const unknownChecks = ((values.check as string[] | undefined) ?? []).filter(
    (n) => !CHECK_INFO.some((c) => c.name === n),
  );
  if (unknownChecks.length) throw new UsageError(`unknown check(s): ${unknownChecks.join(', ')} (see --list-checks)`);

  // The table is printed as results come: its header first, then each check's row once it is final.
  const color = colourEnabled(process.stdout);
  const width = nameWidth([...CHECK_INFO.map((c) => c.name), 'setup']);
  const report = await verify({
    baseUrl: String(values['base-url']),
    adminKey: String(values['admin-key']),
    memberKey: String(values['member-key']),
    ownerKey: values['owner-key'] as string | undefined,
    otherOrgKey: values['other-org-key'] as string | undefined,
    trigger,
    controlToken: values['control-token'] as string | undefined,
    receiverHost: String(values['receiver-host']),
    receiverPort: Number(values['receiver-port']),
    receiverUrl: values['receiver-url'] as string | undefined,
    deliveryWaitMs,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    generated: Number(values.generated),
    only: values.check as string[] | undefined,
    spec,
    onStart: (seed) =>
      process.stdout.write(
        tableHeader(String(values['base-url']).replace(/\/+$/, ''), triggerDescription, seed, width),
      ),
    onResult: (r) => process.stdout.write(tableRow(r, width, color)),
  });
  process.stdout.write(report.aborted ? '' : tableFooter(report, color));
  process.stdout.write(report.coverage ? formatCoverage(report.coverage) : '');
  process.stderr.write(report.aborted ? abortedLine(report) : '');
  if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(formatAnnotations(report));
  writeReports(reports, {
    junit: () => formatJUnit(report),
    json: () => formatJson(report),
    ctrf: () => formatCtrf(report),
    html: () => formatHtml(report),
  });
  const minCoverage = values['min-coverage'] === undefined ? undefined : Number(values['min-coverage']);
  const below = report.coverage && minCoverage !== undefined && report.coverage.percent < minCoverage;
  if (below) process.stderr.write(belowMinimumLine(report.coverage!, minCoverage));
  return report.aborted || below ? 1 : exitStatus(report.counts);
}
