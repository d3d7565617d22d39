/**
 * Slow clients at the default limits, and the delivery engine's memory under receivers that never
 * answer (run with `node --expose-gc`, as `npm run stress` does, for heap figures after a GC).
 */
import { call, waitFor } from '../helpers/http';
import { startMock } from '../helpers/mock';
import { dribbleHeaders, faultyReceiver } from '../helpers/reliability/slow';
import { report } from '../helpers/stress-report';

const gc = () => (global as { gc?: () => void }).gc?.();
const heapMb = () => {
  gc();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
};

it(
  '1,000 clients dribbling headers at the default limits: others ' +
    'served throughout, all cut off after the 10 s header timeout',
  async () => {
    const m = await startMock();
    try {
      const slow = await Promise.all(Array.from({ length: 1000 }, () => dribbleHeaders(m.url, 500)));
      let cutOff = 0;
      for (const s of slow) void s.closed.then(() => cutOff++);
      const started = Date.now();
      let served = 0;
      let worst = 0;
      while (cutOff === 0 && Date.now() - started < 20_000) {
        const t = Date.now();
        const res = await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
          headers: { 'api-key': m.key('owner') },
        });
        expect(res.status).toBe(200);
        worst = Math.max(worst, Date.now() - t);
        served++;
      }
      const answers = await Promise.all(slow.map((s) => s.closed));
      const elapsed = Date.now() - started;
      expect(answers.every((a) => a.startsWith('HTTP/1.1 408 '))).toBe(true);
      expect(elapsed).toBeLessThan(15_000);
      expect(served).toBeGreaterThan(100);
      report('slow clients', {
        slowClients: 1000,
        servedWhileTheyHeld: served,
        worstLatencyMs: worst,
        allCutOffAfterMs: elapsed,
      });
    } finally {
      await m.close();
    }
  },
);

it(
  '20,000 events to a receiver that never answers: 10,000 pending (the ' +
    'cap), the rest skipped, journal at 1,000, heap bounded and given back',
  async () => {
    const r = await faultyReceiver((req) => req.resume());
    // Attempts that outlive the run, so the pending deliveries pile up to the cap.
    const m = await startMock({ webhookUrl: r.url, retrySchedule: [0], deliveryTimeoutMs: 120_000 });
    try {
      const before = heapMb();
      let accepted = 0;
      let skipped = 0;
      let next = 0;
      let maxPending = 0;
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          while (next < 20_000) {
            next++;
            const res = await call(m.url, 'POST', '/__mock/events', {
              body: { type: 'kyc.result.approved', endpoint_id: m.endpoint().id },
            });
            accepted += res.json.deliveries.length;
            skipped += res.json.skipped.length;
            maxPending = Math.max(maxPending, m.mock.deliveries.pendingCount);
          }
        }),
      );
      const peak = heapMb();
      expect(maxPending).toBe(10_000);
      expect(accepted).toBe(10_000);
      expect(skipped).toBe(10_000);
      expect((await call(m.url, 'GET', '/__mock/deliveries?limit=10000')).json.deliveries.length).toBe(1000);
      // A reset cancels every pending delivery, and the memory comes back.
      await call(m.url, 'POST', '/__mock/reset');
      await waitFor(() => m.mock.deliveries.pendingCount === 0 || undefined, 10_000, 'every delivery to be cancelled');
      await waitFor(() => r.openSockets() === 0 || undefined, 10_000, 'the connections to close');
      const after = heapMb();
      expect(after - before).toBeLessThan(50);
      report('delivery memory', {
        events: 20_000,
        accepted,
        skippedAsTooManyPending: skipped,
        maxPending,
        heapBeforeMb: before,
        heapPeakMb: peak,
        heapAfterSettlingMb: after,
      });
    } finally {
      await m.close();
      await r.close();
    }
  },
);
