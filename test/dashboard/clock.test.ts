/**
 * The dashboard on a virtual clock (docs/mock.md, virtual time), in Debian's Chromium: the page
 * shows the virtual time and an "Advance clock" action that moves it, after which the retries that
 * fell due appear live; a bad duration is refused in the dialog, and the time stays. On the system
 * clock the action is not offered. Skipped without Chromium, as test/dashboard/browser.test.ts is.
 */
import type { Page } from 'playwright-core';
import { call } from '../helpers/http';
import { startMock, startMockWithReceiver, type TestMock } from '../helpers/mock';
import type { Receiver } from '../helpers/receiver';
import { launch, present, required, type Browser } from '../helpers/chromium';

const suite = present || required ? describe : describe.skip;

suite('the dashboard on a virtual clock', () => {
  let browser: Browser;
  let page: Page;
  let m: TestMock;
  let receiver: Receiver;
  let stop: () => Promise<void>;
  const problems: string[] = [];

  beforeAll(async () => {
    ({ m, receiver, close: stop } = await startMockWithReceiver({ clock: 'virtual', retrySchedule: [0, 3_600_000] }));
    receiver.answer = () => ({ status: 500 });
    browser = await launch();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('shows the virtual time and moves it: the retry that fell due appears live', async () => {
    const ep = m.endpoint();
    const emitted = await call(m.url, 'POST', '/__mock/events', {
      body: { type: 'kyc.result.approved', endpoint_id: ep.id },
    });
    await receiver.waitForCount(1);
    await page.goto(`${m.url}/__mock/ui`);
    await page.locator('#live-text', { hasText: 'Live' }).waitFor();
    const now = m.mock.clock.now().toISOString();
    await page.locator('#clock-status', { hasText: `Virtual time ${now}` }).waitFor();

    // A bad duration: the mock's refusal in the dialog, which stays open; the time does not move.
    await page.getByRole('button', { name: 'Advance clock' }).click();
    const dialog = page.getByRole('dialog', { name: 'Advance the clock' });
    await dialog.getByLabel('Advance by').fill('soon');
    await dialog.getByRole('button', { name: 'Advance' }).click();
    await dialog.locator('.form-error', { hasText: /Invalid duration/ }).waitFor();
    expect(m.mock.clock.now().toISOString()).toBe(now);

    await dialog.getByLabel('Advance by').fill('1h');
    await dialog.getByRole('button', { name: 'Advance' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('#notice', { hasText: 'Clock advanced by 3600000 ms' }).waitFor();
    expect(receiver.received).toHaveLength(2);
    const [id] = emitted.json.deliveries;
    await page.locator(`li.delivery[data-delivery="${id}"] .attempt`).nth(1).waitFor();
    await page.locator('#clock-status', { hasText: 'no attempt due' }).waitFor();
    // The one the test provoked (the refused duration) is the browser's only complaint.
    expect(problems).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('on the system clock, the action is not offered', async () => {
    const system = await startMock();
    try {
      await page.goto(`${system.url}/__mock/ui`);
      await page.locator('#live-text', { hasText: 'Live' }).waitFor();
      // The state and the clock are loaded together: once the endpoints show, the clock is known.
      await page.locator('li[data-endpoint]').first().waitFor();
      expect(await page.getByRole('button', { name: 'Advance clock' }).isHidden()).toBe(true);
      expect(await page.locator('#clock-status').isHidden()).toBe(true);
    } finally {
      await system.close();
    }
  });
});
