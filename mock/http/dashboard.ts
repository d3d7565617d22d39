/**
 * The dashboard's files (`GET /__mock/ui`, `GET /__mock/ui/{file}`): plain HTML, ES modules and CSS
 * from the package, served by the mock itself (no CDN, works offline), with a strict
 * Content-Security-Policy: nothing but the mock's own scripts, styles and connections, no inline
 * script or style, no framing. The files hold no data: what the page shows it asks the control API
 * for, with the control token when one is set.
 *
 * The files live in mock/ui/ (source) and the build copies them next to the compiled code
 * (dist/mock/ui/), which is what the package ships: run as a script (`node dist/mock/http/dashboard.js`,
 * a step of `npm run build`), this module does the copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Response } from 'express';

/** Where the files are, beside this module: mock/ui from the source, dist/mock/ui once built. */
export const UI_DIR = path.join(__dirname, '..', 'ui');

/** The dashboard's address (the control API's `GET /__mock/ui`). */
export const UI_PATH = '/__mock/ui';

/** Sends a person to the dashboard (302, no body). */
export function redirectToDashboard(res: Response): void {
  res.statusCode = 302;
  res.setHeader('location', UI_PATH);
  res.end();
}

/** The dashboard's page. */
export const UI_PAGE = 'index.html';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Only the mock's own files: no inline script or style, no eval, no other origin, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Small files, always fresh after an upgrade.
  'cache-control': 'no-cache',
};

interface Asset {
  body: Buffer;
  type: string;
}

/** The files of a dashboard directory, by name (read once). */
export function readAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir).sort()) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type) out.set(name, { body: fs.readFileSync(path.join(dir, name)), type });
  }
  if (!out.has(UI_PAGE))
    throw new Error(`The dashboard's files are missing from ${dir} (no ${UI_PAGE}): run npm run build`);
  return out;
}

export class DashboardFiles {
  private assets: Map<string, Asset> | undefined;

  constructor(private readonly dir: string = UI_DIR) {}

  /** The file of this name, or undefined when the dashboard has none. Throws when the files are missing. */
  get(name: string): Asset | undefined {
    this.assets ??= readAssets(this.dir);
    return this.assets.get(name);
  }

  send(res: Response, asset: Asset, head: boolean): void {
    res.statusCode = 200;
    for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
    res.setHeader('content-type', asset.type);
    res.setHeader('content-length', asset.body.length);
    res.end(head ? undefined : asset.body);
  }
}

/** Copies the dashboard's files from `from` to `to` (the build's step). */
export function copyAssets(from: string, to: string): string[] {
  const names = [...readAssets(from).keys()];
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const name of names) fs.copyFileSync(path.join(from, name), path.join(to, name));
  return names;
}

if (require.main === module) {
  // dist/mock/http/dashboard.js: the sources are in <root>/mock/ui, the copies go to dist/mock/ui.
  const root = path.join(__dirname, '..', '..', '..');
  const names = copyAssets(path.join(root, 'mock', 'ui'), UI_DIR);
  process.stdout.write(`dashboard files copied to ${path.relative(root, UI_DIR)}: ${names.length}\n`);
}
