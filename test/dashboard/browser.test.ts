/**
 * The dashboard in a real browser (issue 13, point 4): Debian's Chromium, headless, driven by
 * playwright-core. The page loads with no console error and no CSP violation; a rotation from the
 * page shows the new secret once and the endpoint's fingerprint changes; an emitted event's
 * deliveries appear live, signed with the new secret; once the dialogs are closed no secret or
 * whole key is left in the DOM or in storage; axe-core finds no serious or critical violation; the
 * keyboard reaches everything; the control token is asked for and kept for the session only. A
 * screenshot goes to .ci/out/dashboard.png.
 *
 * Without /usr/bin/chromium the suite is skipped, saying so, unless CHROMIUM_REQUIRED=1 (.ci/run
 * sets it after installing Chromium): then it fails.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { call } from '../helpers/http';
import { startMock, startMockWithReceiver, type TestMock } from '../helpers/mock';
import type { Receiver } from '../helpers/receiver';
import { CHROMIUM, launch, present, required, type Browser } from '../helpers/chromium';

// What the functions run in the page see (this TypeScript program has no DOM library).
declare const document: any,
  window: any,
  navigator: any,
  sessionStorage: any,
  localStorage: any,
  location: any,
  indexedDB: any;

const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOT = path.join(__dirname, '../../.ci/out/dashboard.png');

if (!present && !required) {
  console.warn(
    `SKIPPED the dashboard's browser tests: ${CHROMIUM} is not installed (apt-get install -y chromium). CI ` +
      `installs it and runs them.`,
  );
}
const suite = present || required ? describe : describe.skip;

/** What a page saw go wrong: console errors, uncaught exceptions, Content-Security-Policy violations. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/** Every secret and key the page was ever answered (collected from the network, by the test). */
function collectCredentials(page: Page, into: Set<string>): void {
  page.on('response', async (res) => {
    try {
      const text = await res.text();
      for (const m of text.matchAll(/(whsec_[A-Za-z0-9+/=]+|secret_live_[A-Za-z0-9_-]{8,})/g)) into.add(m[1]);
    } catch {
      // A stream, or a response without a body.
    }
  });
}

