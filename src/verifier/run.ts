/**
 * `verify`: checks the base URL answers, sets up through InkLink's public API only, runs the
 * checks (the probes and the delivery checks side by side, each on endpoints of its own, then the
 * reviews of everything the run provoked, in order), and returns a report. Each result is handed to
 * `onResult` as soon as it is final. The checks are written from openapi.json and the docs;
 * nothing here imports the mock.
 */
import { countStatuses } from '../../core/check-report';
import { redact, secretRedactor } from '../../core/log';
import { API_KEY_HEADER } from '../../core/inklink';
import { getSpec, type CompiledSpec } from '../../core/spec';
import { createValidator } from '../../core/validator';
import type { Check, Requirement } from './check';
import type { Outcome } from './checks/util';
import { RunContext, rotatePath, type Issued } from './context';
import { RecordingClient } from './http';
import { startReceiver, type Receiver } from './receiver';
import { dependencyOrder, resolveResult } from './resolve';
import * as access from './scenarios/access';
import * as deliveries from './scenarios/deliveries';
import * as review from './scenarios/review';
import { startSetup, type SetupFailure } from './setup';
import { parseTrigger } from './trigger';
import type { CheckInfo, CheckResult, Exchange, Report } from './types';

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
  /** Run only these checks (by name). */
  only?: string[];
  spec?: CompiledSpec;
  /** Called once the base URL answered, before the set-up (a table's header goes first). */
  onStart?: () => void;
  /** Called with each result (the set-up's first, when it failed) as soon as it is final. */
  onResult?: (r: CheckResult) => void;
}

/**
 * The checks, in report order: probes and deliveries (run side by side), then the reviews of
 * everything the run provoked.
 */
export const CHECKS: Check[] = [
  access.authRequired,
  access.roleEnforced,
  access.privilegedRoles,
  access.unknownEndpoint,
  access.notFoundIndistinguishable,
  access.refusalOrder,
  access.createValidation,
  deliveries.deliverySignature,
  deliveries.immediateInvalidation,
  deliveries.rotationScoped,
  deliveries.retryAfterRotation,
  deliveries.failedAttemptsRetried,
  deliveries.disabledEndpoint,
  deliveries.subscriptions,
  deliveries.deliveryConformance,
  review.createdEndpoint,
  review.statusCodeConformance,
  review.contentTypeConformance,
  review.responseSchemaConformance,
  review.responseHeadersConformance,
  review.errorEnvelope,
  review.requestIdUnique,
  review.keysNeverEchoed,
  review.oneTimeSecret,
];

export const CHECK_INFO: CheckInfo[] = CHECKS.map(({ name, description }) => ({ name, description }));

/** How long the first request may take before the base URL counts as unreachable. */
export const REACHABILITY_TIMEOUT_MS = 4500;

const SKIP_REASON: Record<Requirement, string> = {
  trigger: 'needs a trigger (--trigger mock or url:URL)',
  ownerKey: 'needs an owner key (--owner-key)',
  otherOrgKey: "needs another organization's key (--other-org-key)",
};

