/**
 * What `--state-file` and `--fixture` may name (issue 11, point 1): a path that is not a regular
 * file (or, for the state, a directory) is refused at start without being read (a FIFO hung
 * start-up, `/dev/zero` aborted the process); a huge file is refused without being read whole (a
 * 700 MB file was read before the error); a symbolic link is followed and stays a link (it was
 * replaced by a regular file).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIMITS } from '../../mock/domain/limits';
import { runCli } from '../helpers/cli';
import { call } from '../helpers/http';
import { endpointInDatabase } from '../helpers/state-db';
import { startServe } from '../helpers/reliability/crash';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-paths-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs serve and expects it to refuse quickly (a hang or a whole read would take far longer). */
async function refused(args: string[], message: RegExp): Promise<void> {
  const started = Date.now();
  const r = await runCli(['serve', '--port', '0', ...args], {}, 15_000);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
  expect(Date.now() - started).toBeLessThan(10_000);
}

describe('paths that are not regular files are refused without being read', () => {
  it('a FIFO, as the state file or as the fixture', async () => {
    const fifo = path.join(dir, 'state.db');
    execFileSync('mkfifo', [fifo]);
    await refused(
      ['--state-file', fifo],
      /state file .*state\.db: is a FIFO \(named pipe\), not a regular file: refused without reading it/,
    );
    await refused(['--fixture', fifo], /fixture .*state\.db: is a FIFO \(named pipe\), not a regular file/);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
  });

  it('/dev/zero and /dev/null (character devices), also through a symbolic link', async () => {
    await refused(['--state-file', '/dev/zero'], /state file \/dev\/zero: is a character device, not a regular file/);
    await refused(['--fixture', '/dev/zero'], /fixture \/dev\/zero: is a character device/);
    await refused(['--fixture', '/dev/null'], /fixture \/dev\/null: is a character device/);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.db'));
    await refused(['--state-file', path.join(dir, 'zero.db')], /is a character device/);
  });

  it('a huge fixture is refused by its size, unread; a huge non-database file, after its first bytes', async () => {
    const huge = path.join(dir, 'huge.json');
    fs.writeFileSync(huge, '{');
    fs.truncateSync(huge, 700 * 1024 * 1024); // sparse: 700 MB that take no space
    await refused(
      ['--fixture', huge],
      new RegExp(
        `is ${700 * 1024 * 1024} bytes, over the limit of ${LIMITS.fixtureBytes.value} bytes: refused ` +
          `without reading it`,
      ),
    );
    const garbage = path.join(dir, 'huge.db');
    fs.writeFileSync(garbage, 'not a database');
    fs.truncateSync(garbage, 700 * 1024 * 1024);
    await refused(['--state-file', garbage], /is not an inklink-mock state database \(nor a JSON state\)/);
    expect(fs.statSync(garbage).size).toBe(700 * 1024 * 1024);
  });

  it('a symbolic link to nothing is refused; a path under a file is an error', async () => {
    fs.symlinkSync(path.join(dir, 'nowhere.db'), path.join(dir, 'dangling.db'));
    await refused(['--state-file', path.join(dir, 'dangling.db')], /is a symbolic link to a file that does not exist/);
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    await refused(
      ['--state-file', path.join(dir, 'plain', 'state.db')],
      /cannot be read: a parent of it is not a directory \(ENOTDIR\)/,
    );
  });
});

describe('what is followed or accepted', () => {
  it('a symbolic link is followed: the database is written where it points, and the link stays a link', async () => {
    fs.mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 'state.db');
    const link = path.join(dir, 'state.db');
    fs.symlinkSync(target, link);
    fs.writeFileSync(target, ''); // an empty target: a new database
    const run = await startServe(link);
    try {
      const state = (await call(run.url, 'GET', '/__mock/state')).json;
      const ep = state.organizations[0].endpoints[0].id;
      const key = /owner\s+api-key: (\S+)/.exec(run.stdout())![1];
      const res = await call(run.url, 'POST', `/webhook/endpoints/${ep}/rotate-secret`, {
        headers: { 'api-key': key },
      });
      expect(res.status).toBe(200);
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(endpointInDatabase(target, ep)!.secret).toBe(res.json.secret);
      // LMDB's lock file lies beside the target, so every link to it shares one lock.
      expect(fs.existsSync(`${target}-lock`)).toBe(true);
      expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    } finally {
      await run.stop();
    }
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("a directory holds the database in LMDB's own layout (data.mdb, lock.mdb), owner-only", async () => {
    const d = path.join(dir, 'state');
    fs.mkdirSync(d);
    const run = await startServe(d);
    await run.stop();
    expect(fs.readdirSync(d).sort()).toEqual(['data.mdb', 'lock.mdb']);
    for (const f of ['data.mdb', 'lock.mdb']) expect(fs.statSync(path.join(d, f)).mode & 0o777).toBe(0o600);
    const again = await startServe(d);
    expect(again.stdout()).toContain(`state: loaded from ${d}`);
    await again.stop();
  });

  it('an existing database file with a wider mode is made owner-only at start', async () => {
    const file = path.join(dir, 'state.db');
    await (await startServe(file)).stop();
    fs.chmodSync(file, 0o644);
    fs.chmodSync(`${file}-lock`, 0o666);
    await (await startServe(file)).stop();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${file}-lock`).mode & 0o777).toBe(0o600);
  });
});
