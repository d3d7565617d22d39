/**
 * The run's set-up, through InkLink's public API only: the endpoints the checks work on (each
 * check on endpoints of its own, so that one check's finding cannot disturb another's), and one
 * delivery that proves the trigger and the receiver work. A step that fails is reported once, with
 * the response that made it fail; the checks that needed it are blocked, not run. A check starts as
 * soon as the steps it needs are done.
 */
import { EVENT_TYPES } from '../../core/inklink';
import { describeRefusal, REFUSALS } from '../../core/refusals';
import type { RunContext, RunEndpoint } from './context';
import { answerJson, evidence, isSuccess } from './judge/evidence';
import type { Evidence } from './types';

/** The type the set-up's trigger probe (and most single-event checks) ask for. */
export const PROBE_TYPE = EVENT_TYPES[0];
/** One type of each family: the narrow subscription takes one, is sent the other. */
export const WEB_TYPE = EVENT_TYPES.find((t) => t.startsWith('web.'))!;
export const KYC_TYPE = EVENT_TYPES.find((t) => t.startsWith('kyc.'))!;

/** How the set-up creates an endpoint. */
export interface EndpointSpec {
  /** Which key creates it. */
  key: 'admin' | 'otherOrg';
  enabled?: boolean;
  eventTypes?: string[];
}

/**
 * The endpoints the set-up creates for the checks that share them or were written with them, by tag
 * (its receiver path). A check may also bring endpoints of its own (Check.ownEndpoints).
 */
