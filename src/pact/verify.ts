/**
 * Provider verification on Pact's `Verifier`: the options mapping (a pure function, broker
 * options included), the state handlers of `provider-states.ts`, and a report parsed from the
 * verifier's JSON results, interaction by interaction.
 *
 * With a broker, the mapping follows Pact's recommended configuration
 * (docs.pact.io/provider/recommended_configuration): pacts selected by consumer version selectors
 * are verified with pending pacts on unless turned off, work-in-progress pacts only with pending,
 * and the provider branch given whenever `matchingBranch` is selected or results are published. A
 * verification triggered for pact URLs (a broker webhook's `${pactbroker.pactUrl}`) verifies those
 * pacts and nothing else: no selectors, no pending, no WIP.
 */
import { redact } from '../../core/log';
import path from 'node:path';
import type { VerifierOptions } from '@pact-foundation/pact';
import { pactLib, withoutHttpProxyDeprecation } from './lib';
import { PROVIDER_NAME } from './interactions';
import { createProviderStates, type ProviderStatesConfig, type StateError, type StateMode } from './provider-states';

/** A consumer version selector, as Pact types it (from its public types: pact-core moved its files in 20). */
export type ConsumerVersionSelector = NonNullable<VerifierOptions['consumerVersionSelectors']>[number];

export type PactLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface BrokerOptions {
  /** Pact Broker (or PactFlow) base URL: pacts are fetched from it by consumer version selectors. */
  brokerUrl?: string;
  brokerToken?: string;
  brokerUsername?: string;
  brokerPassword?: string;
  /** Which consumer versions' pacts to verify; default: main branch, deployed or released, matching branch. */
  consumerVersionSelectors?: ConsumerVersionSelector[];
  /** Pending pacts (not yet verified by this provider branch) do not fail the run; default on with selectors. */
  enablePending?: boolean;
  /** Also verify work-in-progress pacts published since this date (YYYY-MM-DD); needs pending pacts. */
  includeWipPactsSince?: string;
  /** Publish the results to the broker (needs providerVersion). */
  publish?: boolean;
  providerVersion?: string;
  providerBranch?: string;
  /** CI build URL published with the results. */
  buildUrl?: string;
}

export interface PactVerifyOptions extends BrokerOptions {
  providerBaseUrl: string;
  /** Pact files, directories of pact files, or pact URLs. */
  pacts?: string[];
  /** The provider's name in the pacts (default `inklink`). */
  provider?: string;
  /** How provider states are set up (see provider-states.ts); providerBaseUrl is filled in. */
  states?: Omit<ProviderStatesConfig, 'providerBaseUrl'>;
  logLevel?: PactLogLevel;
  /** Per-request timeout of the verifier, ms. */
  timeoutMs?: number;
}

export class PactVerifyConfigError extends Error {}

/** The provider did not answer at all: nothing was verified. */
export class ProviderUnreachableError extends Error {}

const isUrl = (p: string) => /^https?:\/\//i.test(p);

/** Pact's recommended selectors: the main branch, whatever is deployed or released, the same branch. */
export const DEFAULT_CONSUMER_VERSION_SELECTORS: ConsumerVersionSelector[] = [
  { mainBranch: true },
  { deployedOrReleased: true },
  { matchingBranch: true },
];

const SELECTOR_KEYS: Record<keyof ConsumerVersionSelector, 'string' | 'boolean'> = {
  tag: 'string',
  latest: 'boolean',
  consumer: 'string',
  deployedOrReleased: 'boolean',
  deployed: 'boolean',
  released: 'boolean',
  environment: 'string',
  fallbackTag: 'string',
  branch: 'string',
  mainBranch: 'boolean',
  matchingBranch: 'boolean',
};

/** Parses `--consumer-version-selectors` (a JSON array of selector objects, or one object). */
export function parseConsumerVersionSelectors(json: string): ConsumerVersionSelector[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PactVerifyConfigError('consumer version selectors must be JSON, e.g. [{"mainBranch": true}]');
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PactVerifyConfigError('consumer version selectors: give at least one selector');
  return list.map((sel, i) => {
    if (!sel || typeof sel !== 'object' || Array.isArray(sel))
      throw new PactVerifyConfigError(`consumer version selector ${i} is not an object`);
    const entries = Object.entries(sel as Record<string, unknown>);
    if (entries.length === 0) throw new PactVerifyConfigError(`consumer version selector ${i} is empty`);
    for (const [k, v] of entries) {
      const type = SELECTOR_KEYS[k as keyof ConsumerVersionSelector];
      if (!type)
        throw new PactVerifyConfigError(
          `consumer version selector ${i}: unknown key "${k}" (known: ${Object.keys(SELECTOR_KEYS).join(', ')})`,
        );
      if (typeof v !== type)
        throw new PactVerifyConfigError(`consumer version selector ${i}: "${k}" must be a ${type}`);
    }
    return sel as ConsumerVersionSelector;
  });
}

