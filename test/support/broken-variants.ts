/**
 * Deliberately broken variants of the mock, to prove the verifier (and provider verification)
 * catch what they should. Each one is the real mock with one defect, introduced from outside:
 * a patched domain object, a rewritten HTTP answer, or a proxy that tampers with deliveries.
 * Test code only: the verifier itself never imports the mock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockServer, type MockServer } from '../../mock/server';
import type { MockServerOptions } from '../../mock/config';
import { ok, fail } from '../../mock/domain/model';
import { createLogger } from '../../src/core/log';
import { sign } from '../../src/core/webhooks';

export interface RunningVariant {
  name: string;
  url: string;
  mock: MockServer;
  keys: { admin: string; member: string; otherOrg: string };
  close(): Promise<void>;
}

interface Answer {
  path: string;
  status: number;
  body: string;
  json: any;
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
  setStatus(status: number): void;
}

interface Variant {
  /** What is broken, in a line. */
  description: string;
  /** The checks `verify` must fail on this variant, and only these. */
  fails: string[];
  /** Changes the mock's domain before it serves. */
  patch?(mock: MockServer): void;
  /** Rewrites an answer before it is sent; returns the new body, or undefined to keep it. */
  rewrite?(answer: Answer, mock: MockServer): string | undefined;
  /** Tampers with each delivery on its way to the receiver. */
  tamper?(headers: Record<string, string>, body: string, mock: MockServer, endpointSecret: string): Record<string, string>;
}

const isRotate = (path: string) => /\/rotate-secret$/.test(path.split('?')[0]);
const endpointIdOf = (path: string) => decodeURIComponent(path.split('?')[0].split('/').slice(-2)[0]);

