/** `inklink-mock check-receiver`: a team's webhook receiver against InkLink's delivery rules, over HTTP. */
import { exitStatus } from '../../core/check-report';
import {
  formatReceiverJson,
  formatReceiverJUnit,
  formatReceiverTable,
  RECEIVER_CHECKS,
  receiverCheckOptionsProblem,
  runReceiverCheck,
  type ReceiverCheckOptions,
} from '../receiver-check';
import { httpTransport, updateSecretByCommand, updateSecretByUrl } from '../receiver-check/http';
import {
  commandOptions,
  durationValue,
  HTTP_URL,
  POSITIVE_DURATION,
  requireOptions,
  UsageError,
  type CommandHelp,
  type OptionSpec,
  type ParsedOptions,
} from './options';
import { colourEnabled } from './terminal';
import { checkList, parseReportOption, writeReports } from './reports';

export const CHECK_RECEIVER_OPTIONS: OptionSpec[] = [
  {
    name: 'url',
    type: 'string',
    env: 'INKLINK_CHECK_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: "The receiver's webhook URL, where InkLink would POST deliveries. Required.",
  },
  {
    name: 'secret',
    type: 'string',
    env: 'INKLINK_WEBHOOK_SECRET',
    valueName: 'whsec_…',
    description:
      'The signing secret the receiver holds now. Required (prefer the env var: a flag shows in the process list).',
  },
  {
    name: 'old-secret',
    type: 'string',
    env: 'INKLINK_OLD_WEBHOOK_SECRET',
    valueName: 'whsec_…',
    description:
      'The secret it held before its last rotation: deliveries signed with it must be refused ' +
      '(old_secret_refused is skipped without it).',
  },
  {
    name: 'timeout',
    type: 'string',
    env: 'INKLINK_CHECK_TIMEOUT',
    default: '15s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: "InkLink's per-attempt delivery timeout: a later answer fails.",
  },
  {
    name: 'tolerance',
    type: 'string',
    env: 'INKLINK_CHECK_TOLERANCE',
    default: '5m',
    valueName: 'DURATION',
    value: { duration: 60_000 },
    description: "The receiver's timestamp tolerance, whole seconds, at least 1m.",
  },
  {
    name: 'drill',
    type: 'boolean',
    env: 'INKLINK_CHECK_DRILL',
    description: 'Also run the rotation drill (with --update-secret-url or --update-secret-command).',
  },
  {
    name: 'update-secret-url',
    type: 'string',
    env: 'INKLINK_CHECK_UPDATE_SECRET_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: 'Drill: a URL that gives the receiver a new secret on POST {"secret":"whsec_…"}, answering 2xx.',
  },
  {
    name: 'update-secret-command',
    type: 'string',
    env: 'INKLINK_CHECK_UPDATE_SECRET_COMMAND',
    valueName: 'CMD',
    description: 'Drill: a shell command that gives the receiver the secret it reads on its stdin, exiting 0.',
  },
  {
    name: 'new-secret',
    type: 'string',
    env: 'INKLINK_NEW_WEBHOOK_SECRET',
    valueName: 'whsec_…',
    description: 'Drill: the secret to rotate to (default: a new one, never shown; its fingerprint is printed).',
  },
  {
    name: 'drill-timeout',
    type: 'string',
    env: 'INKLINK_CHECK_DRILL_TIMEOUT',
    default: '30s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: 'Drill: how long the receiver has to take the new secret.',
  },
  {
    name: 'report',
    type: 'string',
    multiple: true,
    env: 'INKLINK_CHECK_REPORT',
    valueName: 'junit:FILE|json:FILE',
    description: 'Also write a report (repeatable; the env var takes a comma-separated list).',
  },
  {
    name: 'check',
    type: 'string',
    multiple: true,
    env: 'INKLINK_CHECK_ONLY',
    valueName: 'NAME',
    description: 'Run only these checks (repeatable; the env var takes a comma-separated list).',
  },
  { name: 'list-checks', type: 'boolean', description: 'List the checks and exit.' },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

/** The engine's options from the parsed flags; every mistake a UsageError that never shows a secret. */
export function checkReceiverOptions(values: ParsedOptions): { url: string; options: ReceiverCheckOptions } {
  requireOptions(values, CHECK_RECEIVER_OPTIONS, ['url', 'secret']);
  const url = String(values.url);
  const toleranceMs = durationValue(values, 'tolerance');
  if (toleranceMs % 1000 !== 0) throw new UsageError('--tolerance must be whole seconds');
  const updateUrl = values['update-secret-url'] as string | undefined;
  const updateCommand = values['update-secret-command'] as string | undefined;
  if (values.drill && !updateUrl === !updateCommand)
    throw new UsageError('--drill needs one of --update-secret-url and --update-secret-command');
  if (!values.drill && (updateUrl || updateCommand || values['new-secret'])) {
    throw new UsageError('--update-secret-url, --update-secret-command and --new-secret go with --drill');
  }
  const options: ReceiverCheckOptions = {
    secret: String(values.secret),
    oldSecret: values['old-secret'] as string | undefined,
    timeoutMs: durationValue(values, 'timeout'),
    toleranceSeconds: toleranceMs / 1000,
    only: values.check as string[] | undefined,
    drill: values.drill
      ? {
          updateSecret: updateUrl ? updateSecretByUrl(updateUrl) : updateSecretByCommand(updateCommand!),
          newSecret: values['new-secret'] as string | undefined,
          timeoutMs: durationValue(values, 'drill-timeout'),
        }
      : undefined,
  };
  const problem = receiverCheckOptionsProblem(options);
  if (problem) {
    const flag = problem
      .replace(/^secret:/, '--secret:')
      .replace(/^oldSecret/, '--old-secret')
      .replace(/^drill\.newSecret/, '--new-secret');
    throw new UsageError(/^unknown check/.test(problem) ? `${problem} (see --list-checks)` : flag);
  }
  return { url, options };
}

export const CHECK_RECEIVER_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock check-receiver --url URL --secret whsec_… [options]',
  about: `Sends your webhook receiver a battery of deliveries built as InkLink sends them (valid ones,
another secret, the secret before your last rotation, tampered bodies, ids and timestamps, missing
headers, stale timestamps, several signatures, duplicates, an unknown event type) and checks each
answer: 2xx to accept, anything else to refuse. Exit status 0 when no check fails, 1 when one
does, 2 on a usage error.`,
  examples: [
    [
      'inklink-mock check-receiver --url http://127.0.0.1:3000/webhooks --secret "$WEBHOOK_SECRET"',
      'the whole battery against your local receiver',
    ],
    [
      'inklink-mock check-receiver --url http://127.0.0.1:3000/webhooks' +
        ' --secret "$NEW_SECRET" --old-secret "$OLD_SECRET"',
      'after a rotation: the old secret must be refused, the new one accepted',
    ],
    [
      'inklink-mock check-receiver --url http://127.0.0.1:3000/webhooks' +
        ' --secret "$WEBHOOK_SECRET" --drill --update-secret-url http://127.0.0.1:3000/admin/secret',
      'a rotation drill: how long your receiver refused deliveries signed with the new secret',
    ],
  ],
};

export async function checkReceiverCommand(argv: string[]): Promise<number> {
  const values = commandOptions(CHECK_RECEIVER_OPTIONS, CHECK_RECEIVER_HELP, argv);
  if (!values) return 0;
  if (values['list-checks']) {
    process.stdout.write(checkList(RECEIVER_CHECKS));
    return 0;
  }
  const reports = parseReportOption(values.report);
  const { url, options } = checkReceiverOptions(values);
  const report = await runReceiverCheck(httpTransport(url), options);
  process.stdout.write(formatReceiverTable(report, colourEnabled(process.stdout)));
  writeReports(reports, { junit: () => formatReceiverJUnit(report), json: () => formatReceiverJson(report) });
  return exitStatus(report.counts);
}