/** Verifier options without the handlers: what `toVerifierOptions` decides. */
export type MappedVerifierOptions = Omit<
  VerifierOptions,
  'stateHandlers' | 'requestFilter' | 'messageProviders' | 'beforeEach' | 'afterEach'
> & {
  providerBaseUrl: string;
};

/**
 * Maps inklink-mock's options onto Pact's Verifier options. Pure: no I/O, no environment.
 * Local pacts and a broker may be combined; results can only be published for broker pacts.
 */
export function toVerifierOptions(o: PactVerifyOptions): MappedVerifierOptions {
  if (!o.providerBaseUrl) throw new PactVerifyConfigError('a provider base URL is required');
  let base: URL | undefined;
  try {
    base = new URL(o.providerBaseUrl);
  } catch {
    base = undefined;
  }
  if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:')) {
    throw new PactVerifyConfigError('the provider base URL must be an absolute http(s) URL');
  }
  const pacts = o.pacts ?? [];
  if (pacts.length === 0 && !o.brokerUrl)
    throw new PactVerifyConfigError('give pact files or directories (--pact), or a Pact Broker (--pact-broker-url)');
  // A pact URL is what a broker webhook hands a provider build: that pact, and nothing selected.
  const byUrl = pacts.some(isUrl);
  const bySelectors = !!o.brokerUrl && !byUrl;
  if (!o.brokerUrl && !byUrl) {
    const brokerOnly: [keyof BrokerOptions, string][] = [
      ['consumerVersionSelectors', '--consumer-version-selectors'],
      ['publish', '--publish'],
      ['includeWipPactsSince', '--include-wip-pacts-since'],
      ['enablePending', '--enable-pending'],
      ['brokerToken', '--pact-broker-token'],
      ['brokerUsername', '--pact-broker-username'],
    ];
    for (const [key, flag] of brokerOnly) {
      if (o[key] !== undefined && o[key] !== false)
        throw new PactVerifyConfigError(`${flag} needs a Pact Broker (--pact-broker-url)`);
    }
  }
  if (byUrl) {
    const selecting: [keyof BrokerOptions, string][] = [
      ['consumerVersionSelectors', '--consumer-version-selectors'],
      ['includeWipPactsSince', '--include-wip-pacts-since'],
      ['enablePending', '--enable-pending'],
    ];
    for (const [key, flag] of selecting) {
      if (o[key] !== undefined && o[key] !== false) {
        throw new PactVerifyConfigError(
          `${flag} applies to pacts a broker selects; ` +
            'a verification of pact URLs (e.g. from a broker webhook) verifies those pacts only',
        );
      }
    }
  }
  const selectors = o.consumerVersionSelectors ?? DEFAULT_CONSUMER_VERSION_SELECTORS;
  const pending = bySelectors && o.enablePending !== false;
  if (o.includeWipPactsSince !== undefined && bySelectors && !pending) {
    throw new PactVerifyConfigError(
      '--include-wip-pacts-since needs pending pacts: work-in-progress pacts are verified as pending (drop ' +
        '--no-pending)',
    );
  }
  if (o.publish && !o.providerVersion)
    throw new PactVerifyConfigError('--publish needs --provider-version (e.g. the git commit)');
  if (o.publish && !o.providerBranch)
    throw new PactVerifyConfigError(
      '--publish needs --provider-branch: the broker records results, and computes pending pacts, per provider branch',
    );
  if (bySelectors && !o.providerBranch && selectors.some((s) => s.matchingBranch)) {
    throw new PactVerifyConfigError(
      'the selector {"matchingBranch": true} (one of the defaults) needs --provider-branch: it selects the ' +
        "consumer branch named like the provider's; give the branch, or selectors without matchingBranch",
    );
  }
  if (o.publish && o.states?.mode === 'mock') throw new PactVerifyConfigError(PUBLISH_MOCK);
  if (o.brokerToken && (o.brokerUsername || o.brokerPassword)) {
    throw new PactVerifyConfigError('use a broker token or a username and password, not both');
  }
  if (o.includeWipPactsSince !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.includeWipPactsSince)) {
    throw new PactVerifyConfigError('--include-wip-pacts-since must be a date, YYYY-MM-DD');
  }

  const out: MappedVerifierOptions = {
    provider: o.provider ?? PROVIDER_NAME,
    providerBaseUrl: o.providerBaseUrl,
    failIfNoPactsFound: true,
    logLevel: o.logLevel ?? 'warn',
  };
  if (pacts.length) out.pactUrls = pacts.map((p) => (isUrl(p) ? p : path.resolve(p)));
  if (o.timeoutMs !== undefined) out.timeout = o.timeoutMs;
  // Credentials serve pact URLs as well as the broker's own source.
  if (o.brokerToken) out.pactBrokerToken = o.brokerToken;
  if (o.brokerUsername) out.pactBrokerUsername = o.brokerUsername;
  if (o.brokerPassword) out.pactBrokerPassword = o.brokerPassword;
  if (bySelectors) {
    out.pactBrokerUrl = o.brokerUrl;
    out.consumerVersionSelectors = selectors;
    out.enablePending = pending;
    if (o.includeWipPactsSince) out.includeWipPactsSince = o.includeWipPactsSince;
  }
  if (o.brokerUrl || byUrl) out.publishVerificationResult = o.publish === true;
  // The version only goes with publishing: Pact would otherwise publish whenever
  // PACT_BROKER_PUBLISH_VERIFICATION_RESULTS happens to be set.
  if (o.publish && o.providerVersion) out.providerVersion = o.providerVersion;
  if (o.providerBranch) out.providerVersionBranch = o.providerBranch;
  if (o.buildUrl) out.buildUrl = o.buildUrl;
  return out;
}

