/**
 * Webhook receivers for proving check-receiver: a correct one built on the `standardwebhooks`
 * package, one built on our `receiveWebhook`, and deliberately broken ones, each the correct
 * receiver with one defect and the checks it must fail (and only those). Each is a handler
 * `(rawBody, headers) => status` for the library, and `serveReceiver` puts one behind a real HTTP
 * server (with `POST /secret` to take a new secret, for the rotation drill).
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { EVENT_TYPES } from '../../core/inklink';
import { receiveWebhook, WebhookVerificationError } from '../../src/client/webhooks';
import type { ReceiverHandler } from '../../src/receiver-check';
import { faultyReceiver } from './reliability/slow';

/** What a receiver holds: its current secret and, for the broken one that keeps it, the previous one. */
export interface Secrets {
  current: string;
  previous?: string;
}

export interface ReceiverOptions {
  /** For `slow`: how long it takes over its slow event type (ms). */
  slowMs?: number;
}

interface Variant {
  description: string;
  /** The checks it must fail, with --old-secret given; no others. */
  fails: string[];
  make(secrets: Secrets, options: ReceiverOptions): ReceiverHandler;
}

type Payload = { type: string };
type Verify = (secrets: Secrets, body: string, headers: Record<string, string>) => Payload;

const standard: Verify = (s, body, headers) => new Webhook(s.current).verify(body, headers) as Payload;

/**
 * A receiver in the shape every variant shares: verify (or not), drop duplicates, ignore unknown
 * types; each variant swaps one step.
 */
function receiver(
  secrets: Secrets,
  steps: { verify?: Verify; duplicate?: number; unknownType?: number; delayMs?: (p: Payload) => number } = {},
): ReceiverHandler {
  const seen = new Set<string>();
  const verify = steps.verify ?? standard;
  return async (body, headers) => {
    let payload: Payload;
    try {
      payload = verify(secrets, body, headers);
    } catch {
      return 401;
    }
    const delay = steps.delayMs?.(payload) ?? 0;
    // unref: a test that ends before the slow answer does not wait for it.
    if (delay) await new Promise((r) => setTimeout(r, delay).unref());
    if (!EVENT_TYPES.includes(payload.type)) return steps.unknownType ?? 204;
    const id = headers['webhook-id'];
    if (seen.has(id)) return steps.duplicate ?? 200;
    seen.add(id);
    return 204;
  };
}

const hmac = (secret: string, content: string) =>
  createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(content)
    .digest('base64');
const signatures = (headers: Record<string, string>) =>
  (headers['webhook-signature'] ?? '').split(' ').map((s) => s.split(',')[1]);

export const SLOW_TYPE = EVENT_TYPES[EVENT_TYPES.length - 1];

