/**
 * Crash-safe persistence (issue 6, point 4): `serve --state-file FILE` keeps the state across
 * restarts and serves as a fixture; a rotation is on disk before it is answered; SIGKILL in the
 * middle of a rotation load loses no acknowledged rotation and never leaves FILE half-written; a
 * broken FILE is a clear start-up error; FILE is written with mode 0600.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createMockServer } from '../../mock/server';
import { hashApiKey } from '../../mock/domain/ids';
import { createLogger } from '../../src/core/log';
import { readStateFile, StateFileError } from '../../mock/domain/persistence';
import { parseSnapshot } from '../../mock/domain/snapshot';
import { runCli, startCli } from '../helpers/cli';
import { call, expectEnvelope, waitFor } from '../helpers/http';
import { startReceiver } from '../helpers/receiver';
import { crashRound, lanesFor, startServe } from './support/crash';

const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const SEED = 42;
const seeded = createMockServer({ seed: SEED, logLevel: 'silent' }).seeded;
const owner = (org = 0) => seeded[org].apiKeys.find((k) => k.role === 'owner')!.key;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-state-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const fileSecret = (file: string, endpointId: string) =>
  JSON.parse(fs.readFileSync(file, 'utf8')).endpoints.find((e: any) => e.id === endpointId).secret as string;

describe('serve --state-file', () => {
  it('seeds and writes FILE (0600) when it does not exist, keeps every rotation on disk before answering, and starts from FILE next time', async () => {
    const file = path.join(dir, 'state.json');
    const endpoint = seeded[0].endpoints[0].id;
    const first = await startServe(file);
    let secret: string;
    try {
      expect(first.stdout()).toContain(`state: seeded and saved to ${file}`);
      expect(first.stdout()).toContain(owner()); // first start: the seeded keys, as without a file
      expect(modeOf(file)).toBe(0o600);
      for (let i = 0; i < 5; i++) {
        const res = await call(first.url, 'POST', `/webhook/endpoints/${endpoint}/rotate-secret`, { headers: { 'api-key': owner() } });
        expect(res.status).toBe(200);
        secret = res.json.secret;
        // Read the file as soon as the answer is in: the new secret is already there.
        expect(fileSecret(file, endpoint)).toBe(secret);
        expect(modeOf(file)).toBe(0o600);
      }
      const created = await call(first.url, 'POST', '/webhook/endpoints', { headers: { 'api-key': owner() }, body: { url: 'https://example.com/hook', name: 'kept' } });
      expect(created.status).toBe(200);
      const minted = await call(first.url, 'POST', '/__mock/api-keys', { body: { role: 'admin', organization_id: seeded[1].id } });
      expect(minted.status).toBe(201);
      const stateBefore = (await call(first.url, 'GET', '/__mock/state')).json;
      expect(await first.stop()).toBe(0);

      const second = await startServe(file);
      try {
        const banner = second.stdout();
        expect(banner).toContain(`state: loaded from ${file}`);
        // No secret and no whole key: they were shown when made.
        expect(banner).not.toMatch(/whsec_/);
        expect(banner).not.toContain(owner());
        expect(banner).not.toContain(minted.json.api_key);
        expect(banner).toContain(`secret fingerprint: ${fp(secret!)}`);
        expect(banner).toContain(`${owner().slice(0, 16)}…`);
        expect((await call(second.url, 'GET', '/__mock/state')).json).toEqual(stateBefore);
        // The keys still work (the file keeps their hashes); the minted one too.
        const again = await call(second.url, 'POST', `/webhook/endpoints/${created.json.id}/rotate-secret`, { headers: { 'api-key': owner() } });
        expect(again.status).toBe(200);
        const other = await call(second.url, 'POST', `/webhook/endpoints/${seeded[1].endpoints[0].id}/rotate-secret`, { headers: { 'api-key': minted.json.api_key } });
        expect(other.status).toBe(200);
        // Reset goes back to the state this process started with (the file's), not to the seed.
        expect((await call(second.url, 'POST', '/__mock/reset')).status).toBe(200);
        expect((await call(second.url, 'GET', '/__mock/state')).json).toEqual(stateBefore);
        expect(fileSecret(file, endpoint)).toBe(secret!);
      } finally {
        await second.stop();
      }
    } finally {
      if (first.child.exitCode === null) await first.stop();
    }
  });

  it('serves a committed fixture: its keys (stored as hashes) and its secrets are the ones in force', async () => {
    const key = 'secret_live_fixtureFixtureFixture0123456789';
    const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const receiver = await startReceiver();
    const fixture = {
      format: 'inklink-mock-state',
      version: 1,
      organizations: [{ id: 'org_fixture', name: 'Fixture Inc', createdAt: '2026-01-01T00:00:00.000Z' }],
      apiKeys: [{ id: 'key_fixture', organizationId: 'org_fixture', role: 'admin', hash: hashApiKey(key), hint: key.slice(12, 16), createdAt: '2026-01-01T00:00:00.000Z' }],
      endpoints: [
        {
          id: 'wh_end_fixture',
          organizationId: 'org_fixture',
          url: receiver.url,
          name: 'from the fixture',
          enabled: true,
          eventTypes: ['kyc.result.approved'],
          createdAt: '2026-01-01T00:00:00.000Z',
          secret,
          secretIssuedAt: '2026-01-01T00:00:00.000Z',
          rotations: 0,
        },
      ],
    };
    const file = path.join(dir, 'fixture.json');
    fs.writeFileSync(file, JSON.stringify(fixture, null, 2), { mode: 0o644 });
    const run = await startServe(file);
    try {
      const emitted = await call(run.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: 'wh_end_fixture' } });
      expect(emitted.status).toBe(202);
      const [d] = await receiver.waitForCount(1);
      expect(() => new Webhook(secret).verify(d.body, d.headers as Record<string, string>)).not.toThrow();
      const rotated = await call(run.url, 'POST', '/webhook/endpoints/wh_end_fixture/rotate-secret', { headers: { 'api-key': key } });
      expect(rotated.status).toBe(200);
      // The first write replaces the fixture's 0644 with 0600.
      expect(modeOf(file)).toBe(0o600);
      expect(fileSecret(file, 'wh_end_fixture')).toBe(rotated.json.secret);
      // Reset: back to the fixture as it was at start-up.
      await call(run.url, 'POST', '/__mock/reset');
      expect(fileSecret(file, 'wh_end_fixture')).toBe(secret);
    } finally {
      await run.stop();
      await receiver.close();
    }
  });

  const broken: [string, (file: string) => void, RegExp][] = [
    ['not JSON', (f) => fs.writeFileSync(f, '{"format": "inklink-mock-state", "version": 1, "organizations": [,'), /is not valid JSON: is it truncated or corrupt\?/],
    ['empty', (f) => fs.writeFileSync(f, ''), /is empty/],
    ['cut in the middle', (f) => fs.writeFileSync(f, fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8').slice(0, 40)), /is not valid JSON/],
    ['another JSON document', (f) => fs.writeFileSync(f, '{"name": "not a state"}'), /"format" must be "inklink-mock-state"/],
    ['a future version', (f) => fs.writeFileSync(f, '{"format": "inklink-mock-state", "version": 2}'), /"version" 2 is not supported/],
    ['a directory', (f) => fs.mkdirSync(f), /is a directory/],
    ['under a path that is a file', (f) => fs.writeFileSync(path.dirname(f) + '/plain', 'x'), /cannot be read: a parent of it is not a directory/],
  ];
  it.each(broken)('a state file that is %s: exit 1 with a message naming the file and the problem, and the file is left as it was', async (_what, make, message) => {
    let file = path.join(dir, 'state.json');
    make(file);
    if (_what === 'under a path that is a file') file = path.join(dir, 'plain', 'state.json');
    const before = fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file) : undefined;
    const r = await runCli(['serve', '--port', '0', '--state-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`state file ${file}`);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe(''); // no banner: it did not start
    if (before) expect(fs.readFileSync(file)).toEqual(before);
  });

  it('a state file with bad records: every problem named by field, no value quoted (not even a secret)', async () => {
    const file = path.join(dir, 'state.json');
    const good = await startServe(file);
    await good.stop();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const leaked = doc.endpoints[0].secret;
    doc.endpoints[0].secret = leaked.slice(0, 20); // truncated secret
    doc.endpoints[1].eventTypes = ['nope'];
    doc.apiKeys[0].role = 'root';
    doc.apiKeys[1].organizationId = 'org_missing';
    doc.extra = true;
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['serve', '--port', '0', '--state-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown top-level field "extra"');
    for (const m of ['endpoints[0].secret', 'endpoints[1].eventTypes', 'apiKeys[0].role', 'apiKeys[1].organizationId']) expect(r.stderr).toContain(m);
    expect(r.stderr).not.toContain(leaked.slice(0, 20));
    // Same through the library: a StateFileError, never a silent reset.
    expect(() => readStateFile(file)).toThrow(StateFileError);
    expect(() => createMockServer({ stateFile: file, logLevel: 'silent' })).toThrow(/apiKeys\[0\]\.role/);
  });

  it('INKLINK_MOCK_STATE_FILE works like the flag', async () => {
    const file = path.join(dir, 'env.json');
    const r = await runCli(['serve', '--port', '0', '--help']);
    expect(r.stdout).toContain('--state-file FILE');
    expect(r.stdout).toContain('INKLINK_MOCK_STATE_FILE');
    const run = await startCli(['--port', '0'], { INKLINK_MOCK_STATE_FILE: file });
    try {
      expect(run.stdout()).toContain(`state: seeded and saved to ${file}`);
      expect(fs.existsSync(file)).toBe(true);
    } finally {
      await run.stop();
    }
  });
});

describe('the persister', () => {
  it('group-commits: 200 concurrent rotations share far fewer writes, and each answer comes after its write', async () => {
    const file = path.join(dir, 'state.json');
    const mock = createMockServer({ stateFile: file, logLevel: 'silent' });
    const url = await mock.listen();
    try {
      const ep = mock.seeded[0].endpoints[0].id;
      const writesBefore = mock.persister!.stats.writes;
      const answers = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const res = await call(url, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, { headers: { 'api-key': owner() } });
          // When the answer arrives, the file holds this secret or a later one: never an older one.
          const rotationsOnDisk = JSON.parse(fs.readFileSync(file, 'utf8')).endpoints.find((e: any) => e.id === ep).rotations;
          return { secret: res.json.secret as string, rotationsOnDisk };
        }),
      );
      const writes = mock.persister!.stats.writes - writesBefore;
      expect(new Set(answers.map((a) => a.secret)).size).toBe(200);
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThan(200);
      const state = (await call(url, 'GET', '/__mock/state')).json.organizations[0].endpoints[0];
      expect(state.rotations).toBe(200);
      expect(fileSecret(file, ep)).toBe(answers.find((a) => fp(a.secret) === state.secret_fingerprint)!.secret);
    } finally {
      await mock.close();
    }
  });

  it('writes through FILE.tmp-<pid> with mode 0600 even over a leftover tmp file, and removes tmp files of dead processes at start', async () => {
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(`${file}.tmp-${process.pid}`, 'leftover', { mode: 0o666 });
    fs.chmodSync(`${file}.tmp-${process.pid}`, 0o666);
    fs.writeFileSync(`${file}.tmp-999999`, 'from a killed process'); // no such pid
    const mock = createMockServer({ stateFile: file, logLevel: 'silent' });
    const url = await mock.listen();
    try {
      expect(fs.readdirSync(dir).sort()).toEqual(['state.json']);
      fs.writeFileSync(`${file}.tmp-${process.pid}`, 'leftover again', { mode: 0o666 });
      fs.chmodSync(`${file}.tmp-${process.pid}`, 0o666);
      const res = await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, { headers: { 'api-key': owner() } });
      expect(res.status).toBe(200);
      expect(modeOf(file)).toBe(0o600);
      expect(fs.readdirSync(dir)).toEqual(['state.json']);
      const problems: string[] = [];
      parseSnapshot(JSON.parse(fs.readFileSync(file, 'utf8')), problems);
      expect(problems).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it('when the state cannot be written, no change is acknowledged or kept: 500 in the envelope, the state as before, the error logged without secrets', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    const file = path.join(sub, 'state.json');
    const lines: string[] = [];
    const mock = createMockServer({ stateFile: file, logger: createLogger('debug', { write: (s: string) => lines.push(s) }, { write: () => true }) });
    const url = await mock.listen();
    try {
      const before = (await call(url, 'GET', '/__mock/state')).json;
      fs.rmSync(sub, { recursive: true });
      const id = mock.seeded[0].endpoints[0].id;
      const rotations = await Promise.all(
        Array.from({ length: 5 }, () => call(url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, { headers: { 'api-key': owner() } })),
      );
      for (const res of rotations) {
        expectEnvelope(res, 500, 'INTERNAL_ERROR');
        expect(res.text).not.toMatch(/whsec_/);
      }
      // Nothing unacknowledged stays in effect: the secret (fingerprint) and the counters are as before.
      expect((await call(url, 'GET', '/__mock/state')).json).toEqual(before);
      const created = await call(url, 'POST', '/webhook/endpoints', { headers: { 'api-key': owner() }, body: { url: 'https://e.example/h' } });
      expectEnvelope(created, 500, 'INTERNAL_ERROR');
      expect((await call(url, 'GET', '/__mock/state')).json).toEqual(before);
      // Once the disk works again, the next rotation is written and acknowledged.
      fs.mkdirSync(sub);
      const ok = await call(url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, { headers: { 'api-key': owner() } });
      expect(ok.status).toBe(200);
      const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(onDisk.endpoints.find((e: { id: string }) => e.id === id).secret).toBe(ok.json.secret);
      await waitFor(() => lines.join('').includes('the state could not be saved') || undefined);
      expect(lines.join('')).toContain(`state file ${file}: cannot be written`);
      expect(lines.join('')).not.toMatch(/whsec_[A-Za-z0-9+/]/);
    } finally {
      await mock.close();
    }
  });
});

describe('SIGKILL in the middle of a rotation load', () => {
  const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);

  it(`${ROUNDS} kill-and-restart rounds: no acknowledged rotation lost, the file always whole`, async () => {
    const file = path.join(dir, 'state.json');
    let run = await startServe(file);
    try {
      // More endpoints, so more lanes rotate at once (each lane rotates one endpoint in sequence).
      for (let i = 0; i < 6; i++) {
        const r = await call(run.url, 'POST', '/__mock/endpoints', { body: { organization_id: seeded[i % 2].id } });
        expect(r.status).toBe(201);
      }
      const owners = new Map(seeded.map((o) => [o.id, o.apiKeys.find((k) => k.role === 'owner')!.key]));
      const lanes = await lanesFor(run.url, owners);
      expect(lanes).toHaveLength(10);
      let acknowledged = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const { next, round } = await crashRound(run, file, lanes, 300 + Math.floor(Math.random() * 500));
        run = next;
        acknowledged += round.acknowledged;
        expect(round.fileReads).toBeGreaterThan(0);
      }
      expect(acknowledged).toBeGreaterThan(ROUNDS * 10);
      // The killed processes' tmp files were cleaned up by the restarts.
      expect(fs.readdirSync(dir)).toEqual(['state.json']);
      expect(modeOf(file)).toBe(0o600);
    } finally {
      if (run.child.exitCode === null) await run.stop();
    }
  }, 60_000);
});
