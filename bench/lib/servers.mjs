/**
 * What the benchmark's phases start: the mock as a user runs it (CPU-profiled on request), the
 * identity every server is driven with (from the mock's seeded banner), the servers compared with
 * it (Prism and the bare ceilings) and the counting webhook receiver.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort, request, start, stop, waitReady } from './procs.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE = process.execPath;
export const CLI = path.join(ROOT, 'dist/src/cli.js');
const PRISM = path.join(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js');
const SEED = '42';
/** An api-key no organization has: the 401 path. */
export const UNKNOWN_KEY = 'secret_live_0000000000000000000000000000unknown';

export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  // The user's own mock settings must not change what is measured; NODE_ENV=production would
  // switch Prism to multi-process mode.
  for (const k of Object.keys(env)) if (k.startsWith('INKLINK_MOCK_')) delete env[k];
  delete env.NODE_ENV;
  return env;
}

// ---------------------------------------------------------------------------------------------
// The mock

/** --cpu-prof: where the mock's profiles go (none when unset), how many so far, the phase running. */
const profiling = { dir: undefined, count: 0, phase: 'discovery' };

/** Every mock started from now on runs under node --cpu-prof, its profile written to `dir`. */
export function profileMocksInto(dir) {
  profiling.dir = dir;
}

/** The phase running now: it names the mock's CPU profiles. */
export function setPhase(name) {
  profiling.phase = name;
}

/** Spawns the mock the way a user does (`serve`, log level info, self-check off). */
export function startMock(port, extraArgs = [], name = 'inklink-mock') {
  const prof = profiling.dir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        profiling.dir,
        '--cpu-prof-name',
        `mock-${String(++profiling.count).padStart(2, '0')}-${profiling.phase}.cpuprofile`,
      ]
    : [];
  return start(
    name,
    NODE,
    [
      ...prof,
      CLI,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--log-level',
      'info',
      '--seed',
      SEED,
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      env: childEnv(),
    },
  );
}

/** A mock on a free port, answering its health check: { proc, port, base }. */
export async function startReadyMock(extraArgs = []) {
  const port = await freePort();
  const proc = startMock(port, extraArgs);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(proc, `${base}/__mock/health`);
  } catch (e) {
    await stop(proc);
    throw e;
  }
  return { proc, port, base };
}

/** Parses the mock's banner: organizations with their keys and endpoints. */
function parseBanner(text) {
  const orgs = [];
  let org;
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^organization (org_\S+)/.exec(line))) orgs.push((org = { id: m[1], keys: {}, endpoints: [] }));
    else if (org && (m = /^\s+(owner|admin|member)\s+api-key: (secret_live_\S+)/.exec(line))) org.keys[m[1]] = m[2];
    else if (org && (m = /^\s+endpoint (wh_end_\S+)( \(disabled\))?/.exec(line)))
      org.endpoints.push({ id: m[1], enabled: !m[2] });
  }
  return orgs;
}

