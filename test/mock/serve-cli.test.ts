/** The library entry point, seeded determinism, and `inklink-mock serve` as a real process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMockServer } from '../../src'; // the package's public entry point
import { call, waitFor } from '../helpers/http';
import { runCli, startCli } from '../helpers/cli';
import { startReceiver } from '../helpers/receiver';

describe('seeded state', () => {
  it('the same seed gives the same organizations, keys, endpoints and secrets; another seed does not', async () => {
    const a = createMockServer({ seed: 7, logLevel: 'silent' });
    const b = createMockServer({ seed: 7, logLevel: 'silent' });
    const c = createMockServer({ seed: 8, logLevel: 'silent' });
    expect(a.seeded).toEqual(b.seeded);
    expect(a.seeded).not.toEqual(c.seeded);
    expect(a.seeded).toHaveLength(2);
    for (const org of a.seeded) {
      expect(org.apiKeys.map((k) => k.role)).toEqual(['owner', 'admin', 'member']);
      expect(org.endpoints.length).toBeGreaterThanOrEqual(2);
      for (const e of org.endpoints) expect(e.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    }
    const [ua, ub] = [await a.listen(), await b.listen()];
    expect((await call(ua, 'GET', '/__mock/state')).json).toEqual((await call(ub, 'GET', '/__mock/state')).json);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('listen() resolves with a URL on a random loopback port, and close() frees it', async () => {
    const s = createMockServer({ logLevel: 'silent' });
    const url = await s.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.url).toBe(url);
    expect((await call(url, 'GET', '/__mock/health')).status).toBe(200);
    await s.close();
    await expect(fetch(url + '/__mock/health')).rejects.toThrow();
  });
});

describe('inklink-mock serve', () => {
  it('prints the banner (URL, keys by role, endpoints with initial secrets) and serves them', async () => {
    const run = await startCli(['--port', '0', '--seed', '7']);
    try {
      const expected = createMockServer({ seed: 7, logLevel: 'silent' }).seeded;
      const banner = run.stdout();
      for (const org of expected) {
        expect(banner).toContain(org.id);
        for (const k of org.apiKeys) expect(banner).toMatch(new RegExp(`${k.role}\\s+api-key: ${k.key}`));
        for (const e of org.endpoints) {
          expect(banner).toContain(e.id);
          expect(banner).toContain(`secret: ${e.secret}`);
        }
      }
      const owner = expected[0].apiKeys[0].key;
      const res = await call(run.url, 'POST', `/webhook/endpoints/${expected[0].endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': owner },
      });
      expect(res.status).toBe(200);
    } finally {
      expect(await run.stop()).toBe(0);
    }
    // Secrets appear only in the banner (stdout), never in the log (stderr).
    expect(run.stderr()).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
  });

  it('takes every option from its env var', async () => {
    // A receiver that never answers: the delivery timeout from the env var is what ends each attempt.
    const hanging = await startReceiver(() => ({ status: 200, hang: true }));
    const stateFile = path.join(os.tmpdir(), `inklink-env-${process.pid}.db`);
    fs.rmSync(stateFile, { force: true });
    fs.rmSync(`${stateFile}-lock`, { force: true });
    const run = await startCli([], {
      INKLINK_MOCK_PORT: '0',
      INKLINK_MOCK_HOST: '127.0.0.2',
      INKLINK_MOCK_SEED: '9',
      INKLINK_MOCK_WEBHOOK_URL: hanging.url,
      INKLINK_MOCK_RETRY_SCHEDULE: '0,100ms',
      INKLINK_MOCK_DELIVERY_TIMEOUT: '300ms',
      INKLINK_MOCK_JOURNAL_LIMIT: '3',
      INKLINK_MOCK_LOG_LEVEL: 'debug',
      INKLINK_MOCK_LOG_FORMAT: 'json',
      INKLINK_MOCK_SELF_CHECK: 'true',
      INKLINK_MOCK_CONTROL_TOKEN: 'env-token',
      INKLINK_MOCK_STATE_FILE: stateFile,
    });
    const auth = { authorization: 'Bearer env-token' };
    try {
      expect(run.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const seeded = createMockServer({ seed: 9, logLevel: 'silent' }).seeded;
      expect(run.stdout()).toContain(seeded[0].apiKeys[0].key);
      expect(run.stdout()).toContain('self-check: on');
      expect(run.stdout()).toContain(`-> ${hanging.url}`);
      expect(fs.existsSync(stateFile)).toBe(true);
      expect((await call(run.url, 'GET', '/__mock/state')).status).toBe(401);
      const endpoint = seeded[0].endpoints[0].id;
      for (let i = 0; i < 4; i++)
        await call(run.url, 'POST', '/__mock/events', {
          headers: auth,
          body: { type: 'kyc.result.approved', endpoint_id: endpoint },
        });
      const journal = await waitFor(async () => {
        const d = (await call(run.url, 'GET', '/__mock/deliveries', { headers: auth })).json.deliveries;
        return d.length && d.every((x: any) => x.state === 'failed') ? d : undefined;
      }, 10_000);
      expect(journal).toHaveLength(3);
      expect(journal[0].attempts).toHaveLength(2);
      for (const a of journal[0].attempts) expect(a.error).toBe('timed out after 300 ms');
      // Debug lines, as JSON: the level's and the format's env vars took effect.
      await waitFor(
        () => /^\{"time":"[^"]+","level":"debug","msg":"event emitted"/m.test(run.stderr()) || undefined,
        3000,
        'a debug line as JSON',
      );
    } finally {
      await run.stop();
      await hanging.close();
      fs.rmSync(stateFile, { force: true });
      fs.rmSync(`${stateFile}-lock`, { force: true });
    }
  });

  it('a flag beats its env var', async () => {
    const run = await startCli(['--port', '0', '--seed', '11'], { INKLINK_MOCK_SEED: '12' });
    try {
      expect(run.stdout()).toContain(createMockServer({ seed: 11, logLevel: 'silent' }).seeded[0].apiKeys[0].key);
    } finally {
      await run.stop();
    }
  });

  it.each([
    [['serve', '--port', 'abc'], /--port must be an integer/],
    [['serve', '--log-level', 'loud'], /--log-level must be one of/],
    [['serve', '--log-format', 'yaml'], /--log-format must be one of text, json/],
    [['serve', '--retry-schedule', '5x'], /Invalid duration/],
    [['serve', '--delivery-timeout', 'soon'], /Invalid duration/],
    [['serve', '--delivery-timeout', '0'], /at least 1 ms/],
    [['serve', '--retry-schedule', '0,1000h'], /at most 2147483647 ms/],
    [['serve', '--host', '0.0.0.0'], /needs --control-token/],
    [['serve', '--webhook-url', 'not a url'], /--webhook-url must be an absolute http\(s\) URL/],
    [['serve', '--webhook-url', 'ftp://example.com/hooks'], /--webhook-url must be an absolute http\(s\) URL/],
    [['serve', '--bogus'], /^inklink-mock serve: unknown option --bogus; see "inklink-mock serve --help"\n$/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%p exits 2 with a clear message', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('checks every option before it creates anything: no state file is written on a usage error', async () => {
    const file = path.join(os.tmpdir(), `inklink-usage-${process.pid}.json`);
    const r = await runCli(['serve', '--state-file', file, '--port', 'abc']);
    expect(r.code).toBe(2);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('--help lists every flag with its env var', async () => {
    const r = await runCli(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      'port',
      'host',
      'seed',
      'webhook-url',
      'retry-schedule',
      'delivery-timeout',
      'journal-limit',
      'log-level',
      'log-format',
      'control-token',
      'self-check',
    ]) {
      expect(r.stdout).toContain(`--${flag}`);
    }
    expect(r.stdout).toContain('INKLINK_MOCK_RETRY_SCHEDULE');
  });
});
