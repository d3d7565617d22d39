/**
 * A second, independent validator: Stoplight Prism proxies to the mock with --errors, validating
 * every request and response against openapi.json. It must report no violation of the mock's
 * answers; and, to show it would, it does report one on a broken variant.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { startVariant, type RunningVariant } from '../helpers/broken-variants';

const PRISM = path.join(__dirname, '../../node_modules/.bin/prism');
const SPEC = path.join(__dirname, '../../openapi.json');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startPrismProxy(upstream: string): Promise<{ url: string; log: () => string; stop: () => void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    PRISM,
    ['proxy', SPEC, upstream, '--errors', '-p', String(port), '-h', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const deadline = Date.now() + 30_000;
  while (!/Prism is listening/.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`prism did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, log: () => log, stop: () => child.kill('SIGKILL') };
}

async function exercise(
  base: string,
  v: RunningVariant,
): Promise<{ status: number; type: string | null; body: string }[]> {
  const owner = v.mock.seeded[0].apiKeys[0].key;
  const endpoint = v.mock.seeded[0].endpoints[0].id;
  const foreign = v.mock.seeded[1].endpoints[0].id;
  const requests: [string, Record<string, string>, string?][] = [
    [`/webhook/endpoints/${endpoint}/rotate-secret`, { 'api-key': owner }],
    [`/webhook/endpoints/${endpoint}/rotate-secret`, { 'api-key': v.keys.admin }],
    [`/webhook/endpoints/${endpoint}/rotate-secret`, { 'api-key': v.keys.member }],
    [`/webhook/endpoints/${endpoint}/rotate-secret`, { 'api-key': 'secret_live_unknownunknownunknown' }],
    [`/webhook/endpoints/wh_end_unknown/rotate-secret`, { 'api-key': owner }],
    [`/webhook/endpoints/${foreign}/rotate-secret`, { 'api-key': owner }],
    [
      '/webhook/endpoints',
      { 'api-key': owner, 'content-type': 'application/json' },
      JSON.stringify({ url: 'https://example.com/h', name: 'n', event_types: ['kyc.result.approved'] }),
    ],
    [
      '/webhook/endpoints',
      { 'api-key': v.keys.member, 'content-type': 'application/json' },
      JSON.stringify({ url: 'https://example.com/h' }),
    ],
    [
      '/webhook/endpoints',
      { 'api-key': 'secret_live_unknownunknownunknown', 'content-type': 'application/json' },
      JSON.stringify({ url: 'https://example.com/h' }),
    ],
  ];
  const out = [];
  for (const [p, headers, body] of requests) {
    const res = await fetch(base + p, { method: 'POST', headers, body });
    out.push({ status: res.status, type: res.headers.get('content-type'), body: await res.text() });
  }
  return out;
}

describe('prism proxy openapi.json <mock> --errors', () => {
  jest.setTimeout(60_000);

  it('reports no violation for any of the mock’s answers', async () => {
    const v = await startVariant('correct');
    const prism = await startPrismProxy(v.url);
    try {
      const answers = await exercise(prism.url, v);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 500, 401, 500, 500, 200, 500, 401]);
      for (const a of answers) expect(a.type).toMatch(/^application\/json/);
      expect(prism.log()).not.toMatch(/violation/i);
    } finally {
      prism.stop();
      await v.close();
    }
  });

  it('does report one on a broken variant (so the test above can fail)', async () => {
    const v = await startVariant('secret-not-a-string');
    const prism = await startPrismProxy(v.url);
    try {
      const answers = await exercise(prism.url, v);
      expect(answers[0].type).toMatch(/problem\+json/);
      expect(answers[0].body).toMatch(/VIOLATIONS|violation/i);
      expect(prism.log()).toMatch(/violation/i);
    } finally {
      prism.stop();
      await v.close();
    }
  });
});
