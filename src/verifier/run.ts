/**
 * `verify`: sets up through InkLink's public API only, runs the named checks in order, and returns
 * a report. The checks are written from openapi.json and the docs; nothing here imports the mock.
 */
import { redact, secretRedactor } from '../core/log';
import { API_KEY_HEADER } from '../core/inklink';
import { getSpec, type CompiledSpec } from '../core/spec';
import { createValidator } from '../core/validator';
import { createValidation, authRequired, notFoundIndistinguishable, roleEnforced, unknownEndpoint } from './checks/access';
import { deliveryConformance, immediateInvalidation } from './checks/deliveries';
import {
  contentTypeConformance,
  errorEnvelope,
  oneTimeSecret,
  responseHeadersConformance,
  responseSchemaConformance,
  statusCodeConformance,
} from './checks/responses';
import type { Check } from './checks/util';
import { RunContext } from './context';
import { RecordingClient } from './http';
import { startReceiver, type Receiver } from './receiver';
import { parseTrigger } from './trigger';
import type { CheckInfo, CheckResult, Exchange, Report } from './types';

export interface VerifyOptions {
  baseUrl: string;
  adminKey: string;
  memberKey: string;
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
  /** Called as each check finishes (for live output). */
  onResult?: (r: CheckResult) => void;
}

/** In run order: behaviour first (they provoke the responses), then checks over every response. */
export const CHECKS: Check[] = [
  authRequired,
  roleEnforced,
  unknownEndpoint,
  notFoundIndistinguishable,
  createValidation,
  immediateInvalidation,
  deliveryConformance,
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  responseHeadersConformance,
  errorEnvelope,
  oneTimeSecret,
];

export const CHECK_INFO: CheckInfo[] = CHECKS.map(({ name, description }) => ({ name, description }));

export async function verify(options: VerifyOptions): Promise<Report> {
  const started = Date.now();
  const spec = options.spec ?? getSpec();
  const validator = createValidator(spec);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const trigger = parseTrigger(options.trigger ?? 'none', baseUrl, options.controlToken);
  const unknown = (options.only ?? []).filter((n) => !CHECKS.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown check(s): ${unknown.join(', ')}`);

  let receiver: Receiver | undefined;
  if (trigger.kind !== 'none') receiver = await startReceiver(options.receiverHost ?? '127.0.0.1', options.receiverPort ?? 0, options.receiverUrl);
  const endpointUrl = (tag: string) =>
    receiver ? receiver.urlFor(tag) : `${(options.receiverUrl ?? 'https://example.invalid/inklink-mock-verify').replace(/\/+$/, '')}/${tag}`;

  const client = new RecordingClient(baseUrl, spec, options.requestTimeoutMs ?? 10_000);
  const ctx = new RunContext(
    client,
    spec,
    validator,
    { admin: options.adminKey, member: options.memberKey, otherOrg: options.otherOrgKey },
    trigger,
    receiver,
    options.deliveryWaitMs ?? 10_000,
    endpointUrl,
  );
  const results: CheckResult[] = [];
  try {
    // Set-up through the public API only: the endpoints this run delivers to.
    await ctx.setupEndpoint('a', options.adminKey, 'primary');
    await ctx.setupEndpoint('c', options.adminKey, 'primary', ['web.result.approved']);
    await ctx.setupEndpoint('r', options.adminKey, 'primary', ['kyc.result.approved']);
    if (options.otherOrgKey) await ctx.setupEndpoint('b', options.otherOrgKey, 'other');

    for (const check of CHECKS) {
      if (options.only && !options.only.includes(check.name)) continue;
      const t0 = Date.now();
      let result: CheckResult;
      try {
        const outcome = await check.run(ctx);
        result = { name: check.name, description: check.description, ...outcome, durationMs: Date.now() - t0 };
      } catch (e) {
        result = {
          name: check.name,
          description: check.description,
          status: 'fail',
          summary: redact(`the check could not run: ${(e as Error).message}`),
          evidence: [],
          durationMs: Date.now() - t0,
        };
      }
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await receiver?.close();
  }
  const counts = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return {
    tool: 'inklink-mock verify',
    baseUrl,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    trigger: trigger.description,
    results,
    exchanges: client.exchanges.map((e) => redactExchange(e, options, ctx.issued)),
    counts,
  };
}

/**
 * A copy of an exchange fit for a report: keys replaced by their role, and secrets redacted: the
 * `whsec_…` shape, and every value the run was issued as a secret, also without its prefix (an
 * implementation that drops `whsec_` must not get its secrets printed).
 */
function redactExchange(e: Exchange, options: VerifyOptions, issued: RunContext['issued']): Exchange {
  const keys = [options.adminKey, options.memberKey, options.otherOrgKey].filter((k): k is string => !!k);
  const redactSecrets = secretRedactor(issued.map((i) => (typeof i.secret === 'string' ? i.secret : undefined)));
  const scrub = (s: string) => redactSecrets(keys.reduce((acc, k) => acc.split(k).join('<api key>'), s));
  const headers = Object.fromEntries(
    Object.entries(e.request.headers).map(([k, v]) => [k, k.toLowerCase() === API_KEY_HEADER ? `<${e.request.keyLabel ?? 'api key'}>` : scrub(v)]),
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
