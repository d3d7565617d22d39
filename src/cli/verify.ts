/** `inklink-mock verify`: checks an implementation against openapi.json and the documented behaviour. */
import fs from 'node:fs';
import path from 'node:path';
import { parseDuration } from '../core/duration';
import { abortedLine, formatJson, formatJUnit, tableFooter, tableHeader, tableRow } from '../verifier/report';
import { CHECK_INFO, verify } from '../verifier/run';
import { parseTrigger } from '../verifier/trigger';
import { helpText, intOption, parseOptions, specOption, UsageError, type OptionSpec } from './options';

export const VERIFY_OPTIONS: OptionSpec[] = [
  { name: 'base-url', type: 'string', env: 'INKLINK_BASE_URL', valueName: 'URL', description: 'Base URL of the implementation (e.g. https://platform.inklink.com/api/v1). Required.' },
  { name: 'admin-key', type: 'string', env: 'INKLINK_ADMIN_KEY', valueName: 'KEY', description: 'An owner or admin api key; the run creates its endpoints with it. Required.' },
  { name: 'member-key', type: 'string', env: 'INKLINK_MEMBER_KEY', valueName: 'KEY', description: 'A member api key of the same organization. Required.' },
  { name: 'owner-key', type: 'string', env: 'INKLINK_OWNER_KEY', valueName: 'KEY', description: 'An owner api key of the same organization (privileged_roles; skipped without).' },
  { name: 'other-org-key', type: 'string', env: 'INKLINK_OTHER_ORG_KEY', valueName: 'KEY', description: "An owner or admin key of another organization (tenant isolation checks; skipped without)." },
  { name: 'trigger', type: 'string', env: 'INKLINK_TRIGGER', default: 'none', valueName: 'mock|url:URL|none', description: 'How to make the implementation deliver: the mock control API, POST {endpoint_id, type} to URL, or none (delivery checks skipped).' },
  { name: 'control-token', type: 'string', env: 'INKLINK_MOCK_CONTROL_TOKEN', valueName: 'TOKEN', description: "Bearer token of the mock's control API, for --trigger mock." },
  { name: 'receiver-host', type: 'string', env: 'INKLINK_RECEIVER_HOST', default: '127.0.0.1', valueName: 'HOST', description: 'Interface the webhook receiver listens on.' },
  { name: 'receiver-port', type: 'string', env: 'INKLINK_RECEIVER_PORT', default: '0', valueName: 'PORT', description: 'Port of the webhook receiver (0: any free one).' },
  { name: 'receiver-url', type: 'string', env: 'INKLINK_RECEIVER_URL', valueName: 'URL', description: 'Public URL that reaches the receiver (e.g. a tunnel), used as the endpoints\' url.' },
  { name: 'delivery-wait', type: 'string', env: 'INKLINK_DELIVERY_WAIT', default: '10s', valueName: 'DURATION', description: 'How long to wait for an expected delivery or retry.' },
  { name: 'report', type: 'string', multiple: true, env: 'INKLINK_REPORT', valueName: 'junit:FILE|json:FILE', description: 'Also write a report (repeatable; the env var takes a comma-separated list).' },
  { name: 'check', type: 'string', multiple: true, env: 'INKLINK_CHECKS', valueName: 'NAME', description: 'Run only these checks (repeatable).' },
  { name: 'spec', type: 'string', env: 'INKLINK_SPEC', valueName: 'FILE', description: "An OpenAPI 3.0 document to verify against instead of the bundled openapi.json." },
  { name: 'list-checks', type: 'boolean', description: 'List the checks and exit.' },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values } = parseOptions(VERIFY_OPTIONS, argv);
  if (values.help) {
    process.stdout.write(helpText('Usage: inklink-mock verify --base-url URL --admin-key K --member-key K [options]', VERIFY_OPTIONS));
    return 0;
  }
  if (values['list-checks']) {
    for (const c of CHECK_INFO) process.stdout.write(`${c.name.padEnd(30)} ${c.description}\n`);
    return 0;
  }
  for (const required of ['base-url', 'admin-key', 'member-key']) {
    if (!values[required]) throw new UsageError(`--${required} is required (or ${VERIFY_OPTIONS.find((o) => o.name === required)!.env})`);
  }
  try {
    new URL(String(values['base-url']));
  } catch {
    throw new UsageError('--base-url must be an absolute URL');
  }
  const reports = ((values.report as string[] | undefined) ?? []).map((r) => {
    const m = /^(junit|json):(.+)$/.exec(r);
    if (!m) throw new UsageError(`--report must be junit:FILE or json:FILE, got "${r}"`);
    return { kind: m[1] as 'junit' | 'json', file: m[2] };
  });
  let deliveryWaitMs: number;
  try {
    deliveryWaitMs = parseDuration(String(values['delivery-wait']), 1);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const spec = specOption(values.spec);
  const trigger = String(values.trigger);
  let triggerDescription: string;
  try {
    triggerDescription = parseTrigger(trigger, String(values['base-url']).replace(/\/+$/, '')).description;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const unknownChecks = ((values.check as string[] | undefined) ?? []).filter((n) => !CHECK_INFO.some((c) => c.name === n));
  if (unknownChecks.length) throw new UsageError(`unknown check(s): ${unknownChecks.join(', ')} (see --list-checks)`);

  // The table is printed as results come: its header first, then each check's row once it is final.
  const color = process.stdout.isTTY === true;
  const width = Math.max(...CHECK_INFO.map((c) => c.name.length), 'setup'.length);
  const report = await verify({
    baseUrl: String(values['base-url']),
    adminKey: String(values['admin-key']),
    memberKey: String(values['member-key']),
    ownerKey: values['owner-key'] as string | undefined,
    otherOrgKey: values['other-org-key'] as string | undefined,
    trigger,
    controlToken: values['control-token'] as string | undefined,
    receiverHost: String(values['receiver-host']),
    receiverPort: intOption(values['receiver-port'], 'receiver-port', 0, 65535),
    receiverUrl: values['receiver-url'] as string | undefined,
    deliveryWaitMs,
    only: values.check as string[] | undefined,
    spec,
    onStart: () => process.stdout.write(tableHeader(String(values['base-url']).replace(/\/+$/, ''), triggerDescription, width)),
    onResult: (r) => process.stdout.write(tableRow(r, width, color)),
  });
  process.stdout.write(report.aborted ? '' : tableFooter(report, color));
  process.stderr.write(report.aborted ? abortedLine(report) : '');
  for (const r of reports) {
    fs.mkdirSync(path.dirname(path.resolve(r.file)), { recursive: true });
    fs.writeFileSync(r.file, r.kind === 'junit' ? formatJUnit(report) : formatJson(report));
  }
  return report.counts.fail === 0 && !report.aborted ? 0 : 1;
}
