/**
 * `verify`: checks the base URL answers, starts the receiver, builds the run's context, hands the
 * checks to the scheduler (schedule.ts: set-up steps, order, side by side, skipped, blocked,
 * streamed results) and returns the report. The checks are the files of checks/, written from
 * openapi.json and the docs; nothing here imports the mock.
 */
import { countStatuses } from '../../core/check-report';
import { secretRedactor } from '../../core/log';
import { API_KEY_HEADER } from '../../core/inklink';
import { getSpec, type CompiledSpec } from '../../core/spec';
import { createValidator } from '../../core/validator';
import { endpointsOf, type Check, type Requirement } from './check';
import { CHECKS } from './checks';
import { computeCoverage } from './coverage';
import { RunContext, type Issued, type Keys } from './context';
import { NOT_HTTP, RecordingClient } from './http';
import { startReceiver, type Receiver } from './receiver';
import { buildRequest } from './requests';
import { schedule } from './schedule';
import { randomSeed } from './generate/random';
import { startSetup } from './setup';
import { parseTrigger, type Trigger } from './trigger';
import type { CheckInfo, CheckResult, Exchange, Report } from './types';

export { CHECKS };

export interface VerifyOptions {
  baseUrl: string;
  adminKey: string;
  memberKey: string;
  /** An owner key of the same organization (privileged_roles; skipped without). */
  ownerKey?: string;
  otherOrgKey?: string;
  /** `mock`, `url:URL` or `none`. */
  trigger?: string;
  /** Bearer token for the mock's control API (the `mock` trigger). */
  controlToken?: string;
  receiverHost?: string;
  receiverPort?: number;
  /** The URL endpoints deliver to, when the receiver is reached through another address. */
  receiverUrl?: string;
  /** How long to wait for an expected delivery (and for a retry). */
  deliveryWaitMs?: number;
  requestTimeoutMs?: number;
  /** generated_requests' seed (a random one without; the report says which). */
  seed?: number;
  /** How many requests generated_requests generates. */
  generated?: number;
  /** Run only these checks (by name). */
  only?: string[];
  spec?: CompiledSpec;
  /** Called once the base URL answered, before the set-up (a table's header goes first), with the seed. */
  onStart?: (seed: number) => void;
  /** Called with each result (the set-up's first, when it failed) as soon as it is final. */
  onResult?: (r: CheckResult) => void;
}

/** How many requests generated_requests generates by default: a run against the mock stays well under 10 s. */
export const DEFAULT_GENERATED = 200;

export const CHECK_INFO: CheckInfo[] = CHECKS.map(({ name, description }) => ({ name, description }));

/** How long the first request may take before the base URL counts as unreachable. */
export const REACHABILITY_TIMEOUT_MS = 4500;