export const VARIANTS: Record<string, Variant> = {
  'same-secret-every-rotation': {
    description: 'rotate answers 200 with the current secret and changes nothing',
    fails: ['one_time_secret', 'immediate_invalidation'],
    patch(mock) {
      mock.service.rotateSecret = async (principal, id) => {
        const e = mock.store.endpoint(id);
        if (!e || e.organizationId !== principal.organizationId || principal.role === 'member') {
          return fail({ kind: 'endpoint_not_found', message: 'Webhook endpoint not found.' });
        }
        return ok({ secret: e.secret });
      };
    },
  },
  'member-may-rotate': {
    description: 'the role check is missing on rotate',
    fails: ['role_enforced'],
    patch(mock) {
      const original = mock.service.rotateSecret.bind(mock.service);
      mock.service.rotateSecret = (principal, id) => original({ ...principal, role: 'admin' }, id);
    },
  },
  'permission-denied-is-403': {
    description: 'permission denied is answered 403 instead of 500',
    fails: ['role_enforced', 'status_code_conformance', 'error_envelope'],
    rewrite(a) {
      if (a.status === 500 && /^Permission denied/.test(a.json?.error?.message ?? '')) a.setStatus(403);
      return undefined;
    },
  },
  'secret-without-prefix': {
    description: 'secrets are returned without the whsec_ prefix',
    fails: ['one_time_secret'],
    rewrite(a) {
      if (a.status === 200 && typeof a.json?.secret === 'string') return JSON.stringify({ ...a.json, secret: a.json.secret.replace(/^whsec_/, '') });
      return undefined;
    },
  },
  'old-secret-keeps-signing': {
    description: 'a rotation hands out a new secret but deliveries stay signed with the old one',
    fails: ['immediate_invalidation'],
    patch(mock) {
      mock.store.replaceSecret = () => undefined;
    },
  },
  'request-id-missing': {
    description: 'error envelopes have no requestId',
    fails: ['error_envelope', 'response_schema_conformance'],
    rewrite(a) {
      if (a.status >= 400 && a.json?.error) {
        const { requestId: _drop, ...rest } = a.json.error;
        return JSON.stringify({ error: rest });
      }
      return undefined;
    },
  },
  'request-id-differs': {
    description: "an error's requestId is not its x-request-id",
    fails: ['error_envelope'],
    rewrite(a) {
      if (a.status >= 400 && a.json?.error) return JSON.stringify({ error: { ...a.json.error, requestId: randomUUID() } });
      return undefined;
    },
  },
  'missing-key-accepted': {
    description: 'a request without an api-key is treated as the first organization’s owner (200)',
    fails: ['auth_required'],
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const owner = mock.seeded[0].apiKeys[0].key;
      mock.service.authenticate = (key) => original(key === undefined ? owner : key);
    },
  },
  'secret-repeated-later': {
    description: 'an error on rotate repeats the endpoint’s current secret (which also tells that the id exists)',
    fails: ['one_time_secret', 'not_found_indistinguishable'],
    rewrite(a, mock) {
      if (a.status === 500 && isRotate(a.path)) {
        const e = mock.store.endpoint(endpointIdOf(a.path));
        if (e) return JSON.stringify({ error: { ...a.json.error, message: `${a.json.error.message} (current secret ${e.secret})` } });
      }
      return undefined;
    },
  },
  'foreign-endpoint-distinguishable': {
    description: "another organization's endpoint is refused with a message of its own",
    fails: ['not_found_indistinguishable'],
    patch(mock) {
      const original = mock.service.rotateSecret.bind(mock.service);
      mock.service.rotateSecret = async (principal, id) => {
        const e = mock.store.endpoint(id);
        if (e && e.organizationId !== principal.organizationId) return fail({ kind: 'endpoint_not_found', message: 'This endpoint belongs to another organization.' });
        return original(principal, id);
      };
    },
  },
  'unsubscribed-types-delivered': {
    description: 'event_types is ignored: every endpoint receives every type',
    fails: ['delivery_conformance'],
    patch(mock) {
      const original = mock.service.addEndpoint.bind(mock.service);
      mock.service.addEndpoint = (org, input, chosen) => original(org, { ...input, event_types: undefined }, chosen);
    },
  },
  'new-webhook-id-per-attempt': {
    description: 'each attempt gets a fresh webhook-id (correctly signed), so retries are not idempotent',
    fails: ['delivery_conformance'],
    tamper(headers, body, _mock, secret) {
      const id = `wh_evt_${randomBytes(12).toString('hex')}`;
      const ts = Number(headers['webhook-timestamp']);
      return { ...headers, 'webhook-id': id, 'webhook-signature': sign(secret, id, ts, body) };
    },
  },
  'wrong-user-agent': {
    description: 'deliveries carry another User-Agent',
    fails: ['delivery_conformance'],
    tamper(headers) {
      return { ...headers, 'user-agent': 'node' };
    },
  },
  'success-as-text-plain': {
    description: '200 answers are labelled text/plain',
    fails: ['content_type_conformance'],
    rewrite(a) {
      if (a.status === 200 && !a.path.startsWith('/__mock')) a.setHeader('content-type', 'text/plain; charset=utf-8');
      return undefined;
    },
  },
  'x-request-id-missing-on-success': {
    description: '200 answers lack the x-request-id header',
    fails: ['response_headers_conformance'],
    rewrite(a) {
      if (a.status === 200 && !a.path.startsWith('/__mock')) a.removeHeader('x-request-id');
      return undefined;
    },
  },
  'secret-not-a-string': {
    description: 'rotate answers {"secret": <number>}',
    fails: ['response_schema_conformance', 'one_time_secret', 'immediate_invalidation'],
    rewrite(a) {
      if (a.status === 200 && isRotate(a.path) && typeof a.json?.secret === 'string') return JSON.stringify({ secret: 12345 });
      return undefined;
    },
  },
};

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Starts the correct mock (name `correct`) or a broken variant, on a random port. */
export async function startVariant(name: string, options: MockServerOptions = {}): Promise<RunningVariant> {
  const variant: Omit<Variant, 'fails'> | undefined = name === 'correct' ? undefined : (VARIANTS[name] ?? CONTRACT_VARIANTS[name]);
  if (name !== 'correct' && !variant) throw new Error(`no variant ${name}`);
  // The correct mock checks its own answers; any violation fails the test when it closes.
  const selfCheckLines: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => selfCheckLines.push(line) }, { write: () => true });
  const mock = createMockServer({
    retrySchedule: [0, 50, 100],
    deliveryTimeoutMs: 2000,
    ...(variant ? { logLevel: 'silent' as const } : { selfCheck: true, logger }),
    ...options,
  });
  variant?.patch?.(mock);

  const servers: http.Server[] = [];
  if (variant?.tamper) {
    // Deliveries go through a proxy that tampers with them, then on to the real receiver.
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to')!;
        const endpoint = [...mock.store.endpoints()].find((e) => e.url === proxyUrl(to));
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        delete headers.host;
        delete headers['content-length'];
        delete headers.connection;
        const out = await fetch(to, { method: 'POST', headers: variant.tamper!(headers, body, mock, endpoint?.secret ?? ''), body }).catch(() => undefined);
        res.writeHead(out ? out.status : 502).end();
      });
    });
    servers.push(proxy);
    const proxyBase = await listen(proxy);
    const proxyUrl = (to: string) => `${proxyBase}/forward?to=${encodeURIComponent(to)}`;
    const original = mock.service.addEndpoint.bind(mock.service);
    mock.service.addEndpoint = (org, input, chosen) => original(org, { ...input, url: proxyUrl(input.url) }, chosen);
  }

  let url: string;
  if (variant?.rewrite) {
    const rewrite = variant.rewrite;
    const front = http.createServer((req, res) => {
      const end = res.end.bind(res) as (chunk?: any) => http.ServerResponse;
      res.end = ((chunk?: any) => {
        const body = chunk === undefined ? '' : String(chunk);
        let json: any;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const answer: Answer = {
          path: req.url ?? '/',
          status: res.statusCode,
          body,
          json,
          setHeader: (n, v) => res.setHeader(n, v),
          removeHeader: (n) => res.removeHeader(n),
          setStatus: (s) => {
            res.statusCode = s;
          },
        };
        const replaced = rewrite(answer, mock);
        const out = replaced ?? body;
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(out));
        return end(out);
      }) as typeof res.end;
      mock.app(req, res);
    });
    servers.push(front);
    url = await listen(front);
  } else {
    url = await mock.listen();
  }

  const org = (i: number, role: string) => mock.seeded[i].apiKeys.find((k) => k.role === role)!.key;
  return {
    name,
    url,
    mock,
    keys: { admin: org(0, 'admin'), member: org(0, 'member'), otherOrg: org(1, 'owner') },
    async close() {
      await mock.close();
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      logger.flush();
      const violations = selfCheckLines.filter((l) => l.includes('self-check'));
      if (violations.length) throw new Error(`the correct mock flagged its own answers:\n${violations.join('')}`);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Variants for the Pact contracts and the validating proxy (issue 12 points 3 and 4). Kept apart
// from VARIANTS above, which `verify` runs expecting each variant's `fails`: these are the defects
// the committed pacts (contracts/provider/broken-variants.verify.test.ts) and the proxy's sequence
// rules (test/proxy/) must catch. `startVariant` starts either kind by name.
// ------------------------------------------------------------------------------------------------

export const CONTRACT_VARIANTS: Record<string, Omit<Variant, 'fails'>> = {
  'owner-key-refused': {
    description: 'an owner key is refused as if it were a member key (rotate and create)',
    patch(mock) {
      const rotate = mock.service.rotateSecret.bind(mock.service);
      const create = mock.service.createEndpoint.bind(mock.service);
      const demoted = <P extends { role: string }>(p: P): P => (p.role === 'owner' ? { ...p, role: 'member' } : p);
      mock.service.rotateSecret = (principal, id) => rotate(demoted(principal), id);
      mock.service.createEndpoint = (principal, input) => create(demoted(principal), input);
    },
  },
  'unknown-key-accepted': {
    description: 'a well-formed api key that no organization has is taken as the first organization’s owner',
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const owner = mock.seeded[0].apiKeys[0].key;
      mock.service.authenticate = (key) => {
        const r = original(key);
        return r.ok || key === undefined ? r : original(owner);
      };
    },
  },
  'foreign-endpoint-rotatable': {
    description: "a privileged key may rotate another organization's endpoint",
    patch(mock) {
      const original = mock.service.rotateSecret.bind(mock.service);
      mock.service.rotateSecret = (principal, id) => {
        const e = mock.store.endpoint(id);
        return original(e ? { ...principal, organizationId: e.organizationId } : principal, id);
      };
    },
  },
  'refused-key-accepted-later': {
    description: 'an unknown api key is refused the first time, and taken as the first organization’s owner after that',
    patch(mock) {
      const original = mock.service.authenticate.bind(mock.service);
      const owner = mock.seeded[0].apiKeys[0].key;
      const refusedOnce = new Set<string>();
      mock.service.authenticate = (key) => {
        const r = original(key);
        if (r.ok || key === undefined) return r;
        if (refusedOnce.has(key)) return original(owner);
        refusedOnce.add(key);
        return r;
      };
    },
  },
};