async function waitForBanner(proc, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  const complete = () => {
    const orgs = parseBanner(proc.stdout);
    return orgs.length > 0 && orgs.every((org) => org.keys.owner && org.endpoints.length > 0);
  };
  // The banner is one write (well under the pipe's atomic size); the pause covers a split anyway.
  while (!complete() || performance.now() - proc.lastOutputAt < 30) {
    if (proc.exited) throw new Error(`${proc.name} exited (${proc.exitInfo}): ${proc.stderr.trim().slice(-600)}`);
    if (performance.now() > deadline) throw new Error(`${proc.name} printed no banner within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return parseBanner(proc.stdout);
}

/** The keys, org and endpoint every server is driven with (from the mock's deterministic seed). */
export async function discoverIdentity() {
  const port = await freePort();
  const proc = startMock(port, [], 'inklink-mock (discovery)');
  try {
    const orgs = await waitForBanner(proc);
    const [a, b = a] = orgs;
    return {
      orgId: a.id,
      ownerKey: a.keys.owner,
      adminKey: a.keys.admin,
      memberKey: a.keys.member,
      otherOrgKey: b.keys.admin,
      otherOrgId: b.id,
      endpointId: a.endpoints.find((e) => e.enabled).id,
    };
  } finally {
    await stop(proc);
  }
}

// ---------------------------------------------------------------------------------------------
// The servers compared: the mock, Prism and the ceilings

/** Every server `--servers` may name, in the order of the definitions below. */
export const SERVER_NAMES = ['mock', 'mock-quiet', 'prism', 'express', 'express-native', 'express-json', 'node'];

/** Per server: its label in the report, how to spawn it on a port, its 401-path extra headers. */
export function serverDefs(identity) {
  const ceilingEnv = childEnv({
    BENCH_API_KEY: identity.ownerKey,
    BENCH_ENDPOINT_ID: identity.endpointId,
    BENCH_ORG_ID: identity.orgId,
  });
  const ceiling =
    (name, script, flags = []) =>
    (port) =>
      start(name, NODE, [path.join(ROOT, 'bench/servers', script), '--port', String(port), ...flags], {
        cwd: ROOT,
        env: ceilingEnv,
      });
  return {
    mock: { label: 'inklink-mock', spawn: (port) => startMock(port) },
    // The same mock without its request lines (they are at info): what logging each request costs.
    'mock-quiet': {
      label: 'inklink-mock, log level warn',
      spawn: (port) => startMock(port, ['--log-level', 'warn'], 'inklink-mock (warn)'),
    },
    prism: {
      label: 'Prism 5.14 (mock)',
      // Prism logs every request to stdout; it goes to /dev/null. A 401 is asked for the way
      // Prism users do: Prism accepts any api-key, so the 401 path sends `Prefer: code=401`.
      spawn: (port) =>
        start('prism', NODE, [PRISM, 'mock', '--host', '127.0.0.1', '--port', String(port), 'openapi.json'], {
          cwd: ROOT,
          env: childEnv(),
          quietStdout: true,
        }),
      unauthorizedHeaders: { prefer: 'code=401' },
    },
    express: { label: 'bare Express 5', spawn: ceiling('express', 'express.cjs') },
    'express-native': {
      label: 'Express 5, born prototypes',
      spawn: ceiling('express (native classes)', 'express.cjs', ['--native-classes']),
    },
    'express-json': {
      label: 'Express 5, res.json',
      spawn: ceiling('express (res.json)', 'express.cjs', ['--res-json']),
    },
    node: { label: 'bare node:http', spawn: ceiling('node:http', 'node-http.cjs') },
  };
}

/** The rotate request for a server on `port`: URL, path, authorized and 401-path headers. */
export function rotateRequest(identity, port, def) {
  return {
    url: `http://127.0.0.1:${port}/webhook/endpoints/${identity.endpointId}/rotate-secret`,
    path: `/webhook/endpoints/${identity.endpointId}/rotate-secret`,
    authorized: { 'api-key': identity.ownerKey },
    unauthorized: { 'api-key': UNKNOWN_KEY, ...(def.unauthorizedHeaders ?? {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver

/**
 * The counting receiver (bench/servers/receiver.cjs) on a free port, ready: { proc, port,
 * hookUrl, count() } where count() resolves with its {count, bytes, signed}.
 */
export async function startReceiver() {
  const port = await freePort();
  const proc = start('receiver', NODE, [path.join(ROOT, 'bench/servers/receiver.cjs'), '--port', String(port)], {
    cwd: ROOT,
    env: childEnv(),
  });
  const countUrl = `http://127.0.0.1:${port}/count`;
  try {
    await waitReady(proc, countUrl);
  } catch (e) {
    await stop(proc);
    throw e;
  }
  return {
    proc,
    port,
    hookUrl: `http://127.0.0.1:${port}/webhooks`,
    count: async () => JSON.parse((await request(countUrl)).body),
  };
}
