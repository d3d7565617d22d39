/**
 * generated_requests: requests generated from openapi.json, each with its parts (the api key, the
 * path id, the body) valid or missing, empty or malformed, one part or several at once (generate/).
 * Each must get what the documented order of the operation's refusals says (OPERATION_REFUSALS:
 * the key, then the body, then the role and the endpoint), or succeed when it breaks no rule. The
 * cases come from a seed (`--seed`, printed on every run); a failure shrinks to the smallest case
 * that still fails the same way, printed as a curl command whose keys are env vars.
 */
import { redact } from '../../../core/log';
import { describeRefusal as said, type RefusalKind } from '../../../core/refusals';
import type { Check } from '../check';
import type { CheckContext, Expectation } from '../context';
import { answerJson, evidence, isSuccess, type Outcome, pass, refusalMismatch } from '../judge/evidence';
import type { Evidence, Exchange } from '../types';
import {
  caseSize,
  changedParts,
  describeCase,
  expectedAnswer,
  generateCases,
  operationModels,
  provoked,
  shrinkCandidates,
  type CaseValues,
  type GeneratedCase,
  type OperationModel,
} from '../generate/cases';
import { seededRandom } from '../generate/random';
import { curlOf, requestOf } from '../generate/request';

/** How many requests one failure may spend on shrinking, and how many failures are shrunk. */
export const SHRINK_BUDGET = 40;
const SHRUNK_FAILURES = 3;
/** How many other failures are listed (unshrunk) after the shrunk ones. */
const LISTED_FAILURES = 10;

export interface GeneratedResult {
  case: GeneratedCase;
  expected: Expectation;
  exchange: Exchange;
  /** The success statuses the operation declares. */
  success: readonly number[];
}

/** Why an answer is not what the case should get (`success`: the statuses the operation declares), or undefined. */
export function mismatch(ex: Exchange, expected: Expectation, success: readonly number[]): string | undefined {
  if (expected !== 'success') return refusalMismatch(ex, expected);
  if (!ex.response) return `no response (${ex.error})`;
  if (!success.includes(ex.response.status)) {
    const code = answerJson(ex)?.error?.code;
    return (
      `expected success (${success.join(' or ')}), got ${ex.response.status}` +
      (typeof code === 'string' ? ` ${code}` : '')
    );
  }
  return undefined;
}

const failed = (r: GeneratedResult) => mismatch(r.exchange, r.expected, r.success);

/** `401 UNAUTHORIZED (no key is checked before the body)`: what was expected, and why. */
export function expectationText(c: GeneratedCase, refusals: readonly RefusalKind[]): string {
  const expected = expectedAnswer(c, refusals);
  if (expected === 'success') return 'success (it breaks no documented rule)';
  const others = provoked(c).filter((k) => k !== expected && said(k) !== said(expected));
  return others.length ? `${said(expected)} (${expected} is checked before ${others.join(', ')})` : said(expected);
}

/** Two failures are the same when the same parts are changed and the answer's status is the same. */
const signature = (r: GeneratedResult) =>
  `${r.case.operationId} ${changedParts(r.case).join('+')} ${r.exchange.response?.status ?? 'none'}`;

export const generatedRequests: Check = {
  name: 'generated_requests',
  description:
    'Requests generated from openapi.json with each part (api key, path id, body) missing, empty, malformed ' +
    'or a near miss, one part or several, get the first refusal of the documented order (the key: ' +
    `${said('unauthenticated')}, the body: ${said('invalid_input')}, the role and the endpoint: ` +
    `${said('forbidden')}), or succeed when they break no rule. Seeded (--seed); failures shrink to a curl command.`,
  phase: 'probe',
  ownEndpoints: { generated: { key: 'admin' } },
  covers: [
    {
      quote: '`UNAUTHORIZED` 401 (invalid or missing `api-key`)',
      source: 'api §1',
      note: '(generated: near misses of a valid key, odd bytes and lengths, a key sent elsewhere)',
      variant: 'near-miss-key-accepted',
    },
    {
      quote:
        'Checks run in this order: authentication (401), then the body (400), then the role and the endpoint (500).',
      source: 'README',
      note: '(generated: every part of every operation, alone and together)',
      variant: 'near-miss-key-accepted',
    },
  ],
  async run(ctx) {
    const { seed, cases: count } = ctx.generation;
    const v = await caseValues(ctx);
    const ops = operationModels(ctx.spec);
    const byId = new Map(ops.map((o) => [o.operationId, o]));
    const cases = generateCases(seededRandom(seed), ops, v.values, count);
    const send = (c: GeneratedCase) => sendCase(ctx, c, byId.get(c.operationId)!, v.values);
    const results: GeneratedResult[] = [];
    for (const c of cases) results.push(await send(c));
    const failures = results.filter(failed);
    const shrunk: GeneratedResult[] = [];
    const seen = new Set<string>();
    for (const f of [...failures].sort((a, b) => caseSize(a.case, v.values) - caseSize(b.case, v.values))) {
      if (shrunk.length >= SHRUNK_FAILURES || seen.has(signature(f))) continue;
      seen.add(signature(f));
      shrunk.push(await shrink(f, (c) => send(c), byId.get(f.case.operationId)!, v.values));
    }
    return judgeGeneratedRequests(results, {
      seed,
      shrunk,
      curl: (r) => curlOf(r.case, byId.get(r.case.operationId)!, v.values, r.exchange.request.url.split('?')[0]),
      refusals: (id) => byId.get(id)!.refusals,
      notes: v.notes,
      scrub: (text) =>
        Object.entries(v.values.keys).reduce((t, [role, k]) => (k ? t.split(k).join(`<${role} key>`) : t), text),
    });
  },
};

