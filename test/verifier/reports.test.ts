/**
 * verify's CI reports as a real process against a variant that leaks a secret into an error message:
 * CTRF JSON, the single-file HTML page (opened in Chromium: it renders, logs no error, fetches
 * nothing but itself) and GitHub Actions `::error` lines, each redacted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli';
import { startVariant, VARIANTS, type RunningVariant } from '../helpers/broken-variants';
import { launch, present, required } from '../helpers/chromium';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-reports-'));
const VARIANT = 'secret-repeated-later';
const FAILS = VARIANTS[VARIANT].fails;

let broken: RunningVariant;
let run: { code: number | null; stdout: string; stderr: string };
const ctrf = path.join(tmp, 'r/ctrf.json');
const html = path.join(tmp, 'r/report.html');
const junit = path.join(tmp, 'r/junit.xml');
const json = path.join(tmp, 'r/report.json');

beforeAll(async () => {
  broken = await startVariant(VARIANT);
  run = await runCli(
    [
      'verify',
      '--trigger',
      'mock',
      ...FAILS.flatMap((c) => ['--check', c]),
      ...[`ctrf:${ctrf}`, `html:${html}`, `junit:${junit}`, `json:${json}`].flatMap((r) => ['--report', r]),
    ],
    {
      INKLINK_BASE_URL: broken.url,
      INKLINK_ADMIN_KEY: broken.keys.admin,
      INKLINK_MEMBER_KEY: broken.keys.member,
      INKLINK_OTHER_ORG_KEY: broken.keys.otherOrg,
      GITHUB_ACTIONS: 'true',
    },
  );
}, 60_000);
afterAll(async () => {
  await broken?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('verify --report ctrf / html and GITHUB_ACTIONS annotations', () => {
  it('fails the variant and writes every report with neither a key nor a whsec_ secret in it', () => {
    expect(run.code).toBe(1);
    const texts = [run.stdout, run.stderr, ...[ctrf, html, junit, json].map((f) => fs.readFileSync(f, 'utf8'))];
    // The variant's leak reached the reports (redacted), so redaction is what keeps it out.
    expect(fs.readFileSync(json, 'utf8')).toContain('current secret [redacted');
    for (const t of texts) {
      expect(t).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
      for (const k of Object.values(broken.keys)) expect(t).not.toContain(k);
    }
  });

  it('CTRF: the summary counts and one test per check, its status CTRF names', () => {
    const { results } = JSON.parse(fs.readFileSync(ctrf, 'utf8'));
    expect(results.tool.name).toBe('inklink-mock verify');
    expect(results.tests.map((t: { name: string }) => t.name).sort()).toEqual([...FAILS].sort());
    expect(results.summary).toMatchObject({ tests: FAILS.length, failed: FAILS.length, passed: 0, pending: 0 });
    expect(results.summary.stop).toBeGreaterThanOrEqual(results.summary.start);
    for (const t of results.tests) {
      expect(t.status).toBe('failed');
      expect(typeof t.message).toBe('string');
      expect(typeof t.trace).toBe('string');
      expect(typeof t.duration).toBe('number');
    }
  });

  it('GitHub Actions: one ::error line per failed check, after the table, escaped', () => {
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(lines.map((l) => /^::error title=([^:]+)::/.exec(l)?.[1]).sort()).toEqual([...FAILS].sort());
    expect(run.stdout.indexOf('::error')).toBeGreaterThan(run.stdout.indexOf(' failed, '));
    for (const l of lines) expect(l).toContain('%0A'); // summary, then evidence, on one line
  });
});

const browserSuite = present || required ? describe : describe.skip;
browserSuite('the HTML report in Chromium', () => {
  it('renders the check rows, logs no console error and fetches nothing but itself', async () => {
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(html).href;
      await page.goto(url, { waitUntil: 'load' });
      const rows = await page.locator('#checks tbody tr').allTextContents();
      expect(rows).toHaveLength(FAILS.length);
      for (const name of FAILS) expect(rows.some((r) => r.startsWith(name) && r.includes('FAIL'))).toBe(true);
      expect(await page.locator('section h2').allTextContents()).toEqual(
        expect.arrayContaining(FAILS.map((n) => `${n}: FAIL`)),
      );
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
