/**
 * What a verify run shares between checks: the recording client, the keys, the endpoints the run
 * created (with the latest secret the implementation handed out for each), the receiver and the
 * trigger. Secrets live here in memory only; reports are redacted.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { EVENT_TYPES } from '../core/inklink';
import type { CompiledSpec } from '../core/spec';
import type { Validator } from '../core/validator';
import type { RecordingClient } from './http';
import type { Receiver } from './receiver';
import type { Trigger } from './trigger';
import type { CapturedDelivery, Exchange } from './types';

export interface Keys {
  admin: string;
  member: string;
  otherOrg?: string;
}

export interface RunEndpoint {
  tag: string;
  id: string;
  eventTypes: string[];
  /** The last secret a 200 create or rotate answer gave for this endpoint. */
  secret: string | undefined;
  organization: 'primary' | 'other';
}

export const rotatePath = (id: string) => `/webhook/endpoints/${encodeURIComponent(id)}/rotate-secret`;

export class RunContext {
  readonly endpoints = new Map<string, RunEndpoint>();
  /** Secrets issued by 200 create/rotate answers, in order, with the exchange that issued each. */
  readonly issued: { secret: unknown; exchange: Exchange }[] = [];
  readonly runId = randomBytes(4).toString('hex');

  constructor(
    readonly client: RecordingClient,
    readonly spec: CompiledSpec,
    readonly validator: Validator,
    readonly keys: Keys,
    readonly trigger: Trigger,
    readonly receiver: Receiver | undefined,
    readonly deliveryWaitMs: number,
    readonly endpointUrl: (tag: string) => string,
  ) {}

  label(key: string | undefined): string {
    if (key === undefined) return 'no key';
    if (key === this.keys.admin) return 'admin key';
    if (key === this.keys.member) return 'member key';
    if (key === this.keys.otherOrg) return "other organization's key";
    if (key === '') return 'empty key';
    return 'a key that is not a valid one';
  }

  async create(purpose: string, body: unknown, key: string | undefined): Promise<Exchange> {
    const ex = await this.client.send(purpose, 'POST', '/webhook/endpoints', { apiKey: key, keyLabel: this.label(key), json: body });
    if (ex.response?.status === 200) this.issued.push({ secret: (ex.response.json as any)?.secret, exchange: ex });
    return ex;
  }

  async rotate(purpose: string, endpointId: string, key: string | undefined): Promise<Exchange> {
    const ex = await this.client.send(purpose, 'POST', rotatePath(endpointId), { apiKey: key, keyLabel: this.label(key) });
    if (ex.response?.status === 200) {
      const secret = (ex.response.json as any)?.secret;
      this.issued.push({ secret, exchange: ex });
      for (const e of this.endpoints.values()) if (e.id === endpointId && typeof secret === 'string') e.secret = secret;
    }
    return ex;
  }

  /** Creates an endpoint delivering to the receiver path `tag`; undefined (with the exchange) on failure. */
  async setupEndpoint(tag: string, key: string, organization: RunEndpoint['organization'], eventTypes?: string[]) {
    const body: Record<string, unknown> = { url: this.endpointUrl(tag), name: `inklink-mock verify ${this.runId} ${tag}` };
    if (eventTypes) body.event_types = eventTypes;
    const ex = await this.create(`set-up: create endpoint "${tag}"`, body, key);
    const json = ex.response?.json as any;
    if (ex.response?.status !== 200 || typeof json?.id !== 'string') return { exchange: ex, endpoint: undefined };
    const endpoint: RunEndpoint = {
      tag,
      id: json.id,
      // What the run asked for is what the endpoint subscribed to, whatever the answer claims.
      eventTypes: eventTypes ?? (Array.isArray(json.event_types) ? json.event_types : [...EVENT_TYPES]),
      secret: typeof json.secret === 'string' ? json.secret : undefined,
      organization,
    };
    this.endpoints.set(tag, endpoint);
    return { exchange: ex, endpoint };
  }

  get canDeliver(): boolean {
    return this.trigger.kind !== 'none' && this.receiver !== undefined;
  }

  /**
   * Triggers one event for an endpoint and waits for a delivery with a webhook-id not seen before
   * on its path. Resolves undefined if none arrives in time (or the trigger refused, see `error`).
   */
  async deliver(endpoint: RunEndpoint, type: string): Promise<{ delivery?: CapturedDelivery; error?: string }> {
    const receiver = this.receiver!;
    const seen = new Set(receiver.deliveries(endpoint.tag).map((d) => d.headers['webhook-id']));
    try {
      await this.trigger.fire(endpoint.id, type);
    } catch (e) {
      return { error: `the trigger failed: ${(e as Error).message}` };
    }
    const got = await receiver.waitFor(endpoint.tag, (ds) => ds.some((d) => !seen.has(d.headers['webhook-id'])), this.deliveryWaitMs);
    const delivery = got.find((d) => !seen.has(d.headers['webhook-id']));
    return delivery ? { delivery } : { error: `no delivery arrived within ${this.deliveryWaitMs} ms` };
  }
}

/** Verifies a delivery with the reference `standardwebhooks` package. */
export function verifiesWith(secret: string | undefined, d: CapturedDelivery): boolean {
  if (!secret) return false;
  try {
    new Webhook(secret).verify(d.body, d.headers);
    return true;
  } catch {
    return false;
  }
}
