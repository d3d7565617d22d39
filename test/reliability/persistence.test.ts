/**
 * The state database (issue 6 point 4, issue 11 point 1): `serve --state-file FILE` keeps the
 * state in LMDB across restarts; a change is durable before it is answered and writes only what
 * changed; `--fixture FILE.json` starts from a readable JSON state (the 0.1 state-file format too)
 * and `GET /__mock/state/export` gives one back; a second process on the same database refuses to
 * start; SIGKILL in the middle of a rotation load loses no acknowledged rotation; broken data is a
 * clear start-up error; the files are owner-only.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createMockServer } from '../../mock/server';
import { hashApiKey } from '../../mock/domain/ids';
import { StateFileError } from '../../mock/storage/paths';
import { runCli, startCli } from '../helpers/cli';
import { call } from '../helpers/http';
import { startReceiver } from '../helpers/receiver';
import { endpointInDatabase, readStateDatabase } from '../helpers/state-db';
import { crashRound, lanesFor, startServe } from '../helpers/reliability/crash';

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

const FIXTURE_KEY = 'secret_live_fixtureFixtureFixture0123456789';
const FIXTURE_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
function fixtureDoc(url = 'https://receiver.example/hook') {
  return {
    format: 'inklink-mock-state',
    version: 1,
    organizations: [{ id: 'org_fixture', name: 'Fixture Inc', createdAt: '2026-01-01T00:00:00.000Z' }],
    apiKeys: [
      {
        id: 'key_fixture',
        organizationId: 'org_fixture',
        role: 'admin',
        hash: hashApiKey(FIXTURE_KEY),
        hint: FIXTURE_KEY.slice(12, 16),
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ],
    endpoints: [
      {
        id: 'wh_end_fixture',
        organizationId: 'org_fixture',
        url,
        name: 'from the fixture',
        enabled: true,
        eventTypes: ['kyc.result.approved'],
        createdAt: '2026-01-01T00:00:00.000Z',
        secret: FIXTURE_SECRET,
        secretIssuedAt: '2026-01-01T00:00:00.000Z',
        rotations: 0,
      },
    ],
  };
}

describe('serve --state-file (a database)', () => {
  it('seeds a new database (data, lock file 0600), rotations durable before answers; starts from it next', async () => {
    const file = path.join(dir, 'state.db');
    const endpoint = seeded[0].endpoints[0].id;
    const first = await startServe(file);
    let secret: string;
    try {
      expect(first.stdout()).toContain(`state: seeded and saved to ${file}`);
      expect(first.stdout()).toContain(owner()); // first start: the seeded keys, as without a file
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(`${file}-lock`)).toBe(0o600);
      for (let i = 0; i < 5; i++) {
        const res = await call(first.url, 'POST', `/webhook/endpoints/${endpoint}/rotate-secret`, {
          headers: { 'api-key': owner() },
        });
        expect(res.status).toBe(200);
        secret = res.json.secret;
        // Read the database (from this process) as soon as the answer is in: the secret is there.
        expect(endpointInDatabase(file, endpoint)!.secret).toBe(secret);
      }
      const created = await call(first.url, 'POST', '/webhook/endpoints', {
        headers: { 'api-key': owner() },
        body: { url: 'https://example.com/hook', name: 'kept' },
      });
      expect(created.status).toBe(200);
      const minted = await call(first.url, 'POST', '/__mock/api-keys', {
        body: { role: 'admin', organization_id: seeded[1].id },
      });
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
        // The keys still work (the database keeps their hashes); the minted one too.
        const again = await call(second.url, 'POST', `/webhook/endpoints/${created.json.id}/rotate-secret`, {
          headers: { 'api-key': owner() },
        });
        expect(again.status).toBe(200);
        const other = await call(second.url, 'POST', `/webhook/endpoints/${seeded[1].endpoints[0].id}/rotate-secret`, {
          headers: { 'api-key': minted.json.api_key },
        });
        expect(other.status).toBe(200);
        // Reset goes back to the state this process started with (the database's), not to the seed.
        expect((await call(second.url, 'POST', '/__mock/reset')).status).toBe(200);
        expect((await call(second.url, 'GET', '/__mock/state')).json).toEqual(stateBefore);
        expect(endpointInDatabase(file, endpoint)!.secret).toBe(secret!);
      } finally {
        await second.stop();
      }
    } finally {
      if (first.child.exitCode === null) await first.stop();
    }
  });

  it(
    'a second process on the same database refuses to start, naming ' +
      'the owner; after the owner is killed, the next start takes over',
    async () => {
      const file = path.join(dir, 'state.db');
      const first = await startServe(file);
      try {
        const second = await runCli(['serve', '--port', '0', '--state-file', file]);
        expect(second.code).toBe(1);
        expect(second.stderr).toContain(
          `state file ${file}: is in use by another inklink-mock process (pid ${first.child.pid})`,
        );
        expect(second.stdout).toBe('');
        // The same database through a symbolic link is the same database.
        fs.symlinkSync(file, path.join(dir, 'link.db'));
        expect((await runCli(['serve', '--port', '0', '--state-file', path.join(dir, 'link.db')])).stderr).toContain(
          'is in use by another inklink-mock process',
        );
        // So is a mock in this (the test's) process.
        expect(() => createMockServer({ stateFile: file, logLevel: 'silent' })).toThrow(
          /is in use by another inklink-mock process/,
        );
      } finally {
        first.child.kill('SIGKILL');
        await new Promise((r) => first.child.once('exit', r));
      }
      // The owner died without giving the database back: its pid is gone, so the next start takes over.
      const third = await startServe(file);
      await third.stop();
    },
  );

  describe('the same database under another name is the same database (issue 22, point 7)', () => {
    // A hard link, or DIR beside DIR/data.mdb, gets a lock file of its own from LMDB: both mocks
    // started, one died with SIGSEGV, and acknowledged rotations were lost. The data file's device
    // and inode decide now.
    const cases: [string, (dir: string) => { first: string; second: string }][] = [
      [
        'a hard link to the database',
        (d) => {
          const first = path.join(d, 'state.db');
          fs.writeFileSync(first, '');
          fs.mkdirSync(path.join(d, 'elsewhere'));
          const second = path.join(d, 'elsewhere', 'hard.db');
          fs.linkSync(first, second);
          return { first, second };
        },
      ],
      [
        'DIR first, then DIR/data.mdb',
        (d) => {
          fs.mkdirSync(path.join(d, 'state'));
          return { first: path.join(d, 'state'), second: path.join(d, 'state', 'data.mdb') };
        },
      ],
      [
        'DIR/data.mdb first, then DIR',
        (d) => {
          fs.mkdirSync(path.join(d, 'state'));
          return { first: path.join(d, 'state', 'data.mdb'), second: path.join(d, 'state') };
        },
      ],
    ];
    it.each(cases)(
      '%s: the second process is refused, naming the owner and its path; the first keeps every rotation',
      async (_what, make) => {
        const { first, second } = make(dir);
        const endpoint = seeded[0].endpoints[0].id;
        const owner1 = await startServe(first);
        try {
          const before = fs.readdirSync(path.dirname(second)).sort();
          const r = await runCli(['serve', '--port', '0', '--state-file', second]);
          expect(r.code).toBe(1);
          expect(r.stdout).toBe('');
          expect(r.stderr.trim().split('\n')).toEqual([
            `inklink-mock serve: state file ${second}: is in use by another inklink-mock process ` +
              `(pid ${owner1.child.pid}): stop it first, or use another --state-file (it has this database open ` +
              `as ${first}: the same file under another name)`,
          ]);
          // Refused before LMDB opened anything: no lock file of its own beside the second name.
          expect(fs.readdirSync(path.dirname(second)).sort()).toEqual(before);
          // A mock in this (the test's) process is refused the same way.
          expect(() => createMockServer({ stateFile: second, logLevel: 'silent' })).toThrow(
            new RegExp(`is in use by another inklink-mock process \\(pid ${owner1.child.pid}\\)`),
          );
          // The first never stopped: its rotations are answered and kept.
          let secret = '';
          for (let i = 0; i < 3; i++) {
            const res = await call(owner1.url, 'POST', `/webhook/endpoints/${endpoint}/rotate-secret`, {
              headers: { 'api-key': owner() },
            });
            expect(res.status).toBe(200);
            secret = res.json.secret;
          }
          expect(await owner1.stop()).toBe(0);
          // Stopped, it gives the database back: the second name opens it, with the last rotation.
          const next = await startServe(second);
          try {
            const state = (await call(next.url, 'GET', '/__mock/state')).json;
            const e = state.organizations[0].endpoints.find((x: any) => x.id === endpoint);
            expect(e.rotations).toBe(3);
            expect(e.secret_fingerprint).toBe(fp(secret));
          } finally {
            await next.stop();
          }
        } finally {
          if (owner1.child.exitCode === null) await owner1.stop();
        }
      },
    );

    it('the owner database: in a directory of the user alone (else refused), its record given back', async () => {
      const tmp = path.join(dir, 'tmp');
      const owners = path.join(tmp, `inklink-mock-${process.getuid!()}`);
      fs.mkdirSync(owners, { recursive: true, mode: 0o755 });
      fs.chmodSync(owners, 0o755);
      const file = path.join(dir, 'state.db');
      const refused = await runCli(['serve', '--port', '0', '--state-file', file], { TMPDIR: tmp });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `state file ${file}: cannot be claimed for this process: the owner database ${owners}/owners lies in ` +
          `${owners}, which is not a directory of this user's alone (mode 0700): remove it`,
      );
      fs.rmSync(owners, { recursive: true });
      const run = await startCli(['--port', '0', '--state-file', file], { TMPDIR: tmp });
      expect(fs.statSync(owners).mode & 0o777).toBe(0o700);
      expect(fs.readdirSync(owners).sort()).toEqual(['owners', 'owners-lock']);
      expect(await run.stop()).toBe(0);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as the mock loads lmdb
      const { open } = require('lmdb') as typeof import('lmdb');
      const db = open({ path: path.join(owners, 'owners'), noSubdir: true, readOnly: true, overlappingSync: false });
      try {
        expect([...db.getKeys()]).toEqual([]);
      } finally {
        await db.close();
      }
    });

    it('a hard link in this process is refused too; after the owner is killed, the hard link takes over', async () => {
      const file = path.join(dir, 'state.db');
      const link = path.join(dir, 'hard.db');
      const a = createMockServer({ stateFile: file, logLevel: 'silent' });
      fs.linkSync(file, link);
      expect(() => createMockServer({ stateFile: link, logLevel: 'silent' })).toThrow(
        /is already open in this process/,
      );
      await a.close();
      const run = await startServe(file);
      run.child.kill('SIGKILL');
      await new Promise((r) => run.child.once('exit', r));
      // The owner died without giving the database back: its pid is gone from the owner database.
      const b = createMockServer({ stateFile: link, logLevel: 'silent' });
      await b.close();
    });
  });

  it('a second mock on the same database in one process is refused; closing the first frees it', async () => {
    const file = path.join(dir, 'state.db');
    const a = createMockServer({ stateFile: file, logLevel: 'silent' });
    expect(() => createMockServer({ stateFile: file, logLevel: 'silent' })).toThrow(/is already open in this process/);
    await a.close();
    const b = createMockServer({ stateFile: file, logLevel: 'silent' });
    await b.close();
  });

  it('writes only what changed: a rotation writes one record, whatever the size of the state', async () => {
    const file = path.join(dir, 'state.db');
    const mock = createMockServer({ stateFile: file, logLevel: 'silent' });
    const url = await mock.listen();
    try {
      for (let i = 0; i < 300; i++)
        expect(
          (await call(url, 'POST', '/__mock/endpoints', { body: { organization_id: mock.seeded[i % 2].id } })).status,
        ).toBe(201);
      const before = { ...mock.committer!.stats };
      const res = await call(url, 'POST', `/webhook/endpoints/${mock.seeded[0].endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': owner() },
      });
      expect(res.status).toBe(200);
      expect(mock.committer!.stats.writes - before.writes).toBe(1);
      expect(mock.committer!.stats.records - before.records).toBe(1);
    } finally {
      await mock.close();
    }
  });

  it('INKLINK_MOCK_STATE_FILE and INKLINK_MOCK_FIXTURE work like the flags', async () => {
    const file = path.join(dir, 'env.db');
    const fixture = path.join(dir, 'fixture.json');
    fs.writeFileSync(fixture, JSON.stringify(fixtureDoc()));
    const r = await runCli(['serve', '--port', '0', '--help']);
    for (const s of [
      '--state-file FILE',
      'INKLINK_MOCK_STATE_FILE',
      '--fixture FILE.json',
      'INKLINK_MOCK_FIXTURE',
      '--shutdown-timeout DURATION',
    ])
      expect(r.stdout).toContain(s);
    const run = await startCli(['--port', '0'], { INKLINK_MOCK_STATE_FILE: file, INKLINK_MOCK_FIXTURE: fixture });
    try {
      expect(run.stdout()).toContain(`state: loaded from the fixture ${fixture} and saved to ${file}`);
      expect(readStateDatabase(file).snapshot.endpoints.map((e) => e.id)).toEqual(['wh_end_fixture']);
    } finally {
      await run.stop();
    }
  });
});

describe('JSON fixtures (--fixture) and the export', () => {
  it('--fixture alone: its keys (stored hashed) and secrets in force, in memory; fixture never written', async () => {
    const receiver = await startReceiver();
    const file = path.join(dir, 'fixture.json');
    const text = JSON.stringify(fixtureDoc(receiver.url), null, 2);
    fs.writeFileSync(file, text, { mode: 0o644 });
    const run = await startCli(['--port', '0', '--fixture', file, '--retry-schedule', '0']);
    try {
      expect(run.stdout()).toContain(`state: loaded from the fixture ${file}, in memory (changes are not saved)`);
      expect(run.stdout()).not.toContain(FIXTURE_SECRET);
      const emitted = await call(run.url, 'POST', '/__mock/events', {
        body: { type: 'kyc.result.approved', endpoint_id: 'wh_end_fixture' },
      });
      expect(emitted.status).toBe(202);
      const [d] = await receiver.waitForCount(1);
      expect(() => new Webhook(FIXTURE_SECRET).verify(d.body, d.headers as Record<string, string>)).not.toThrow();
      const rotated = await call(run.url, 'POST', '/webhook/endpoints/wh_end_fixture/rotate-secret', {
        headers: { 'api-key': FIXTURE_KEY },
      });
      expect(rotated.status).toBe(200);
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
      expect(modeOf(file)).toBe(0o644);
      // Reset: back to the fixture.
      await call(run.url, 'POST', '/__mock/reset');
      expect((await call(run.url, 'GET', '/__mock/state')).json.organizations[0].endpoints[0].secret_fingerprint).toBe(
        fp(FIXTURE_SECRET),
      );
    } finally {
      await run.stop();
      await receiver.close();
    }
  });

  it(
    'a state file of inklink-mock 0.1 (JSON) still loads as a fixture; given ' +
      'as --state-file, it is refused with the way to move it, and left as it is',
    async () => {
      const old = path.join(dir, 'state.json');
      fs.writeFileSync(old, JSON.stringify(fixtureDoc(), null, 2));
      const before = fs.readFileSync(old);
      const refused = await runCli(['serve', '--port', '0', '--state-file', old]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `state file ${old}: holds a JSON state (the state-file format of inklink-mock 0.1)`,
      );
      expect(refused.stderr).toContain(`--fixture ${old} --state-file NEW.db`);
      expect(fs.readFileSync(old)).toEqual(before);
      // The migration the message gives.
      const db = path.join(dir, 'state.db');
      const moved = await startCli(['--port', '0', '--fixture', old, '--state-file', db]);
      try {
        const rotated = await call(moved.url, 'POST', '/webhook/endpoints/wh_end_fixture/rotate-secret', {
          headers: { 'api-key': FIXTURE_KEY },
        });
        expect(rotated.status).toBe(200);
      } finally {
        await moved.stop();
      }
      // From now on the database is the state; the fixture no longer applies (and the banner says so).
      const again = await startCli(['--port', '0', '--fixture', old, '--state-file', db]);
      try {
        expect(again.stdout()).toContain(`fixture ${old} not loaded: the state file already holds a state`);
        expect(again.stdout()).not.toContain(fp(FIXTURE_SECRET));
      } finally {
        await again.stop();
      }
      // A new state file named *.json is refused: it is a database, not JSON.
      const named = await runCli(['serve', '--port', '0', '--state-file', path.join(dir, 'new.json')]);
      expect(named.code).toBe(1);
      expect(named.stderr).toMatch(/the state file is a database now, not JSON: name it e\.g\. state\.db/);
      expect(fs.existsSync(path.join(dir, 'new.json'))).toBe(false);
    },
  );

  it(
    'GET /__mock/state/export gives a readable fixture (key hashes, ' +
      'never keys; secrets) that starts a mock in the same state',
    async () => {
      const a = createMockServer({ logLevel: 'silent', selfCheck: true });
      const urlA = await a.listen();
      try {
        await call(urlA, 'POST', `/webhook/endpoints/${a.seeded[0].endpoints[0].id}/rotate-secret`, {
          headers: { 'api-key': owner() },
        });
        const minted = await call(urlA, 'POST', '/__mock/api-keys', { body: { role: 'owner' } });
        const res = await call(urlA, 'GET', '/__mock/state/export');
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.json.format).toBe('inklink-mock-state');
        expect(res.text).not.toContain(owner());
        expect(res.text).not.toContain(minted.json.api_key);
        expect(res.text).toContain(hashApiKey(minted.json.api_key));
        const file = path.join(dir, 'exported.json');
        fs.writeFileSync(file, JSON.stringify(res.json, null, 2));
        const b = createMockServer({ fixture: file, logLevel: 'silent' });
        const urlB = await b.listen();
        try {
          expect((await call(urlB, 'GET', '/__mock/state')).json).toEqual(
            (await call(urlA, 'GET', '/__mock/state')).json,
          );
          const rotated = await call(urlB, 'POST', `/webhook/endpoints/${a.seeded[0].endpoints[0].id}/rotate-secret`, {
            headers: { 'api-key': owner() },
          });
          expect(rotated.status).toBe(200);
        } finally {
          await b.close();
        }
      } finally {
        await a.close();
      }
    },
  );
});

describe('broken data: a clear error naming the file, never quoting a value, never a silent reset', () => {
  const broken: [string, (file: string) => void, RegExp][] = [
    [
      'not JSON',
      (f) => fs.writeFileSync(f, '{"format": "inklink-mock-state", "version": 1, "organizations": [,'),
      /is not valid JSON: is it truncated or corrupt\?/,
    ],
    ['empty', (f) => fs.writeFileSync(f, ''), /is empty/],
    [
      'another JSON document',
      (f) => fs.writeFileSync(f, '{"name": "not a state"}'),
      /"format" must be "inklink-mock-state"/,
    ],
    [
      'a future version',
      (f) => fs.writeFileSync(f, '{"format": "inklink-mock-state", "version": 2}'),
      /"version" 2 is not supported/,
    ],
    ['a directory', (f) => fs.mkdirSync(f), /is a directory, not a JSON state/],
    ['missing', () => undefined, /does not exist/],
  ];
  it.each(broken)('a fixture that is %s: exit 1, the file named, nothing started', async (_what, make, message) => {
    const file = path.join(dir, 'fixture.json');
    make(file);
    const r = await runCli(['serve', '--port', '0', '--fixture', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`fixture ${file}`);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a fixture with bad records: every problem named by field, no value quoted (not even a secret)', async () => {
    const file = path.join(dir, 'fixture.json');
    const doc: any = fixtureDoc();
    const leaked = doc.endpoints[0].secret;
    doc.endpoints[0].secret = leaked.slice(0, 20);
    doc.endpoints[0].url = `https://e.example/${'a'.repeat(3000)}`;
    doc.apiKeys[0].role = 'root';
    doc.extra = true;
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['serve', '--port', '0', '--fixture', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown top-level field "extra"');
    for (const m of ['endpoints[0].secret', 'endpoints[0].url must be at most 2048 characters', 'apiKeys[0].role'])
      expect(r.stderr).toContain(m);
    expect(r.stderr).not.toContain(leaked.slice(0, 20));
    expect(() => createMockServer({ fixture: file, logLevel: 'silent' })).toThrow(StateFileError);
  });

  it('a database with a bad record: named by field, the secret not quoted, the database left as it is', async () => {
    const file = path.join(dir, 'state.db');
    await createMockServer({ stateFile: file, logLevel: 'silent' }).close();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as the mock loads lmdb
    const { open } = require('lmdb') as typeof import('lmdb');
    const db = open({ path: file, noSubdir: true, overlappingSync: false });
    const key = `e:${seeded[0].endpoints[0].id}`;
    const stored = db.get(key);
    const leaked = stored.record.secret as string;
    await db.put(key, { ...stored, record: { ...stored.record, secret: leaked.slice(0, 20), eventTypes: ['nope'] } });
    await db.close();
    const size = fs.statSync(file).size;
    const r = await runCli(['serve', '--port', '0', '--state-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`state file ${file}: is not an inklink-mock state`);
    expect(r.stderr).toMatch(/endpoints\[\d\]\.secret/);
    expect(r.stderr).toMatch(/endpoints\[\d\]\.eventTypes/);
    expect(r.stderr).not.toContain(leaked.slice(0, 20));
    expect(fs.statSync(file).size).toBe(size);
  });

  it('a file neither a database nor JSON is refused and left as it is; an empty one is a new database', async () => {
    const file = path.join(dir, 'state.db');
    fs.writeFileSync(file, Buffer.alloc(10_000, 0x41));
    const r = await runCli(['serve', '--port', '0', '--state-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`state file ${file}: is not an inklink-mock state database (nor a JSON state)`);
    expect(fs.readFileSync(file)).toEqual(Buffer.alloc(10_000, 0x41));
    fs.writeFileSync(file, '');
    const run = await startServe(file);
    expect(run.stdout()).toContain(`state: seeded and saved to ${file}`);
    await run.stop();
  });
});

describe('SIGKILL in the middle of a rotation load', () => {
  const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);

  it(`${ROUNDS} kill-and-restart rounds: no acknowledged rotation lost, the database always whole`, async () => {
    const file = path.join(dir, 'state.db');
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
      }
      expect(acknowledged).toBeGreaterThan(ROUNDS * 10);
      expect(fs.readdirSync(dir).sort()).toEqual(['state.db', 'state.db-lock']);
      expect(modeOf(file)).toBe(0o600);
    } finally {
      if (run.child.exitCode === null) await run.stop();
    }
  }, 60_000);
});
