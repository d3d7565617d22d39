/**
 * The benchmark's phases. Each file in this folder default-exports one phase:
 *
 *   { name, key, run(ctx), report(result, results), targets(results) }
 *
 *   name      what --phase and --skip call it;
 *   key       the field of the JSON results that run's result goes to;
 *   run(ctx)  measures (ctx: { options, identity, log }; it logs its progress itself) and resolves
 *             with the result;
 *   report    the lines of its section of the printed report (called only when it ran);
 *   targets   its rows of the targets table (`target()` of lib/report.mjs), called on every run,
 *             with results[key] undefined when the phase did not run (then: not measured).
 */
import checkReceiver from './check-receiver.mjs';
import compare from './compare.mjs';
import dashboard from './dashboard.mjs';
import deliveries from './deliveries.mjs';
import memory from './memory.mjs';
import startup from './startup.mjs';
import state from './state.mjs';
import validator from './validator.mjs';
import verify from './verify.mjs';

/** The order they run in, and the order of the report's sections. */
export const PHASES = [compare, startup, deliveries, memory, validator, verify, checkReceiver, state, dashboard];

// The targets table lists issue 5's targets in its order (memory before deliveries); the targets
// of the phases added since follow, in run order.
const ISSUE_5 = [compare, memory, deliveries, validator, verify];
/** The phases in the order of the targets table. */
export const TARGET_ORDER = [...ISSUE_5, ...PHASES.filter((p) => !ISSUE_5.includes(p))];

export const PHASE_NAMES = PHASES.map((p) => p.name);