export const RECEIVERS: Record<string, Variant> = {
  'standard-webhooks': {
    description:
      'correct: verifies with the standardwebhooks package, drops duplicates with 200, ignores unknown types with 204',
    fails: [],
    make: (s) => receiver(s),
  },
  'receive-webhook': {
    description:
      "correct: verifies and parses with inklink-mock's receiveWebhook; 400 for a payload it cannot parse " +
      '(an unknown type)',
    fails: [],
    make: (s) => {
      const seen = new Set<string>();
      return (body, headers) => {
        try {
          const event = receiveWebhook(body, headers, s.current);
          if (seen.has(event.id)) return 200;
          seen.add(event.id);
          return 204;
        } catch (e) {
          if (e instanceof WebhookVerificationError) return e.reason === 'invalid_payload' ? 400 : 401;
          throw e;
        }
      };
    },
  },
  'accepts-any-signature': {
    description: 'checks the headers are there and the timestamp is fresh, never the signature',
    fails: [
      'wrong_secret_refused',
      'old_secret_refused',
      'tampered_body_refused',
      'tampered_id_refused',
      'tampered_timestamp_refused',
    ],
    make: (s) =>
      receiver(s, {
        verify: (_s, body, headers) => {
          const present = headers['webhook-id'] && headers['webhook-timestamp'] && headers['webhook-signature'];
          if (!present || Math.abs(Date.now() / 1000 - Number(headers['webhook-timestamp'])) > 300)
            throw new Error('refused');
          return JSON.parse(body);
        },
      }),
  },
  'accepts-old-secret': {
    description: 'keeps accepting the secret it held before the last rotation (a "grace period" InkLink does not have)',
    fails: ['old_secret_refused'],
    make: (s) =>
      receiver(s, {
        verify: (secrets, body, headers) => {
          try {
            return standard(secrets, body, headers);
          } catch (e) {
            if (!secrets.previous) throw e;
            return new Webhook(secrets.previous).verify(body, headers) as Payload;
          }
        },
      }),
  },
  'ignores-timestamp': {
    description: 'verifies the signature but never the age of webhook-timestamp (replays accepted)',
    fails: ['timestamp_outside_tolerance_refused'],
    make: (s) =>
      receiver(s, {
        verify: (secrets, body, headers) => {
          const expected = hmac(secrets.current, `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`);
          if (!signatures(headers).includes(expected)) throw new Error('refused');
          return JSON.parse(body);
        },
      }),
  },
  'signs-reserialised-body': {
    description:
      'verifies the signature over JSON.stringify(JSON.parse(body)), not the bytes received (the ' +
      'express.json() mistake)',
    fails: ['tampered_body_refused'],
    make: (s) =>
      receiver(s, { verify: (secrets, body, headers) => standard(secrets, JSON.stringify(JSON.parse(body)), headers) }),
  },
  'accepts-missing-header': {
    description: 'skips verification when a webhook header is missing',
    fails: ['missing_header_refused'],
    make: (s) =>
      receiver(s, {
        verify: (secrets, body, headers) =>
          headers['webhook-id'] && headers['webhook-timestamp'] && headers['webhook-signature']
            ? standard(secrets, body, headers)
            : JSON.parse(body),
      }),
  },
  'first-signature-only': {
    description: 'compares only the first signature of webhook-signature',
    fails: ['multiple_signatures_accepted'],
    make: (s) =>
      receiver(s, {
        verify: (secrets, body, headers) =>
          standard(secrets, body, {
            ...headers,
            'webhook-signature': headers['webhook-signature']?.split(' ')[0] ?? '',
          }),
      }),
  },
  'no-future-timestamps': {
    description: 'refuses any webhook-timestamp ahead of its own clock (no room for clock skew)',
    fails: ['timestamp_inside_tolerance_accepted'],
    make: (s) =>
      receiver(s, {
        verify: (secrets, body, headers) => {
          if (Number(headers['webhook-timestamp']) > Date.now() / 1000 + 1) throw new Error('refused');
          return standard(secrets, body, headers);
        },
      }),
  },
  '5xx-on-unknown-type': {
    description: 'answers 500 to an event type it does not know (InkLink would retry it for a day)',
    fails: ['unknown_event_type_not_5xx'],
    make: (s) => receiver(s, { unknownType: 500 }),
  },
  'refuses-duplicates': {
    description: 'de-duplicates by refusing the second copy of a webhook-id (409)',
    fails: ['duplicate_accepted'],
    make: (s) => receiver(s, { duplicate: 409 }),
  },
  slow: {
    description: `takes longer than the delivery timeout over ${SLOW_TYPE}`,
    fails: ['valid_deliveries_accepted', 'answers_within_timeout'],
    make: (s, o) => receiver(s, { delayMs: (p) => (p.type === SLOW_TYPE ? (o.slowMs ?? 1000) : 0) }),
  },
};

export interface ServedReceiver {
  url: string;
  /** `POST {"secret"}` here gives the receiver a new secret. */
  updateUrl: string;
  secrets: Secrets;
  /** Requests the server answered, by path. */
  hits: Record<string, number>;
  close(): Promise<void>;
}

/**
 * A receiver behind a real HTTP server: `POST /webhooks` goes to the handler with the raw body;
 * `POST <updatePath>` (default `/secret`) takes `{"secret"}` after `switchDelayMs` (the previous one
 * kept in `previous`).
 */
export async function serveReceiver(
  make: (s: Secrets) => ReceiverHandler,
  secrets: Secrets,
  switchDelayMs = 0,
  updatePath = '/secret',
): Promise<ServedReceiver> {
  const handler = make(secrets);
  const hits: Record<string, number> = {};
  const server = await faultyReceiver((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
      if (req.method === 'POST' && req.url === updatePath) {
        const next = JSON.parse(body).secret as string;
        setTimeout(() => {
          secrets.previous = secrets.current;
          secrets.current = next;
        }, switchDelayMs);
        res.writeHead(204).end();
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      let status: number;
      try {
        const answer = await handler(body, headers);
        status = typeof answer === 'number' ? answer : answer.status;
      } catch {
        status = 500;
      }
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'refused');
    });
  });
  const origin = new URL(server.url).origin;
  return { url: `${origin}/webhooks`, updateUrl: `${origin}${updatePath}`, secrets, hits, close: server.close };
}

/** Secrets kept in a file, read on every delivery (the file a drill's update command writes). */
export function secretsInFile(file: string): Secrets {
  return {
    get current() {
      return fs.readFileSync(file, 'utf8').trim();
    },
    set current(secret: string) {
      fs.writeFileSync(file, secret);
    },
  };
}
