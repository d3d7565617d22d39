/** Hostile input, heavy: thousands of generated malformed requests (HOSTILE_RUNS, default 6,000). */
import { createLogger } from '../../core/log';
import { startMock } from '../helpers/mock';
import { runHostile } from '../helpers/reliability/hostile';
import { report } from '../helpers/stress-report';

it('generated malformed requests: documented answers in the envelope, nothing changes, no error logged', async () => {
  const runs = Number(process.env.HOSTILE_RUNS ?? 6000);
  const seed = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : Date.now() % 2 ** 31;
  const logged: string[] = [];
  const m = await startMock({
    logger: createLogger('debug', { write: (s: string) => logged.push(s) }, { write: () => true }),
  });
  try {
    const run = await runHostile(m.mock, m.url, runs, seed, 500);
    m.mock.logger.flush();
    const log = logged.join('');
    expect(log).not.toMatch(/ ERROR /);
    expect(log).not.toMatch(/self-check/);
    expect(run.requests).toBeGreaterThanOrEqual(5000);
    report('hostile-input', { seed, requests: run.requests, byKind: run.byKind, byStatus: run.byStatus });
  } finally {
    await m.close();
  }
});