export async function verify(options: VerifyOptions): Promise<Report> {
  const started = Date.now();
  const spec = options.spec ?? getSpec();
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const trigger = parseTrigger(options.trigger ?? 'none', baseUrl, options.controlToken);
  const unknown = (options.only ?? []).filter((n) => !CHECKS.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown check(s): ${unknown.join(', ')}`);
  const selected = CHECKS.filter((c) => !options.only || options.only.includes(c.name));
  const keys = {
    admin: options.adminKey,
    member: options.memberKey,
    owner: options.ownerKey,
    otherOrg: options.otherOrgKey,
  };

  const client = new RecordingClient(baseUrl, spec, options.requestTimeoutMs ?? 10_000);
  let receiver: Receiver | undefined;
  const ctx = () =>
    new RunContext(
      client,
      spec,
      createValidator(spec),
      keys,
      trigger,
      receiver,
      options.deliveryWaitMs ?? 10_000,
      (tag) =>
        receiver
          ? receiver.urlFor(tag)
          : `${(options.receiverUrl ?? 'https://example.invalid/inklink-mock-verify').replace(/\/+$/, '')}/${tag}`,
    );
  const finish = (results: CheckResult[], aborted?: string): Report => {
    const counts = countStatuses(results);
    return {
      tool: 'inklink-mock verify',
      baseUrl,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      trigger: trigger.description,
      ...(aborted ? { aborted } : {}),
      results,
      exchanges: client.exchanges.map((e) => redactExchange(e, keys, run?.issued ?? [])),
      counts,
    };
  };
  // eslint-disable-next-line prefer-const -- finish() reads it (undefined) before it is set: a const would throw
  let run: RunContext | undefined;

  // Reachable at all? One harmless request (rotating an unknown id without a key), within 4.5 s.
  const reach = await client.send(
    'preflight: is the implementation reachable',
    'POST',
    rotatePath('wh_end_inklinkmockverifypreflight'),
    { timeoutMs: REACHABILITY_TIMEOUT_MS },
  );
  if (!reach.response) return finish([], `cannot reach ${baseUrl}: ${reach.error}`);
  options.onStart?.();

  if (trigger.kind !== 'none')
    receiver = await startReceiver(options.receiverHost ?? '127.0.0.1', options.receiverPort ?? 0, options.receiverUrl);
  run = ctx();
  const final = new Map<string, CheckResult>();
  const emitted: CheckResult[] = [];
  const emit = (r: CheckResult) => {
    final.set(r.name, r);
    emitted.push(r);
    options.onResult?.(r);
  };
  try {
    const unmet = (c: Check) =>
      c.requires?.find((r) =>
        r === 'trigger' ? trigger.kind === 'none' : r === 'ownerKey' ? !keys.owner : !keys.otherOrg,
      );
    const runnable = selected.filter((c) => !unmet(c));
    const proveTrigger =
      trigger.kind !== 'none' && runnable.some((c) => c.phase === 'deliver' || c.requires?.includes('trigger'));
    const setup = startSetup(run, new Set(runnable.flatMap((c) => c.endpoints ?? [])), proveTrigger, () =>
      compileResponseValidators(spec),
    );
    // The set-up's row comes first, before any check it blocked.
    const setupDone = setup.all.then((failures) => {
      if (failures.length) emit(setupResult(failures));
      return failures;
    });

    // Results become final (and are reported) once every check they may be blocked by is final.
    const raw = new Map<string, CheckResult>();
    const order = dependencyOrder(selected);
    const settle = () => {
      for (const name of order) {
        const check = selected.find((c) => c.name === name)!;
        const r = raw.get(name);
        if (final.has(name) || !r) continue;
        const deps = (check.after ?? []).filter((d) => selected.some((c) => c.name === d));
        if (!deps.every((d) => final.has(d))) continue;
        emit(resolveResult(r, final));
      }
    };
    const record = (check: Check, outcome: Outcome, durationMs: number) => {
      raw.set(check.name, { name: check.name, description: check.description, ...outcome, durationMs });
      settle();
    };
    for (const c of selected) {
      const missing = unmet(c);
      if (missing) record(c, { status: 'skip', summary: SKIP_REASON[missing], evidence: [] }, 0);
    }
    /** Runs a check once the set-up steps it needs are done, or reports it blocked by the one that failed. */
    const runOne = async (c: Check) => {
      const endpoints = c.endpoints ?? [];
      const own = await setup.failureOf(endpoints, c.requires?.includes('trigger') === true);
      // A delivery check that can do without the trigger still waits to know whether it works.
      if (c.phase === 'deliver') await setup.failureOf([], true);
      // A check that needs no endpoint still needs the admin key: it waits for the whole set-up.
      const failures = own || endpoints.length === 0 ? await setupDone : [];
      const blocked = own ?? failures.find((f) => f.keyRefused && (c.phase !== 'review' || endpoints.length > 0));
      if (blocked)
        record(
          c,
          { status: 'blocked', summary: `not run: ${blocked.evidence.message}`, evidence: [], blockedBy: ['setup'] },
          0,
        );
      else record(c, ...(await timed(c, run)));
    };
    const pending = (phase: Check['phase']) => selected.filter((c) => c.phase === phase && !raw.has(c.name));
    await Promise.all([...pending('probe'), ...pending('deliver')].map(runOne));
    await setupDone;
    for (const c of pending('review')) await runOne(c);
  } finally {
    await receiver?.close();
  }
  const index = (r: CheckResult) => (r.name === 'setup' ? -1 : CHECKS.findIndex((c) => c.name === r.name));
  return finish([...emitted].sort((a, b) => index(a) - index(b)));
}

/** Compiles every declared response's validators now (while waiting for a delivery) rather than in the reviews. */
function compileResponseValidators(spec: CompiledSpec): void {
  for (const op of spec.operations.values())
    for (const status of op.responses.keys())
      if (/^\d+$/.test(status)) spec.responsePlan(op.operationId, Number(status));
  spec.componentValidator('error');
}

async function timed(check: Check, ctx: RunContext): Promise<[Outcome, number]> {
  const t0 = Date.now();
  try {
    return [await check.run(ctx), Date.now() - t0];
  } catch (e) {
    return [
      { status: 'fail', summary: redact(`the check could not run: ${(e as Error).message}`), evidence: [] },
      Date.now() - t0,
    ];
  }
}

function setupResult(failures: SetupFailure[]): CheckResult {
  return {
    name: 'setup',
    description:
      'The set-up: the endpoints the checks work on, created through the public API, and one delivery that ' +
      'proves the trigger works.',
    status: 'fail',
    summary: failures[0].evidence.message,
    evidence: failures.map((f) => f.evidence),
    durationMs: 0,
  };
}

/**
 * A copy of an exchange fit for a report: keys replaced by their role, and secrets redacted: the
 * `whsec_…` shape, and every value the run was issued as a secret, also without its prefix (an
 * implementation that drops `whsec_` must not get its secrets printed).
 */
function redactExchange(e: Exchange, keys: Record<string, string | undefined>, issued: Issued[]): Exchange {
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
    request: { ...e.request, headers, body: e.request.body === undefined ? undefined : scrub(e.request.body) },
    response: e.response && {
      status: e.response.status,
      headers: Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k, scrub(v)])),
      body: scrub(e.response.body),
    },
  };
}
