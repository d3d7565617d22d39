/**
 * `inklink-mock pact-verify`: verifies pacts (files, directories or a Pact Broker) against a
 * provider with Pact's Verifier, setting provider states through the mock's control API, the
 * public API, or a provider-state URL.
 */
import fs from 'node:fs';
import { CONTROL_TOKEN_ENV } from './options';
import { pactLib } from '../pact/lib';
import {
  PactVerifyConfigError,
  parseConsumerVersionSelectors,
  toVerifierOptions,
  verifyPacts,
  type PactVerifyOptions,
  type VerificationReport,
} from '../pact/verify';
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

const STATE_MODES = ['auto', 'mock', 'api', 'url'];
const PACT_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

export const PACT_VERIFY_OPTIONS: OptionSpec[] = [
  {
    name: 'provider-base-url',
    type: 'string',
    env: 'INKLINK_PACT_PROVIDER_BASE_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: 'The provider to verify (required), e.g. http://127.0.0.1:4010 or https://staging.example.com/api/v1.',
  },
  {
    name: 'pact',
    type: 'string',
    multiple: true,
    env: 'INKLINK_PACT_FILES',
    valueName: 'FILE|DIR',
    description: 'A pact file, a directory of pact files, or a pact URL; repeatable (env: comma-separated).',
  },
  {
    name: 'provider-name',
    type: 'string',
    env: 'INKLINK_PACT_PROVIDER_NAME',
    default: 'inklink',
    valueName: 'NAME',
    description: 'The provider name in the pacts and on the broker.',
  },
  {
    name: 'provider-states',
    type: 'string',
    env: 'INKLINK_PACT_PROVIDER_STATES',
    default: 'auto',
    valueName: 'MODE',
    value: { oneOf: STATE_MODES },
    description:
      'How states are set up: mock (control API), api (public API and keys per role), url ' +
      '(--provider-state-url), or auto.',
  },
  {
    name: 'provider-state-url',
    type: 'string',
    env: 'INKLINK_PACT_PROVIDER_STATE_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: "The provider's own state-change URL (receives Pact's {state, params, action}).",
  },
  {
    name: 'owner-key',
    type: 'string',
    env: 'INKLINK_OWNER_API_KEY',
    valueName: 'KEY',
    description: 'api and url modes: the key used where a state names the owner role.',
  },
  {
    name: 'admin-key',
    type: 'string',
    env: 'INKLINK_ADMIN_API_KEY',
    valueName: 'KEY',
    description: 'api and url modes: the admin key (also creates the endpoints states need).',
  },
  {
    name: 'member-key',
    type: 'string',
    env: 'INKLINK_MEMBER_API_KEY',
    valueName: 'KEY',
    description: 'api and url modes: the key used where a state names the member role.',
  },
  {
    name: 'other-org-key',
    type: 'string',
    env: 'INKLINK_OTHER_ORG_API_KEY',
    valueName: 'KEY',
    description:
      'api mode: an owner or admin key of another organization (creates the endpoint of "an endpoint exists ' +
      'in another organization").',
  },
  {
    name: 'endpoint-url',
    type: 'string',
    env: 'INKLINK_PACT_ENDPOINT_URL',
    default: 'https://example.com/inklink-pact-verify',
    valueName: 'URL',
    value: HTTP_URL,
    description: 'api mode: the URL of endpoints created for "an endpoint exists".',
  },
  {
    name: 'control-token',
    type: 'string',
    env: CONTROL_TOKEN_ENV,
    valueName: 'TOKEN',
    description: "mock mode: the mock's control token, if it has one.",
  },
  {
    name: 'mock-control-url',
    type: 'string',
    env: 'INKLINK_PACT_MOCK_CONTROL_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: "mock mode: where the control API is (default: the provider base URL's origin).",
  },
  {
    name: 'delivery-timeout',
    type: 'string',
    env: 'INKLINK_PACT_DELIVERY_TIMEOUT',
    default: '10s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: 'How long to wait for a webhook delivery a message state triggers.',
  },
  {
    name: 'pact-broker-url',
    type: 'string',
    env: 'PACT_BROKER_BASE_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: 'Fetch pacts from this Pact Broker (or PactFlow).',
  },
  {
    name: 'pact-broker-token',
    type: 'string',
    env: 'PACT_BROKER_TOKEN',
    valueName: 'TOKEN',
    description: 'Broker bearer token.',
  },
  {
    name: 'pact-broker-username',
    type: 'string',
    env: 'PACT_BROKER_USERNAME',
    valueName: 'USER',
    description: 'Broker basic-auth user.',
  },
  {
    name: 'pact-broker-password',
    type: 'string',
    env: 'PACT_BROKER_PASSWORD',
    valueName: 'PASSWORD',
    description: 'Broker basic-auth password.',
  },
  {
    name: 'consumer-version-selectors',
    type: 'string',
    env: 'INKLINK_PACT_CONSUMER_VERSION_SELECTORS',
    valueName: 'JSON',
    description:
      'Which consumer versions to verify, e.g. [{"mainBranch":true},{"deployedOrReleased":true}] (default: ' +
      'main branch, deployed or released, matching branch).',
  },
  {
    name: 'enable-pending',
    type: 'boolean',
    env: 'INKLINK_PACT_ENABLE_PENDING',
    description:
      'Pending pacts (not yet verified by this provider branch) do not fail the build. On by default with a ' +
      'broker; INKLINK_PACT_ENABLE_PENDING=false turns it off.',
  },
  {
    name: 'no-pending',
    type: 'boolean',
    env: 'INKLINK_PACT_NO_PENDING',
    description: 'Turn pending pacts off: every selected pact fails the build when it fails (and no WIP pacts).',
  },
  {
    name: 'include-wip-pacts-since',
    type: 'string',
    env: 'INKLINK_PACT_INCLUDE_WIP_PACTS_SINCE',
    valueName: 'DATE',
    description: 'Also verify work-in-progress pacts published since YYYY-MM-DD (as pending pacts).',
  },
  {
    name: 'publish',
    type: 'boolean',
    env: 'INKLINK_PACT_PUBLISH',
    description:
      'Publish the verification results to the broker (needs --provider-version and --provider-branch; ' +
      'refused in mock mode).',
  },
  {
    name: 'provider-version',
    type: 'string',
    env: 'INKLINK_PACT_PROVIDER_VERSION',
    valueName: 'V',
    description: "The provider's version (e.g. the git commit).",
  },
  {
    name: 'provider-branch',
    type: 'string',
    env: 'INKLINK_PACT_PROVIDER_BRANCH',
    valueName: 'B',
    description:
      "The provider version's branch; required with --publish and with a matchingBranch selector (a default one).",
  },
  {
    name: 'build-url',
    type: 'string',
    env: 'INKLINK_PACT_BUILD_URL',
    valueName: 'URL',
    value: HTTP_URL,
    description: 'The CI build URL published with the results.',
  },
  {
    name: 'timeout',
    type: 'string',
    env: 'INKLINK_PACT_TIMEOUT',
    default: '30s',
    valueName: 'DURATION',
    value: POSITIVE_DURATION,
    description: 'Per-request timeout of the verifier.',
  },
  {
    name: 'report',
    type: 'string',
    env: 'INKLINK_PACT_REPORT',
    valueName: 'FILE',
    description: 'Write the report (interactions, failures, state errors) as JSON to FILE.',
  },
  {
    name: 'log-level',
    type: 'string',
    env: 'INKLINK_PACT_LOG_LEVEL',
    default: 'warn',
    valueName: 'LEVEL',
    value: { oneOf: PACT_LOG_LEVELS },
    description:
      "Pact's log level: trace, debug, info, warn or error (debug and trace show requests, api keys included).",
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const PACT_VERIFY_HELP: CommandHelp = {
  usage:
    'Usage: inklink-mock pact-verify --provider-base-url URL (--pact FILE|DIR... | --pact-broker-url URL) [options]',
  about: `Verifies consumer pacts against a provider with Pact's Verifier and provider states. Exit status:
0 when every interaction passes, 1 when one fails, 2 on a usage error.`,
  examples: [
    [
      'inklink-mock pact-verify --provider-base-url http://127.0.0.1:4010 --pact pacts/',
      'the pacts in pacts/ against the mock (states through its control API)',
    ],
    [
      'inklink-mock pact-verify --provider-base-url https://staging.example.com/api/v1' +
        ' --provider-states api --pact pacts/ --admin-key $ADMIN --member-key $MEMBER',
      'a deployment, states set up through the public API',
    ],
    [
      'inklink-mock pact-verify --provider-base-url http://127.0.0.1:4010' +
        ' --pact-broker-url https://broker.example.com --publish --provider-version $GIT_SHA',
      'pacts from a broker, results published',
    ],
  ],
};

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Flags and env vars (already parsed) to the library's options. Pure. */
export function pactVerifyOptionsFrom(values: ParsedOptions): PactVerifyOptions {
  requireOptions(values, PACT_VERIFY_OPTIONS, ['provider-base-url']);
  const providerBaseUrl = String(values['provider-base-url']);
  const mode = String(values['provider-states']);
  const stateUrl = str(values['provider-state-url']);
  if (mode === 'url' && !stateUrl) throw new UsageError('--provider-states url needs --provider-state-url');
  const logLevel = String(values['log-level']);
  const timeoutMs = durationValue(values, 'timeout');
  const deliveryTimeoutMs = durationValue(values, 'delivery-timeout');
  const selectors = str(values['consumer-version-selectors']);
  let consumerVersionSelectors;
  try {
    consumerVersionSelectors = selectors === undefined ? undefined : parseConsumerVersionSelectors(selectors);
  } catch (e) {
    if (e instanceof PactVerifyConfigError) throw new UsageError(e.message);
    throw e;
  }
  const apiKeys = {
    ...(str(values['owner-key']) ? { owner: str(values['owner-key'])! } : {}),
    ...(str(values['admin-key']) ? { admin: str(values['admin-key'])! } : {}),
    ...(str(values['member-key']) ? { member: str(values['member-key'])! } : {}),
  };
  return {
    providerBaseUrl,
    pacts: (values.pact as string[] | undefined) ?? [],
    provider: String(values['provider-name']),
    states: {
      mode: mode as 'auto',
      stateUrl,
      apiKeys,
      otherOrgKey: str(values['other-org-key']),
      endpointUrl: str(values['endpoint-url']),
      controlToken: str(values['control-token']),
      controlUrl: str(values['mock-control-url']),
      deliveryTimeoutMs,
    },
    brokerUrl: str(values['pact-broker-url']),
    brokerToken: str(values['pact-broker-token']),
    brokerUsername: str(values['pact-broker-username']),
    brokerPassword: str(values['pact-broker-password']),
    consumerVersionSelectors,
    enablePending: pendingFrom(values),
    includeWipPactsSince: str(values['include-wip-pacts-since']),
    publish: values.publish === true ? true : undefined,
    providerVersion: str(values['provider-version']),
    providerBranch: str(values['provider-branch']),
    buildUrl: str(values['build-url']),
    timeoutMs,
    logLevel: logLevel as PactVerifyOptions['logLevel'],
  };
}

/** `--enable-pending` / `--no-pending` (or their env vars): on, off, or the default (undefined). */
function pendingFrom(values: ParsedOptions): boolean | undefined {
  const on = values['enable-pending'];
  const off = values['no-pending'] === true;
  if (on === true && off) throw new UsageError('give --enable-pending or --no-pending, not both');
  if (off || on === false) return false;
  return on === true ? true : undefined;
}

export function formatReport(r: VerificationReport): string {
  const lines: string[] = [];
  const failed = new Set(r.failures.map((f) => f.description));
  for (const i of r.interactions)
    lines.push(`  ${failed.has(i.description) || i.result !== 'OK' ? '✗' : '✓'} ${i.description}`);
  for (const f of r.failures) {
    lines.push(`  ✗ ${f.interaction}`);
    for (const m of f.mismatches) lines.push(`      ${m.path ?? m.key ?? m.type}: ${m.message}`);
  }
  for (const e of r.stateErrors) lines.push(`  ✗ provider state "${e.state}" (${e.action}): ${e.message}`);
  const nFailed = r.interactions.filter((i) => failed.has(i.description) || i.result !== 'OK').length;
  const n = r.interactions.length;
  lines.push(
    `pact-verify: ${n} interaction${n === 1 ? '' : 's'}, ${n - nFailed} passed, ${nFailed} failed` +
      `${r.stateErrors.length ? `, ${r.stateErrors.length} provider state errors` : ''} (provider states: ${r.mode})`,
  );
  return `${lines.join('\n')}\n`;
}

export async function pactVerifyCommand(argv: string[]): Promise<number> {
  const values = commandOptions(PACT_VERIFY_OPTIONS, PACT_VERIFY_HELP, argv, {
    positionalHint: 'pact files go with --pact',
  });
  if (!values) return 0;
  const options = pactVerifyOptionsFrom(values);
  try {
    toVerifierOptions(options);
  } catch (e) {
    if (e instanceof PactVerifyConfigError) throw new UsageError(e.message);
    throw e;
  }
  // Pact is an optional peer dependency: without it, one line says how to install it (exit 1).
  pactLib();
  let report: VerificationReport;
  try {
    report = await verifyPacts(options);
  } catch (e) {
    if (e instanceof PactVerifyConfigError) throw new UsageError(e.message);
    throw e;
  }
  process.stdout.write(formatReport(report));
  if (values.report) fs.writeFileSync(String(values.report), `${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}
