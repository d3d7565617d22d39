/** SIGKILL in the middle of a rotation load, many times over (CRASH_ROUNDS, default 20). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMockServer } from '../../mock/server';
import { call } from '../helpers/http';
import { crashRound, lanesFor, startServe } from '../helpers/reliability/crash';
import { report } from '../helpers/stress-report';

it('kill -9 and restart under load: no acknowledged rotation lost, the database always whole', async () => {
  const rounds = Number(process.env.CRASH_ROUNDS ?? 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-crash-'));
  const file = path.join(dir, 'state.db');
  const seeded = createMockServer({ seed: 42, logLevel: 'silent' }).seeded;
  let run = await startServe(file);
  try {
    for (let i = 0; i < 16; i++)
      await call(run.url, 'POST', '/__mock/endpoints', { body: { organization_id: seeded[i % 2].id } });
    const lanes = await lanesFor(run.url, new Map(seeded.map((o) => [o.id, o.apiKeys[0].key])));
    let acknowledged = 0;
    let writtenNotAnswered = 0;
    let fileReads = 0;
    for (let i = 0; i < rounds; i++) {
      const { next, round } = await crashRound(run, file, lanes, 200 + Math.floor(Math.random() * 1500));
      run = next;
      acknowledged += round.acknowledged;
      writtenNotAnswered += round.writtenNotAnswered;
      fileReads += round.fileReads;
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    report('crash', {
      rounds,
      lanes: lanes.length,
      acknowledgedRotations: acknowledged,
      writtenButNotAnswered: writtenNotAnswered,
      fileReadsDuringLoad: fileReads,
    });
  } finally {
    if (run.child.exitCode === null) await run.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
