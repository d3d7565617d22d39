/**
 * Debian's Chromium, driven by playwright-core (which downloads no browser): where it is, whether
 * the browser tests may skip without it (on a developer's machine) or must fail (in CI: .ci/run
 * installs it and sets CHROMIUM_REQUIRED=1), and a fresh headless browser with its own profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (CHROMIUM_BIN names another one, e.g. to see the suite skip without it). */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const present = fs.existsSync(CHROMIUM);
export const required = process.env.CHROMIUM_REQUIRED === '1';

/** The flags every run uses: headless, no sandbox (root in CI), nothing that talks to the network. */
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launch(viewport = { width: 1440, height: 1000 }): Promise<Browser> {
  if (!present)
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