export const SETUP_ENDPOINTS = {
  /** The trigger probe; delivery_signature and delivery_conformance. */
  probe: { key: 'admin' },
  // Those of the delivery checks first (the retry check is the slowest), then the probes'.
  retry: { key: 'admin' },
  redirect: { key: 'admin' },
  gone: { key: 'admin' },
  on: { key: 'admin' },
  off: { key: 'admin', enabled: false },
  narrow: { key: 'admin', eventTypes: [WEB_TYPE] },
  wide: { key: 'admin' },
  inv: { key: 'admin' },
  /** rotation_scoped rotates the first and watches the second, of the same organization. */
  rotated: { key: 'admin' },
  sibling: { key: 'admin' },
  role: { key: 'admin' },
  iso: { key: 'admin' },
  foreign: { key: 'otherOrg' },
  auth: { key: 'admin' },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointTag = keyof typeof SETUP_ENDPOINTS;

const CREATE_CONCURRENCY = 4;

export interface SetupFailure {
  /** The endpoint's tag, or `trigger`. */
  step: string;
  evidence: Evidence;
  /** The admin key was refused: every check that sends requests would only repeat it. */
  keyRefused?: true;
}

async function createEndpoint(ctx: RunContext, tag: string, spec: EndpointSpec): Promise<SetupFailure | undefined> {
  const key = spec.key === 'admin' ? ctx.keys.admin : ctx.keys.otherOrg!;
  const body: Record<string, unknown> = { url: ctx.endpointUrl(tag), name: `inklink-mock verify ${ctx.runId} ${tag}` };
  // Always sent: an implementation whose default is wrong fails created_endpoint, which creates one
  // without it, and the checks that need a delivering endpoint still run.
  body.enabled = spec.enabled ?? true;
  if (spec.eventTypes) body.event_types = spec.eventTypes;
  const ex = await ctx.create(`set-up: create endpoint "${tag}"`, body, key, 'success');
  const json = answerJson(ex);
  if (!isSuccess(ex) || typeof json?.id !== 'string') {
    const who = spec.key === 'admin' ? 'the admin key' : "the other organization's key";
    let why = ex.response ? `answered ${ex.response.status}` : `got no response (${ex.error})`;
    if (ex.response?.status === REFUSALS.unauthenticated.status)
      why +=
        ` (${describeRefusal('unauthenticated')}: is ` +
        `${spec.key === 'admin' ? '--admin-key' : '--other-org-key'} a valid key?)`;
    else if (isSuccess(ex)) why += ' without an endpoint id';
    const keyRefused = spec.key === 'admin' && ex.response?.status === REFUSALS.unauthenticated.status;
    return {
      step: tag,
      evidence: evidence(ex, `set-up: creating endpoint "${tag}" with ${who} ${why}`),
      ...(keyRefused ? { keyRefused: true as const } : {}),
    };
  }
  const endpoint: RunEndpoint = {
    tag,
    id: json.id,
    // What the run asked for is what the endpoint subscribed to, whatever the answer claims.
    eventTypes: spec.eventTypes ?? EVENT_TYPES,
    enabled: spec.enabled ?? true,
    secret: json.secret,
    secretSince: ex.startedAt,
    organization: spec.key === 'admin' ? 'primary' : 'other',
  };
  ctx.endpoints.set(tag, endpoint);
  return undefined;
}

export interface Setup {
  /** The first failure among these endpoints (and the trigger, when needed), once they are settled. */
  failureOf(tags: readonly string[], trigger: boolean): Promise<SetupFailure | undefined>;
  /** Every failure, once the whole set-up is settled. */
  readonly all: Promise<SetupFailure[]>;
}

/**
 * Starts the set-up: the trigger's endpoint first (its delivery is awaited while the others are
 * created, and `whileWaiting` runs meanwhile), then the endpoints named, a few at a time, those of
 * the slowest checks first (SETUP_ENDPOINTS's order, then the checks' own). A check waits only for
 * the steps it needs. `own`: the endpoints checks brought of their own (a tag of SETUP_ENDPOINTS
 * cannot be one).
 */
export function startSetup(
  ctx: RunContext,
  tags: Iterable<string>,
  proveTrigger: boolean,
  whileWaiting?: () => void,
  own: Readonly<Record<string, EndpointSpec>> = {},
): Setup {
  const clash = Object.keys(own).filter((t) => t in SETUP_ENDPOINTS || t === 'trigger');
  if (clash.length) throw new Error(`a check's own endpoint has the tag of a shared one: ${clash.join(', ')}`);
  const specs: Record<string, EndpointSpec> = { ...SETUP_ENDPOINTS, ...own };
  const known = Object.keys(specs);
  const unknown = [...tags].filter((t) => !known.includes(t));
  if (unknown.length) throw new Error(`no set-up endpoint ${unknown.join(', ')}`);
  const order = (step: string) => (step === 'trigger' ? Infinity : known.indexOf(step));
  const wanted = new Set(tags);
  const steps = new Map<string, Promise<SetupFailure | undefined>>();
  const probeStep = proveTrigger ? createEndpoint(ctx, 'probe', specs.probe) : Promise.resolve(undefined);
  if (proveTrigger) steps.set('probe', probeStep);
  steps.set(
    'trigger',
    probeStep.then(async (failed) => {
      if (!proveTrigger || failed) return failed;
      const { delivery, error } = await ctx.deliver(ctx.endpoints.get('probe')!, PROBE_TYPE, whileWaiting);
      ctx.probeDelivery = delivery;
      ctx.triggerWorks = delivery !== undefined;
      if (delivery) return undefined;
      return {
        step: 'trigger',
        evidence: {
          message:
            `set-up: the trigger (${ctx.trigger.description}) was asked for a ${PROBE_TYPE} event for ` +
            `endpoint "probe": ${error}`,
        },
      };
    }),
  );
  // A few at a time: quick against any implementation, and gentle with its rate limit.
  const queue = known.filter((t) => wanted.has(t) && !steps.has(t));
  const settled = new Map<string, (f: SetupFailure | undefined) => void>();
  for (const tag of queue) steps.set(tag, new Promise((resolve) => settled.set(tag, resolve)));
  const worker = async () => {
    for (let tag = queue.shift(); tag; tag = queue.shift())
      settled.get(tag)!(await createEndpoint(ctx, tag, specs[tag]));
  };
  void probeStep.then(() => Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker)));
  const all = Promise.all([...steps.values()]).then((fs) =>
    fs.filter((f): f is SetupFailure => f !== undefined).sort((a, b) => order(a.step) - order(b.step)),
  );
  return {
    all,
    async failureOf(needed, trigger) {
      const own = await Promise.all(
        [...needed, ...(trigger ? (['trigger'] as const) : [])].map((t) => steps.get(t) ?? Promise.resolve(undefined)),
      );
      return own.find((f) => f !== undefined);
    },
  };
}