/** Everything a page keeps where a person or a script could find it later. */
async function leftovers(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const values = [...document.querySelectorAll('input, textarea, select')].map((e: any) => e.value);
    const storage = (s: any) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`);
    const databases = 'databases' in indexedDB ? (await indexedDB.databases()).map((d: any) => d.name) : [];
    return [
      document.documentElement.outerHTML,
      ...values,
      ...storage(sessionStorage),
      ...storage(localStorage),
      document.cookie,
      ...databases,
      document.title,
      location.href,
    ].join('\n');
  });
}

async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return (result.violations as any[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
}

suite('the dashboard in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let m: TestMock;
  let receiver: Receiver;
  let stop: () => Promise<void>;
  let problems: string[];
  const credentials = new Set<string>();
  let rotated: string;

  beforeAll(async () => {
    ({ m, receiver, close: stop } = await startMockWithReceiver({ retrySchedule: [0, 200] }));
    browser = await launch();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: m.url });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    problems = watch(page);
    collectCredentials(page, credentials);
    // Violations of the policy are reported to the page as events, whoever caused them.
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e: any) =>
        window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('loads with no console error and no CSP violation, live, showing the state', async () => {
    // A delivery signed with the first secret, so that the rotation shows in the timeline.
    await call(m.url, 'POST', '/__mock/events', {
      body: { type: 'kyc.result.approved', endpoint_id: m.endpoint().id },
    });
    await receiver.waitForCount(1);
    await page.goto(`${m.url}/__mock/ui`);
    await page.locator('#live-text', { hasText: 'Live' }).waitFor();
    await page.locator(`li[data-endpoint="${m.endpoint().id}"] .fp`, { hasText: fp(m.endpoint().secret) }).waitFor();
    await page.locator('li.delivery .attempt', { hasText: fp(m.endpoint().secret) }).waitFor();
    expect(await page.title()).toBe('inklink-mock dashboard');
    expect(await page.locator('li[data-endpoint]').count()).toBe(m.mock.seeded.flatMap((o) => o.endpoints).length);
    // Keys masked, with their roles.
    const keys = await page.locator('.key-list li').allTextContents();
    expect(keys[0]).toBe(`owner ${m.key('owner').slice(0, 16)}…`);
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('rotating in the page shows the new secret once (dialog with copy button); the fingerprint changes', async () => {
    const ep = m.endpoint();
    const row = page.locator(`li[data-endpoint="${ep.id}"]`);
    const rotate = row.getByRole('button', { name: /Rotate secret/ });
    await rotate.click();
    const dialog = page.getByRole('dialog', { name: 'New signing secret' });
    await dialog.waitFor();
    rotated = (await dialog.locator('code.once').textContent())!;
    // The secret the mock now signs with, from InkLink's own rotate operation.
    expect(rotated).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(m.mock.store.endpoint(ep.id)!.secret).toBe(rotated);
    // The dialog has the focus; the copy button copies it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Copy');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(rotated);
    expect(await axeViolations(page)).toEqual([]);
    // Escape closes it; the focus goes back to the button that opened it; the secret is gone.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-key'))).toBe(`rotate-${ep.id}`);
    await row.locator('.fp', { hasText: fp(rotated) }).waitFor();
    expect(await row.locator('.secret').textContent()).toMatch(
      new RegExp(`^${fp(rotated)} rotated 1 time, last \\d+ s ago$`),
    );
    expect(fp(rotated)).not.toBe(fp(ep.secret));
    expect(await leftovers(page)).not.toContain(rotated);
    // The rotation was made with an admin key minted for the page: the request journal shows it.
    await page
      .locator('#requests tr', { hasText: 'rotateWebhookEndpointSecret' })
      .filter({ hasText: 'admin' })
      .waitFor();
    expect(problems).toEqual([]);
  });

  it("an emitted event's deliveries appear live, signed with the new secret, the rotation shown between", async () => {
    const ep = m.endpoint();
    const received = receiver.received.length;
    await page.getByRole('button', { name: 'Emit event' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emit an event' });
    await dialog.getByLabel('Event type').selectOption('kyc.result.approved');
    await dialog.getByLabel('Deliver to').selectOption(`endpoint:${ep.id}`);
    await dialog.getByRole('button', { name: 'Emit' }).click();
    await dialog.waitFor({ state: 'detached' });
    const notice = page.locator('#notice', { hasText: /Event wh_evt_\w+ emitted: 1 delivery/ });
    await notice.waitFor();
    const eventId = /wh_evt_\w+/.exec((await notice.textContent())!)![0];
    const [{ id }] = (await call(m.url, 'GET', `/__mock/deliveries?event_id=${eventId}`)).json.deliveries;
    const delivered = page.locator(`li.delivery[data-delivery="${id}"]`);
    await delivered.locator('.attempt', { hasText: 'HTTP 204' }).waitFor();
    expect(await delivered.locator('.attempt .fp').textContent()).toBe(fp(rotated));
    expect(await delivered.locator('.badge.new-secret').count()).toBe(1);
    // Between the two deliveries: the rotation, from the old fingerprint to the new.
    const rotation = page.locator('li.rotation').first();
    expect(await rotation.locator('.fp').allTextContents()).toEqual([fp(ep.secret), fp(rotated)]);
    // And the receiver did get it, verifiable with the new secret only.
    const [got] = await receiver.waitForCount(received + 1).then((all) => all.slice(received));
    const headers = {
      'webhook-id': got.headers['webhook-id'] as string,
      'webhook-timestamp': got.headers['webhook-timestamp'] as string,
      'webhook-signature': got.headers['webhook-signature'] as string,
    };
    expect(() => new Webhook(rotated).verify(got.body, headers)).not.toThrow();
    expect(() => new Webhook(ep.secret).verify(got.body, headers)).toThrow();
    expect(problems).toEqual([]);
  });

  it('mints a key (shown once), adds and removes a fault rule, resets after confirming: all by keyboard', async () => {
    // Mint: the key in a one-time dialog.
    await page.getByRole('button', { name: 'Mint key' }).focus();
    await page.keyboard.press('Enter');
    const mint = page.getByRole('dialog', { name: 'Mint an api key' });
    await mint.getByLabel('Role').selectOption('member');
    await mint.getByRole('button', { name: 'Mint' }).click();
    const shown = page.getByRole('dialog', { name: 'New api key' });
    const key = (await shown.locator('code.once').textContent())!;
    expect(key).toMatch(/^secret_live_[A-Za-z0-9]{32}$/);
    await shown.getByRole('button', { name: 'Done' }).press('Enter');
    await shown.waitFor({ state: 'detached' });
    expect(await leftovers(page)).not.toContain(key);
    // A fault rule, then its removal.
    await page.getByRole('button', { name: 'Add fault rule' }).press('Enter');
    const fault = page.getByRole('dialog', { name: 'Add a fault rule' });
    await fault.getByLabel('Operation').selectOption('rotateWebhookEndpointSecret');
    await fault.getByLabel('Answer this status instead').fill('503');
    await fault.getByLabel('For the next N requests only').fill('2');
    await fault.getByRole('button', { name: 'Add rule' }).press('Enter');
    await page.locator('#faults tr', { hasText: 'answer 503' }).waitFor();
    expect((await call(m.url, 'GET', '/__mock/faults')).json.faults).toMatchObject([
      { operation_id: 'rotateWebhookEndpointSecret', status: 503, remaining: 2 },
    ]);
    // A bad rule: the mock's refusal is shown in the dialog, which stays open.
    await page.getByRole('button', { name: 'Add fault rule' }).press('Enter');
    const bad = page.getByRole('dialog', { name: 'Add a fault rule' });
    await bad.getByRole('button', { name: 'Add rule' }).press('Enter');
    await bad
      .getByRole('alert')
      .getByText(/a fault needs latency_ms, status or reset/)
      .waitFor();
    // The browser logs the refusal it was answered, and only that.
    expect(problems.splice(0)).toEqual([
      'console error: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    await page.keyboard.press('Escape');
    await bad.waitFor({ state: 'detached' });
    await page
      .locator('#faults')
      .getByRole('button', { name: /Remove/ })
      .press('Enter');
    await page.locator('#faults', { hasText: 'No fault rule' }).waitFor();
    // Reset: nothing happens until it is confirmed.
    await page.getByRole('button', { name: 'Reset…' }).press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Reset the mock?' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    expect(m.mock.store.endpoint(m.endpoint().id)!.secret).toBe(rotated);
    await page.getByRole('button', { name: 'Reset…' }).press('Enter');
    await page.getByRole('dialog', { name: 'Reset the mock?' }).getByRole('button', { name: 'Reset' }).press('Enter');
    await page.locator(`li[data-endpoint="${m.endpoint().id}"] .fp`, { hasText: fp(m.endpoint().secret) }).waitFor();
    expect(m.mock.store.endpoint(m.endpoint().id)!.secret).toBe(m.endpoint().secret);
    expect(problems).toEqual([]);
  });

  it('leaves no secret and no whole key in the DOM or in storage once the dialogs are closed', async () => {
    // One more rotation and an event, so the page holds a live state like a user's.
    await page
      .locator(`li[data-endpoint="${m.endpoint().id}"]`)
      .getByRole('button', { name: /Rotate secret/ })
      .click();
    const dialog = page.getByRole('dialog', { name: 'New signing secret' });
    const again = (await dialog.locator('code.once').textContent())!;
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    await call(m.url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved' } });
    await page.locator('li.delivery .attempt', { hasText: fp(again) }).waitFor();
    const everything = await leftovers(page);
    expect(credentials.has(again)).toBe(true);
    expect(credentials.size).toBeGreaterThanOrEqual(4);
    for (const c of credentials) {
      expect([c.slice(0, 10), everything.includes(c)]).toEqual([c.slice(0, 10), false]);
      const bare = c.replace(/^(whsec_|secret_live_)/, '');
      expect([c.slice(0, 10), everything.includes(bare)]).toEqual([c.slice(0, 10), false]);
    }
    expect(everything).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
    expect(everything).not.toMatch(/secret_live_[A-Za-z0-9]{5}/);
    for (const org of m.mock.seeded) for (const k of org.apiKeys) expect(everything).not.toContain(k.key);
  });

  it('axe-core finds no serious or critical accessibility violation, on the page and in a form dialog', async () => {
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Emit event' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emit an event' });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The check can fail: a button without a name is a critical violation.
    await page.evaluate(() => document.querySelector('main').append(document.createElement('button')));
    expect((await axeViolations(page)).join('\n')).toMatch(/^critical button-name/);
    await page.evaluate(() => document.querySelector('main > button').remove());
  });

  it('writes a screenshot for CI (.ci/out/dashboard.png)', async () => {
    // A story worth a picture: a rotation, an event whose first delivery fails once and is
    // retried, refused requests, a fault rule.
    let failures = 1;
    receiver.answer = () => (failures-- > 0 ? { status: 503 } : { status: 204 });
    try {
      await page
        .locator(`li[data-endpoint="${m.endpoint().id}"]`)
        .getByRole('button', { name: /Rotate secret/ })
        .click();
      await page.getByRole('dialog', { name: 'New signing secret' }).getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Emit event' }).click();
      await page.getByRole('dialog', { name: 'Emit an event' }).getByRole('button', { name: 'Emit' }).click();
      await call(m.url, 'POST', '/__mock/faults', {
        body: { operation_id: 'createWebhookEndpoint', latency_ms: 200, latency_max_ms: 800 },
      });
      await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`, {
        headers: { 'api-key': m.key('member') },
      });
      await call(m.url, 'POST', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`);
      await page.locator('#faults tr', { hasText: 'latency 200-800 ms' }).waitFor();
      await page.locator('#requests tr', { hasText: 'member' }).waitFor();
      await page.locator('li.delivery .attempt', { hasText: 'HTTP 503' }).waitFor();
      await page.locator('li.delivery', { hasText: 'HTTP 503' }).locator('.attempt', { hasText: 'HTTP 204' }).waitFor();
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
      expect(problems).toEqual([]);
    } finally {
      receiver.answer = () => ({ status: 204 });
    }
  });

  it('is held to its policy: no inline script runs, no string becomes markup (reported, not obeyed)', async () => {
    const outcome = await page.evaluate(() => {
      const tried = (f: () => void) => {
        try {
          f();
          return 'done';
        } catch (e: any) {
          return e.name;
        }
      };
      const script = document.createElement('script');
      const text = tried(() => (script.text = 'window.inlineRan = true'));
      document.body.append(script);
      const markup = tried(() => (document.createElement('div').innerHTML = '<img src=x>'));
      return { text, markup, ran: window.inlineRan === true };
    });
    expect(outcome).toEqual({ text: 'TypeError', markup: 'TypeError', ran: false });
    await page.waitForFunction(() => window.cspViolations.length >= 2);
    expect(await page.evaluate(() => window.cspViolations)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^require-trusted-types-for/)]),
    );
    problems.splice(0);
  });

  it('shows what clients typed as text, never as markup: names, URLs, paths', async () => {
    const payload = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    await page.evaluate(() => (window.cspViolations = []));
    const created = await call(m.url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': m.key('owner') },
      body: { url: 'https://e.example/h?q=%3Cimg%20src%3Dx%3E', name: payload },
    });
    expect(created.status).toBe(200);
    await call(m.url, 'POST', `/webhook/endpoints/${encodeURIComponent(payload)}/rotate-secret`, {
      headers: { 'api-key': m.key('owner') },
    });
    const row = page.locator(`li[data-endpoint="${created.json.id}"]`);
    await row.waitFor();
    expect(await row.locator('strong').textContent()).toBe(payload);
    await page.locator('#requests td.path', { hasText: '/webhook/endpoints/[' }).first().waitFor();
    expect(
      await page.evaluate(() => ({
        pwned: window.pwned,
        markup: document.querySelectorAll('main img, main script, main svg').length,
      })),
    ).toEqual({ pwned: undefined, markup: 0 });
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

suite('the dashboard with a control token', () => {
  it('asks for the token, keeps it for the session only, and goes live with it', async () => {
    const browser = await launch();
    const t = await startMock({ controlToken: 'a-control-token' });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const problems = watch(page);
      await page.goto(`${t.url}/__mock/ui`);
      const dialog = page.getByRole('dialog', { name: 'Control token' });
      await dialog.getByLabel('Control token').fill('wrong');
      await dialog.getByRole('button', { name: 'Use this token' }).click();
      await dialog.getByRole('alert').getByText('The mock refused this token.').waitFor();
      await dialog.getByLabel('Control token').fill('a-control-token');
      await dialog.getByRole('button', { name: 'Use this token' }).click();
      await page.locator('#live-text', { hasText: 'Live' }).waitFor();
      await page.locator('li[data-endpoint]').first().waitFor();
      expect(await page.evaluate(() => ({ session: { ...sessionStorage }, local: localStorage.length }))).toEqual({
        session: { 'inklink-mock.control-token': 'a-control-token' },
        local: 0,
      });
      // A new session (another browser profile) has to ask again.
      await page.getByRole('button', { name: 'Forget token' }).click();
      await page.getByRole('dialog', { name: 'Control token' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      // The 401s of the wrong token are the only errors the console saw.
      expect(problems.filter((p) => !/401 \(Unauthorized\)/.test(p))).toEqual([]);
    } finally {
      await browser.close();
      await t.close();
    }
  }, 60_000);
});
