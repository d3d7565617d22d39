/** Concurrent rotations with deliveries, repeated, in memory and with the state file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMock } from '../helpers/mock';
import { startReceiver } from '../helpers/receiver';
import { rotateConcurrently } from '../helpers/reliability/concurrency';
import { report } from '../helpers/stress-report';

it.each([
  ['in memory', false],
  ['with --state-file', true],
])('5 x 1,000 rotations from 50 connections with 100 deliveries each, %s', async (name, persisted) => {
  let rotations = 0;
  let deliveries = 0;
  let maxBetween = 0;
  for (let i = 0; i < 5; i++) {
    const receiver = await startReceiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-conc-'));
    const m = await startMock({
      webhookUrl: receiver.url,
      retrySchedule: [0],
      journalLimit: 10_000,
      stateFile: persisted ? path.join(dir, 'state.db') : undefined,
    });
    try {
      const r = await rotateConcurrently(m.mock, m.url, receiver, { rotations: 1000, connections: 50, events: 100 });
      rotations += r.rotations;
      deliveries += r.deliveries;
      maxBetween = Math.max(maxBetween, r.maxRotationsBetweenEmitAndSign);
    } finally {
      await m.close();
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  report(`concurrency ${name}`, {
    rotations,
    connections: 50,
    deliveriesVerified: deliveries,
    maxRotationsBetweenEmitAndSign: maxBetween,
  });
});
