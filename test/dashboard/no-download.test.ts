/**
 * Nothing downloads a browser (issue 13, point 4): the browser tests drive Debian's Chromium with
 * playwright-core, which has no install script; `npm ci` runs no install script but the two that
 * build or pick a database binary shipped in npm packages (lmdb, msgpackr-extract), and Jest 30's
 * file watcher's (@parcel/watcher), which builds from source only when npm_config_build_from_source
 * is true and otherwise does nothing (its binary comes in @parcel/watcher-linux-x64-glibc).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM, FLAGS } from '../helpers/chromium';

const ROOT = path.join(__dirname, '../..');
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
const packages = Object.entries<any>(lock.packages).filter(([p]) => p.startsWith('node_modules/'));
const name = (p: string) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length);

it('installs no package that downloads a browser, and only the known install scripts run', () => {
  const names = packages.map(([p]) => name(p));
  expect(names).toContain('playwright-core');
  expect(names).toContain('axe-core');
  for (const browserFetcher of [
    'playwright',
    'puppeteer',
    'chromedriver',
    'electron',
    '@playwright/test',
    'playwright-chromium',
  ])
    expect(names).not.toContain(browserFetcher);
  expect(
    packages
      .filter(([, v]) => v.hasInstallScript)
      .map(([p]) => name(p))
      .sort(),
  ).toEqual(['@parcel/watcher', 'lmdb', 'msgpackr-extract']);
});

it("playwright-core has no install script of its own and is pointed at Debian's Chromium", () => {
  const manifest = JSON.parse(fs.readFileSync(require.resolve('playwright-core/package.json'), 'utf8'));
  expect(Object.keys(manifest.scripts ?? {}).filter((s) => /install/.test(s))).toEqual([]);
  if (process.env.CHROMIUM_BIN === undefined) expect(CHROMIUM).toBe('/usr/bin/chromium');
  expect(FLAGS).toEqual(
    expect.arrayContaining([
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
    ]),
  );
});

it('.ci/run installs Chromium when it is missing and makes the browser tests required', () => {
  const ci = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  expect(ci).toMatch(/apt-get install -y -qq chromium/);
  expect(ci).toMatch(/export CHROMIUM_REQUIRED=1/);
  expect(ci).toMatch(/export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1/);
  expect(ci.indexOf('CHROMIUM_REQUIRED=1')).toBeLessThan(ci.indexOf('npm test'));
});
