/**
 * The spec's four response checks (status code, content type, schema, headers), each one of the
 * validator's checks over every answered exchange of the run, through the one compiled spec.
 */
import type { CheckName, Validator } from '../../../core/validator';
import type { Check, Statement } from '../check';
import type { Exchange, Evidence } from '../types';
import { answered, evidence, type Outcome, skip, verdict } from './evidence';

/** What the schema and status checks already report: a finding that follows from them is theirs. */
export const SHAPE = ['response_schema_conformance', 'status_code_conformance'];

/** One of the validator's response checks, over every answered exchange. */
export function judgeConformance(name: CheckName, exchanges: Exchange[], validator: Validator): Outcome {
  const checked = answered(exchanges);
  if (checked.length === 0) return skip('no response to check');
  const bad: Evidence[] = [];
  // A body in an undeclared content type is not validated against a schema (content_type_conformance
  // reports it): it is no evidence for the schema check, which passes only on bodies it validated.
  let unjudged = 0;
  for (const ex of checked) {
    const violations = validator.validateResponse({
      operationId: ex.operationId!,
      status: ex.response!.status,
      headers: ex.response!.headers,
      body: ex.response!.body,
    });
    if (name === 'response_schema_conformance' && violations.some((v) => v.check === 'content_type_conformance'))
      unjudged++;
    for (const v of violations) if (v.check === name) bad.push(evidence(ex, `${v.location.join('.')}: ${v.message}`));
  }
  const judged = checked.length - unjudged;
  if (judged === 0 && bad.length === 0)
    return skip(`no response in a declared content type to check (${unjudged} in another: content_type_conformance)`);
  const aside = unjudged ? ` (${unjudged} in an undeclared content type not checked)` : '';
  return verdict(bad, `${judged} responses checked${aside}`);
}

/** A review of every response of the run by one of the validator's checks (named as it is). */
export function conformanceCheck(check: { name: CheckName; description: string; covers: readonly Statement[] }): Check {
  return {
    ...check,
    phase: 'review',
    reads: ['exchanges'],
    run: async (ctx) => judgeConformance(check.name, ctx.run.exchanges, ctx.validator),
  };
}