const PUBLISH_MOCK =
  '--publish is refused in mock mode: the results would record the mock as the real provider and mislead ' +
  'can-i-deploy; publish from a verification of the real provider';

export interface InteractionResult {
  description: string;
  result: string;
}

export interface VerificationFailure {
  /** Pact's name for it: consumer, provider, states and description. */
  interaction: string;
  /** The interaction's description, when it can be told. */
  description: string;
  mismatches: { type: string; message: string; path?: string; key?: string }[];
}

export interface VerificationReport {
  ok: boolean;
  mode: StateMode;
  interactions: InteractionResult[];
  failures: VerificationFailure[];
  /** Failures of pending pacts (reported, not failing). */
  pendingFailures: VerificationFailure[];
  stateErrors: StateError[];
}

/**
 * A mismatch as it may be reported: secrets redacted (`whsec_…`, and any quoted value of a
 * `secret` field: a provider that drops the prefix must not get its secrets printed).
 */
export function redactMismatch(message: string, path: unknown): string {
  const out = typeof path === 'string' && /secret$/i.test(path) ? message.replace(/'[^']*'/, "'[redacted]'") : message;
  return redact(out);
}

/** What the report reads of the verifier's JSON results (members may be missing). */
interface VerifierResults {
  result?: boolean;
  interactionResults?: { description?: string; result?: string }[];
  errors?: VerifierError[];
  pendingErrors?: VerifierError[];
}

interface VerifierError {
  interaction?: string;
  mismatch?: {
    type?: string;
    message?: string;
    mismatches?: { type?: string; mismatch?: string; description?: string; path?: string; key?: string }[];
  };
}

