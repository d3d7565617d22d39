/**
 * Provider verification on Pact's `Verifier`: the options mapping (a pure function, broker
 * options included), the state handlers of `provider-states.ts`, and a report parsed from the
 * verifier's JSON results, interaction by interaction.
 */
import { redact } from '../core/log';
import path from 'node:path';
import type { ConsumerVersionSelector } from '@pact-foundation/pact-core/src/verifier/types';
import type { VerifierOptions } from '@pact-foundation/pact';
import { pactLib } from './lib';
import { PROVIDER_NAME } from './interactions';
import { createProviderStates, type ProviderStatesConfig, type StateError, type StateMode } from './provider-states';

export type { ConsumerVersionSelector };

export type PactLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface BrokerOptions {
  /** Pact Broker (or PactFlow) base URL: pacts are fetched from it by consumer version selectors. */
  brokerUrl?: string;
  brokerToken?: string;
  brokerUsername?: string;
  brokerPassword?: string;
  /** Which consumer versions' pacts to verify; default: main branch, deployed or released, matching branch. */
  consumerVersionSelectors?: ConsumerVersionSelector[];
  /** Verify pending pacts without failing on them. */
  enablePending?: boolean;
  /** Also verify work-in-progress pacts published since this date (YYYY-MM-DD). */
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
    if (!sel || typeof sel !== 'object' || Array.isArray(sel)) throw new PactVerifyConfigError(`consumer version selector ${i} is not an object`);
    const entries = Object.entries(sel as Record<string, unknown>);
    if (entries.length === 0) throw new PactVerifyConfigError(`consumer version selector ${i} is empty`);
    for (const [k, v] of entries) {
      const type = SELECTOR_KEYS[k as keyof ConsumerVersionSelector];
      if (!type) throw new PactVerifyConfigError(`consumer version selector ${i}: unknown key "${k}" (known: ${Object.keys(SELECTOR_KEYS).join(', ')})`);
      if (typeof v !== type) throw new PactVerifyConfigError(`consumer version selector ${i}: "${k}" must be a ${type}`);
    }
    return sel as ConsumerVersionSelector;
  });
}

/** Verifier options without the handlers: what `toVerifierOptions` decides. */
export type MappedVerifierOptions = Omit<VerifierOptions, 'stateHandlers' | 'requestFilter' | 'messageProviders' | 'beforeEach' | 'afterEach'> & {
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
  if (pacts.length === 0 && !o.brokerUrl) throw new PactVerifyConfigError('give pact files or directories (--pact), or a Pact Broker (--pact-broker-url)');
  if (!o.brokerUrl) {
    const brokerOnly: [keyof BrokerOptions, string][] = [
      ['consumerVersionSelectors', '--consumer-version-selectors'],
      ['publish', '--publish'],
      ['includeWipPactsSince', '--include-wip-pacts-since'],
      ['enablePending', '--enable-pending'],
      ['brokerToken', '--pact-broker-token'],
      ['brokerUsername', '--pact-broker-username'],
    ];
    for (const [key, flag] of brokerOnly) {
      if (o[key] !== undefined && o[key] !== false) throw new PactVerifyConfigError(`${flag} needs a Pact Broker (--pact-broker-url)`);
    }
  }
  if (o.publish && !o.providerVersion) throw new PactVerifyConfigError('--publish needs --provider-version (e.g. the git commit)');
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
  if (pacts.length) out.pactUrls = pacts.map((p) => (/^https?:\/\//i.test(p) ? p : path.resolve(p)));
  if (o.timeoutMs !== undefined) out.timeout = o.timeoutMs;
  if (o.brokerUrl) {
    out.pactBrokerUrl = o.brokerUrl;
    if (o.brokerToken) out.pactBrokerToken = o.brokerToken;
    if (o.brokerUsername) out.pactBrokerUsername = o.brokerUsername;
    if (o.brokerPassword) out.pactBrokerPassword = o.brokerPassword;
    out.consumerVersionSelectors = o.consumerVersionSelectors ?? DEFAULT_CONSUMER_VERSION_SELECTORS;
    if (o.enablePending) out.enablePending = true;
    if (o.includeWipPactsSince) out.includeWipPactsSince = o.includeWipPactsSince;
    out.publishVerificationResult = o.publish === true;
  }
  if (o.providerVersion) out.providerVersion = o.providerVersion;
  if (o.providerBranch) out.providerVersionBranch = o.providerBranch;
  if (o.buildUrl) out.buildUrl = o.buildUrl;
  return out;
}

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

/** Parses the verifier's JSON results (`pactffi_verifier_json`). */
export function parseVerifierResults(json: string): Omit<VerificationReport, 'mode' | 'stateErrors'> {
  const r = JSON.parse(json);
  const interactions: InteractionResult[] = (r.interactionResults ?? []).map((i: any) => ({ description: String(i.description), result: String(i.result) }));
  const describe = (name: string) =>
    interactions
      .map((i) => i.description)
      .filter((d) => name === d || name.endsWith(` - ${d}`))
      .sort((a, b) => b.length - a.length)[0] ?? name;
  const failure = (e: any): VerificationFailure => {
    const m = e.mismatch ?? {};
    const mismatches =
      m.type === 'mismatches'
        ? (m.mismatches ?? []).map((x: any) => ({
            type: String(x.type),
            message: redactMismatch(String(x.mismatch ?? x.description ?? ''), x.path),
            ...(x.path ? { path: String(x.path) } : {}),
            ...(x.key ? { key: String(x.key) } : {}),
          }))
        : [{ type: String(m.type ?? 'error'), message: String(m.message ?? JSON.stringify(m)) }];
    return { interaction: String(e.interaction), description: describe(String(e.interaction)), mismatches };
  };
  const failures = (r.errors ?? []).map(failure);
  return { ok: r.result === true && failures.length === 0, interactions, failures, pendingFailures: (r.pendingErrors ?? []).map(failure) };
}

/**
 * Verifies pacts against a provider and reports interaction by interaction. Resolves with
 * `ok: false` when an interaction or a state set-up fails; rejects on configuration errors.
 */
export async function verifyPacts(options: PactVerifyOptions): Promise<VerificationReport> {
  const mapped = toVerifierOptions(options);
  // Pact's anonymous usage tracking stays off unless the caller turned it on.
  process.env.PACT_DO_NOT_TRACK ??= 'true';
  const states = await createProviderStates({ ...(options.states ?? {}), providerBaseUrl: options.providerBaseUrl });
  const { Verifier } = pactLib();
  const verifier = new Verifier({
    ...mapped,
    stateHandlers: states.stateHandlers as any,
    requestFilter: states.requestFilter,
    beforeEach: states.beforeEach,
    afterEach: states.afterEach,
    messageProviders: states.messageProviders as any,
  });
  let raw: string;
  try {
    raw = await verifier.verifyProvider();
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
