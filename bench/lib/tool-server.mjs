/**
 * For the single-server tools (profile, gc-latency): command-line options, and one server (the
 * mock or a ceiling) started with extra node flags, ready, with the key and rotate path to use.
 */
import path from 'node:path';
import { freePort, start, waitReady } from './procs.mjs';
import { ROOT, UNKNOWN_KEY } from './servers.mjs';

export { ROOT, UNKNOWN_KEY };

const args = process.argv.slice(2);
export const has = (name) => args.includes(name);
export const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

const CEILING = { BENCH_API_KEY: 'secret_live_benchbenchbenchbench', BENCH_ENDPOINT_ID: 'wh_end_bench' };

/**
 * Starts `server` (mock, express or node) under `node ...nodeFlags` and waits until a rotate
 * answers 200. Resolves with { proc, base, key, rotatePath }.
 */
export async function startServer(server, { nodeFlags = [], mockArgs = [], stdoutLimit } = {}) {
  if (!['mock', 'express', 'node'].includes(server)) throw new Error('--server must be mock, express or node');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc =
    server === 'mock'
      ? start(
          'inklink-mock',
          process.execPath,
          [...nodeFlags, path.join(ROOT, 'dist/src/cli.js'), 'serve', '--port', String(port), ...mockArgs],
          { cwd: ROOT, stdoutLimit },
        )
      : start(
          server,
          process.execPath,
          [
            ...nodeFlags,
            path.join(ROOT, `bench/servers/${server === 'node' ? 'node-http' : server}.cjs`),
            '--port',
            String(port),
          ],
          {
            cwd: ROOT,
            env: { ...process.env, ...CEILING },
            stdoutLimit,
          },
        );
  let key = CEILING.BENCH_API_KEY;
  let endpoint = CEILING.BENCH_ENDPOINT_ID;
  if (server === 'mock') {
    await waitReady(proc, `${base}/__mock/health`);
    key = /owner\s+api-key: (secret_live_\S+)/.exec(proc.stdout)?.[1];
    endpoint = /endpoint (wh_end_\S+)/.exec(proc.stdout)?.[1];
    if (!key || !endpoint) throw new Error('no owner key or endpoint in the mock banner');
  }
  const rotatePath = `/webhook/endpoints/${endpoint}/rotate-secret`;
  await waitReady(proc, `${base}${rotatePath}`, { method: 'POST', headers: { 'api-key': key } });
  return { proc, base, key, rotatePath };
}