/** Parses the verifier's JSON results (`pactffi_verifier_json`). */
export function parseVerifierResults(json: string): Omit<VerificationReport, 'mode' | 'stateErrors'> {
  const r = JSON.parse(json) as VerifierResults;
  const interactions: InteractionResult[] = (r.interactionResults ?? []).map((i) => ({
    description: String(i.description),
    result: String(i.result),
  }));
  const describe = (name: string) =>
    interactions
      .map((i) => i.description)
      .filter((d) => name === d || name.endsWith(` - ${d}`))
      .sort((a, b) => b.length - a.length)[0] ?? name;
  const failure = (e: VerifierError): VerificationFailure => {
    const m: NonNullable<VerifierError['mismatch']> = e.mismatch ?? {};
    const mismatches =
      m.type === 'mismatches'
        ? (m.mismatches ?? []).map((x) => ({
            type: String(x.type),
            message: redactMismatch(String(x.mismatch ?? x.description ?? ''), x.path),
            ...(x.path ? { path: String(x.path) } : {}),
            ...(x.key ? { key: String(x.key) } : {}),
          }))
        : [{ type: String(m.type ?? 'error'), message: String(m.message ?? JSON.stringify(m)) }];
    return { interaction: String(e.interaction), description: describe(String(e.interaction)), mismatches };
  };
  const failures = (r.errors ?? []).map(failure);
  return {
    ok: r.result === true && failures.length === 0,
    interactions,
    failures,
    pendingFailures: (r.pendingErrors ?? []).map(failure),
  };
}

/** How long the provider has to answer anything at all before a run gives up (well within 5 s). */
export const PROBE_TIMEOUT_MS = 4000;

/**
 * Fails fast, with one line, when nothing answers at the provider's base URL: Pact's verifier would
 * otherwise try each interaction in turn, for minutes, and print no summary. Any HTTP answer will do.
 */
export async function probeProvider(
  baseUrl: string,
  timeoutMs = PROBE_TIMEOUT_MS,
  f: typeof fetch = fetch,
): Promise<void> {
  try {
    const res = await f(baseUrl, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel().catch(() => undefined);
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === 'TimeoutError' || err.name === 'AbortError'
        ? `no answer within ${timeoutMs / 1000} s`
        : (err.cause?.code ?? err.message);
    throw new ProviderUnreachableError(`cannot reach the provider at ${baseUrl} (${why}); nothing was verified`);
  }
}

/**
 * Pact's core reads PACT_BROKER_BASE_URL and PACT_BROKER_PUBLISH_VERIFICATION_RESULTS behind the
 * options' back: it would add the broker's selected pacts to a verification of pact URLs. While
 * the verifier runs they are set aside, so the options alone decide.
 */
async function withoutAmbientBrokerEnv<T>(run: () => Promise<T>): Promise<T> {
  const names = ['PACT_BROKER_BASE_URL', 'PACT_BROKER_PUBLISH_VERIFICATION_RESULTS'];
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  try {
    return await run();
  } finally {
    for (const [n, v] of saved) if (v !== undefined && process.env[n] === undefined) process.env[n] = v;
  }
}

/**
 * Verifies pacts against a provider and reports interaction by interaction. Resolves with
 * `ok: false` when an interaction or a state set-up fails; rejects on configuration errors
 * (PactVerifyConfigError, publishing a verification of the mock included) and when the provider
 * does not answer at all (ProviderUnreachableError).
 */
export async function verifyPacts(options: PactVerifyOptions): Promise<VerificationReport> {
  const mapped = toVerifierOptions(options);
  await probeProvider(options.providerBaseUrl, PROBE_TIMEOUT_MS, options.states?.fetch);
  // Pact's anonymous usage tracking stays off unless the caller turned it on.
  process.env.PACT_DO_NOT_TRACK ??= 'true';
  const states = await createProviderStates({ ...(options.states ?? {}), providerBaseUrl: options.providerBaseUrl });
  if (options.publish && states.mode === 'mock') {
    await states.close();
    throw new PactVerifyConfigError(PUBLISH_MOCK);
  }
  const { Verifier } = pactLib();
  const verifier = new Verifier({
    ...mapped,
    // Pact types a state's parameters as any JSON; the pact's are an object (`{}` when it gives none).
    stateHandlers: states.stateHandlers as VerifierOptions['stateHandlers'],
    requestFilter: states.requestFilter,
    beforeEach: states.beforeEach,
    afterEach: states.afterEach,
    messageProviders: states.messageProviders,
  });
  let raw: string;
  try {
    raw = await withoutHttpProxyDeprecation(() => withoutAmbientBrokerEnv(() => verifier.verifyProvider()));
  } catch (e) {
    raw = (e as Error)?.message ?? String(e);
    if (!raw.trim().startsWith('{')) {
      await states.close();
      throw new PactVerifyConfigError(`the verifier could not run: ${raw}`);
    }
  }
  await states.close();
  const parsed = parseVerifierResults(raw);
  return { ...parsed, ok: parsed.ok && states.errors.length === 0, mode: states.mode, stateErrors: [...states.errors] };
}
