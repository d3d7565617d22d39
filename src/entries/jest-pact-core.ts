/**
 * What Jest loads for `@pact-foundation/pact-core`, Pact's native core (see ./jest.ts): the one
 * instance Node's own require gives, shared by every test file of a Jest worker, with the native
 * core started once, at `INKLINK_PACT_LOG_LEVEL` (default `warn`).
 *
 * Without it, each test file loads pact-core afresh (Jest's registry is per file) and starts the
 * native core again, which it can do once per process: the second start prints "Failed to
 * initialise global tracing subscriber" straight to stderr, and the first keeps the level of the
 * first Pact (its default: `info`, a line per request its mock servers get, plus an INFO line of
 * pact-core's own), so Pact's INFO lines filled a client team's Jest output.
 */
import { requireBesidePact } from './jest-node-require';
import { pactLogLevel } from './pact-log-level';

interface PactCore {
  getFfiLib?: (level?: string) => unknown;
  setLogLevel?: (level: string) => unknown;
}

const core = requireBesidePact('@pact-foundation/pact-core') as PactCore;
const level = pactLogLevel(process.env);
core.setLogLevel?.(level);
// A no-op once started (the module is shared): only the first test file of a worker starts it.
core.getFfiLib?.(level);

export = core;
