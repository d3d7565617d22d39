/**
 * The dashboard's files (issue 13, point 3): served by the mock from the package (offline: no
 * other origin anywhere), with a strict Content-Security-Policy, without the control token (they
 * hold no data), and shipped: the build copies them into dist/, which the package contains.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, CONTENT_TYPES, UI_DIR } from '../../mock/http/dashboard';
import { call, expectEnvelope } from '../helpers/http';
import { startCli } from '../helpers/cli';
import { startMock, type TestMock } from '../helpers/mock';

const ROOT = path.join(__dirname, '../..');
const SOURCES = path.join(ROOT, 'mock/ui');
const files = fs.readdirSync(SOURCES).filter((f) => CONTENT_TYPES[path.extname(f)]);

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

describe('GET /__mock/ui', () => {
  it('serves the page with a strict Content-Security-Policy and no caching surprises', async () => {
    const res = await call(m.url, 'GET', '/__mock/ui');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|https?:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.text).toBe(fs.readFileSync(path.join(SOURCES, 'index.html'), 'utf8'));
    const head = await fetch(`${m.url}/__mock/ui`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it.each(files)('serves %s with its type and the same policy', async (file) => {
    const res = await call(m.url, 'GET', `/__mock/ui/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(CONTENT_TYPES[path.extname(file)]);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.text).toBe(fs.readFileSync(path.join(SOURCES, file), 'utf8'));
  });

  it("is where one lands who opens the control API's address or adds a slash: 302, no token, no data", async () => {
    const t = await startMock({ controlToken: 'tok' });
    try {
      for (const p of ['/__mock', '/__mock/', '/__mock/ui/']) {
        for (const method of ['GET', 'HEAD']) {
          const res = await fetch(`${t.url}${p}`, { method, redirect: 'manual' });
          expect([p, method, res.status, res.headers.get('location'), await res.text()]).toEqual([
            p,
            method,
            302,
            '/__mock/ui',
            '',
          ]);
        }
      }
      const followed = await fetch(`${t.url}/__mock/`);
      expect([followed.url, followed.status, followed.headers.get('content-type')]).toEqual([
        `${t.url}/__mock/ui`,
        200,
        'text/html; charset=utf-8',
      ]);
      // Only those: anything else under /__mock still needs the token, and InkLink's root is InkLink's 404.
      expectEnvelope(await call(t.url, 'GET', '/__mock//'), 401, 'UNAUTHORIZED');
      expectEnvelope(await call(t.url, 'GET', '/'), 404, 'NOT_FOUND');
      // A browser opening the mock's address (Accept: text/html) lands on the dashboard; a POST does not.
      const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
      for (const method of ['GET', 'HEAD']) {
        const res = await fetch(`${t.url}/`, { method, headers: { accept: html }, redirect: 'manual' });
        expect([method, res.status, res.headers.get('location')]).toEqual([method, 302, '/__mock/ui']);
      }
      expectEnvelope(await call(t.url, 'POST', '/', { headers: { accept: html } }), 404, 'NOT_FOUND');
      expectEnvelope(await call(t.url, 'GET', '/x', { headers: { accept: html } }), 404, 'NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('answers 404 in the envelope for a file it does not have, however it is spelled', async () => {
    for (const name of [
      'nope.js',
      '..%2Fpackage.json',
      '%2e%2e%2f%2e%2e%2fpackage.json',
      'index.html%00.js',
      'dashboard.css.map',
    ]) {
      expectEnvelope(await call(m.url, 'GET', `/__mock/ui/${name}`), 404, 'NOT_FOUND');
    }
    expectEnvelope(await call(m.url, 'GET', '/__mock/ui/../../package.json'), 404, 'NOT_FOUND');
  });

  it('needs no control token (a browser navigation cannot send one); everything with data still does', async () => {
    const t = await startMock({ controlToken: 'tok' });
    try {
      expect((await call(t.url, 'GET', '/__mock/ui')).status).toBe(200);
      expect((await call(t.url, 'GET', '/__mock/ui/main.js')).status).toBe(200);
      for (const p of ['/__mock/state', '/__mock/requests', '/__mock/stream', '/__mock/deliveries'])
        expectEnvelope(await call(t.url, 'GET', p), 401, 'UNAUTHORIZED');
      // The browser guards still apply to the page: a cross-site request for it is refused.
      expectEnvelope(
        await call(t.url, 'GET', '/__mock/ui', { headers: { 'sec-fetch-site': 'cross-site' } }),
        400,
        'VALIDATION_ERROR',
      );
    } finally {
      await t.close();
    }
  });
});

describe('the files themselves', () => {
  const text = (f: string) => fs.readFileSync(path.join(SOURCES, f), 'utf8');

  it('work offline: nothing refers to another origin', () => {
    for (const f of files) {
      const urls = [...text(f).matchAll(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)]
        .map((x) => x[0])
        .filter((u) => u !== '//www.w3.org' && !u.endsWith('w3.org'));
      expect([f, urls]).toEqual([f, []]);
    }
  });

  it('need nothing the policy forbids: no inline script, style or handler; no string parsed as markup', () => {
    const html = text('index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      expect([
        f,
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style'/.test(
          text(f),
        ),
      ]).toEqual([f, false]);
    }
  });

  it('are copied by the build next to the compiled code (dist/mock/ui), the directory the server reads', () => {
    const built = path.join(ROOT, 'dist/mock/ui');
    expect(fs.readdirSync(built).sort()).toEqual([...files].sort());
    for (const f of files)
      expect([f, fs.readFileSync(path.join(built, f)).equals(fs.readFileSync(path.join(SOURCES, f)))]).toEqual([
        f,
        true,
      ]);
    // From the source (ts-jest) the server reads mock/ui; from dist, dist/mock/ui.
    expect(UI_DIR).toBe(SOURCES);
  });

  it('are in the package (npm pack)', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const packed = new Set((JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path));
    for (const f of files) expect([f, packed.has(`dist/mock/ui/${f}`)]).toEqual([f, true]);
    expect(packed.has('dist/mock/http/dashboard.js')).toBe(true);
  });

  it('are served by the built CLI, from dist', async () => {
    const cli = await startCli(['--port', '0', '--log-level', 'warn']);
    try {
      expect(cli.stdout()).toContain(`dashboard:    ${cli.url}/__mock/ui`);
      const res = await call(cli.url, 'GET', '/__mock/ui/main.js');
      expect(res.status).toBe(200);
      expect(res.text).toBe(fs.readFileSync(path.join(ROOT, 'dist/mock/ui/main.js'), 'utf8'));
    } finally {
      await cli.stop();
    }
  });
});