/** What the cases are made of: the run's keys and endpoint, and another organization's when it can have one. */
async function caseValues(ctx: CheckContext): Promise<{ values: CaseValues; notes: string[] }> {
  const notes: string[] = [];
  const validUrl = ctx.endpointUrl('x');
  let foreignId: string | undefined;
  if (ctx.keys.otherOrg) {
    const ex = await ctx.create(
      "generated_requests: another organization's endpoint",
      { url: validUrl },
      ctx.keys.otherOrg,
      'success',
    );
    const id = answerJson(ex)?.id;
    if (isSuccess(ex) && typeof id === 'string') foreignId = id;
    else notes.push("no case used another organization's endpoint: creating one failed");
  } else notes.push("no case used another organization's key or endpoint (no --other-org-key)");
  const { admin, member, otherOrg } = ctx.keys;
  return {
    values: {
      keys: { admin, member, otherOrg },
      ownId: ctx.endpoint('generated').id,
      foreignId,
      validUrl,
      runId: ctx.runId,
    },
    notes,
  };
}

async function sendCase(
  ctx: CheckContext,
  c: GeneratedCase,
  op: OperationModel,
  v: CaseValues,
): Promise<GeneratedResult> {
  const expected = expectedAnswer(c, op.refusals);
  const req = requestOf(c, op, v);
  const exchange = await ctx.send(
    `generated_requests: ${describeCase(c)}`,
    c.operationId,
    req.parts,
    req.apiKey,
    expected,
    {
      headers: req.headers,
      query: req.query,
      keyLabel: req.keyLabel,
    },
  );
  return { case: c, expected, exchange, success: op.successStatuses };
}

/**
 * Shrinks a failing case: tries its simpler cases, smallest first, and keeps the first that still
 * fails with the same status, until none does or the budget is spent.
 */
export async function shrink(
  start: GeneratedResult,
  send: (c: GeneratedCase) => Promise<GeneratedResult>,
  op: OperationModel,
  v: CaseValues,
  budget = SHRINK_BUDGET,
): Promise<GeneratedResult> {
  let best = start;
  let spent = 0;
  const status = (r: GeneratedResult) => r.exchange.response?.status;
  for (let improved = true; improved && spent < budget;) {
    improved = false;
    for (const candidate of shrinkCandidates(best.case, op, v)) {
      if (spent >= budget) break;
      spent++;
      const r = await send(candidate);
      if (failed(r) && status(r) === status(start)) {
        best = r;
        improved = true;
        break;
      }
    }
  }
  return best;
}

export interface GeneratedJudgement {
  seed: number;
  /** The failures, each shrunk to the smallest case that fails the same way. */
  shrunk: GeneratedResult[];
  curl(r: GeneratedResult): string;
  refusals(operationId: string): readonly RefusalKind[];
  notes?: string[];
  /** Removes the run's keys from a message (a key sent in the query is in the request's path). */
  scrub?: (text: string) => string;
}

function failureEvidence(r: GeneratedResult, j: GeneratedJudgement, prefix = ''): Evidence {
  const why = failed(r)!;
  const scrub = j.scrub ?? ((t: string) => t);
  const e = evidence(
    r.exchange,
    `${prefix}${describeCase(r.case)}: ${why}; documented: ${expectationText(r.case, j.refusals(r.case.operationId))}`,
  );
  return { ...e, message: scrub(e.message), reproduce: redact(scrub(j.curl(r))) };
}

export function judgeGeneratedRequests(results: GeneratedResult[], j: GeneratedJudgement): Outcome {
  const failures = results.filter(failed);
  const replay = `seed ${j.seed}, --seed ${j.seed} replays it`;
  if (failures.length === 0) {
    const by = new Map<string, number>();
    for (const r of results) {
      const k = r.expected === 'success' ? 'success' : said(r.expected);
      by.set(k, (by.get(k) ?? 0) + 1);
    }
    const counts = [...by]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    const notes = j.notes?.length ? `; ${j.notes.join('; ')}` : '';
    return pass(`${results.length} generated requests (${replay}) got the documented answer: ${counts}${notes}`);
  }
  const shown = new Set(j.shrunk.map((r) => r.exchange.seq));
  const bad: Evidence[] = j.shrunk.map((r, i) =>
    failureEvidence(
      r,
      j,
      i === 0
        ? `${failures.length} of ${results.length} generated requests failed (${replay}); smallest: `
        : 'smallest: ',
    ),
  );
  for (const r of failures.filter((f) => !shown.has(f.exchange.seq)).slice(0, LISTED_FAILURES))
    bad.push(failureEvidence(r, j));
  return { status: 'fail', summary: bad[0].message, evidence: bad };
}
