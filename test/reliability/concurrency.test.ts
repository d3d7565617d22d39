/**
 * Concurrency (issue 6, point 3): 1,000 rotations of one endpoint from 50 connections, interleaved
 * with deliveries; the same with the state file (group commit under load).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMock, type TestMock } from '../helpers/mock';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { endpointInDatabase } from '../helpers/state-db';
import { rotateConcurrently } from '../helpers/reliability/concurrency';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

async function withMock(options: Parameters<typeof startMock>[0], fn: (m: TestMock) => Promise<void>) {
  const m = await startMock({ webhookUrl: receiver.url, retrySchedule: [0], journalLimit: 10_000, ...options });
  try {
    await fn(m);
  } finally {
    await m.close();
  }
}

it(
  '1,000 rotations from 50 connections with deliveries in between: distinct secrets, the ' +
    'last applied is current, each delivery verifies with exactly the secret of its signing',
  async () => {
    await withMock({}, async (m) => {
      const r = await rotateConcurrently(m.mock, m.url, receiver, { rotations: 1000, connections: 50, events: 100 });
      expect(r.deliveries).toBe(100);
    });
  },
  60_000,
);

it('the same with --state-file: group-committed writes under 50 connections change nothing of it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-conc-'));
  try {
    await withMock({ stateFile: path.join(dir, 'state.db') }, async (m) => {
      const r = await rotateConcurrently(m.mock, m.url, receiver, { rotations: 500, connections: 50, events: 50 });
      expect(r.deliveries).toBe(50);
      const stats = m.mock.committer!.stats;
      expect(stats.writes).toBeLessThan(stats.commits);
      expect(endpointInDatabase(path.join(dir, 'state.db'), m.endpoint().id)!.rotations).toBe(500);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