/** The checks `only` names (all of them without it), in report order. */
function selectChecks(only: readonly string[] | undefined): readonly Check[] {
  const unknown = (only ?? []).filter((n) => !CHECKS.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown check(s): ${unknown.join(', ')}`);
  return CHECKS.filter((c) => !only || only.includes(c.name));
}

export async function verify(options: VerifyOptions): Promise<Report> {
  const started = Date.now();
  const spec = options.spec ?? getSpec();
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const trigger = parseTrigger(options.trigger ?? 'none', baseUrl, options.controlToken);
  const checks = selectChecks(options.only);
  const keys: Keys = {
    admin: options.adminKey,
    member: options.memberKey,
    owner: options.ownerKey,
    otherOrg: options.otherOrgKey,
  };
  const generation = { seed: options.seed ?? randomSeed(), cases: options.generated ?? DEFAULT_GENERATED };
  const client = new RecordingClient(baseUrl, spec, options.requestTimeoutMs ?? 10_000);
  const report = (results: CheckResult[], issued: Issued[], aborted?: string) =>
    buildReport({
      baseUrl,
      spec,
      started,
      trigger,
      seed: generation.seed,
      keys,
      exchanges: client.exchanges,
      issued,
      results,
      aborted,
    });

  // Reachable at all? One harmless request (rotating an unknown id without a key), within 4.5 s.
  const preflight = buildRequest('rotateWebhookEndpointSecret', { endpointId: 'wh_end_inklinkmockverifypreflight' });
  const reach = await client.send('preflight: is the implementation reachable', preflight.method, preflight.path, {
    timeoutMs: REACHABILITY_TIMEOUT_MS,
  });
  if (!reach.response)
    return report(
      [],
      [],
      reach.error?.startsWith(NOT_HTTP) ? `${baseUrl} ${reach.error}` : `cannot reach ${baseUrl}: ${reach.error}`,
    );
  options.onStart?.(generation.seed);

  let receiver: Receiver | undefined;
  if (trigger.kind !== 'none')
    receiver = await startReceiver(options.receiverHost ?? '127.0.0.1', options.receiverPort ?? 0, options.receiverUrl);
  const run = new RunContext({
    client,
    spec,
    validator: createValidator(spec),
    keys,
    trigger,
    receiver,
    deliveryWaitMs: options.deliveryWaitMs ?? 10_000,
    generation,
    endpointUrl: (tag) =>
      receiver
        ? receiver.urlFor(tag)
        : `${(options.receiverUrl ?? 'https://example.invalid/inklink-mock-verify').replace(/\/+$/, '')}/${tag}`,
  });
  const given: Record<Requirement, boolean> = {
    trigger: trigger.kind !== 'none',
    ownerKey: !!keys.owner,
    otherOrgKey: !!keys.otherOrg,
  };
  let results: CheckResult[];
  try {
    results = await schedule({
      checks,
      has: (r) => given[r],
      startSetup: (needs) =>
        startSetup(run, needs.endpoints, needs.trigger, () => compileResponseValidators(spec), needs.own),
      contextFor: (c) => run.forCheck({ name: c.name, endpoints: endpointsOf(c), reads: c.reads }),
      onResult: options.onResult,
    });
  } finally {
    await receiver?.close();
  }
  return report(results, run.issued);
}

/** Compiles every declared response's validators now (while waiting for a delivery) rather than in the reviews. */
function compileResponseValidators(spec: CompiledSpec): void {
  for (const op of spec.operations.values())
    for (const status of op.responses.keys())
      if (/^\d+$/.test(status)) spec.responsePlan(op.operationId, Number(status));
  spec.componentValidator('error');
}

function buildReport(r: {
  baseUrl: string;
  spec: CompiledSpec;
  started: number;
  trigger: Trigger;
  seed: number;
  keys: Keys;
  exchanges: Exchange[];
  issued: Issued[];
  results: CheckResult[];
  aborted?: string;
}): Report {
  return {
    tool: 'inklink-mock verify',
    baseUrl: r.baseUrl,
    startedAt: new Date(r.started).toISOString(),
    durationMs: Date.now() - r.started,
    trigger: r.trigger.description,
    seed: r.seed,
    ...(r.aborted ? { aborted: r.aborted } : {}),
    results: r.results,
    exchanges: r.exchanges.map((e) => redactExchange(e, r.keys, r.issued)),
    counts: countStatuses(r.results),
    ...(r.aborted ? {} : { coverage: computeCoverage(r.spec, CHECKS, r.exchanges, r.results) }),
  };
}

/**
 * A copy of an exchange fit for a report: keys replaced by their role, and secrets redacted: the
 * `whsec_…` shape, and every value the run was issued as a secret, also without its prefix (an
 * implementation that drops `whsec_` must not get its secrets printed).
 */
function redactExchange(e: Exchange, keys: Keys, issued: Issued[]): Exchange {
  const known = Object.values(keys).filter((k): k is string => !!k);
  const redactSecrets = secretRedactor(issued.map((i) => (typeof i.secret === 'string' ? i.secret : undefined)));
  const scrub = (s: string) => redactSecrets(known.reduce((acc, k) => acc.split(k).join('<api key>'), s));
  const headers = Object.fromEntries(
    Object.entries(e.request.headers).map(([k, v]) => [
      k,
      k.toLowerCase() === API_KEY_HEADER ? `<${e.request.keyLabel ?? 'api key'}>` : scrub(v),
    ]),
  );
  return {
    ...e,
    request: {
      ...e.request,
      // A key sent in the query (generated_requests) is scrubbed from the URL too.
      url: scrub(e.request.url),
      path: scrub(e.request.path),
      headers,
      body: e.request.body === undefined ? undefined : scrub(e.request.body),
    },
    response: e.response && {
      status: e.response.status,
      headers: Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k, scrub(v)])),
      body: scrub(e.response.body),
    },
  };
}
