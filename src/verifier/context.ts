/**
 * What a verify run shares between checks: the recording client, the keys, the endpoints the run
 * created (with the latest secret the implementation handed out for each to a request that should
 * have succeeded), the receiver and the trigger. Secrets live here in memory only; reports are
 * redacted.
 */
import { randomBytes } from 'node:crypto';
import type { RefusalKind } from '../../core/refusals';
import type { CompiledSpec } from '../../core/spec';
import type { Validator } from '../../core/validator';
import { answerJson, isSuccess, type OtherRotation } from './checks/util';
import type { RecordingClient } from './http';
import type { Receiver } from './receiver';
import type { Trigger } from './trigger';
import type { CapturedDelivery, Exchange } from './types';

export interface Keys {
  admin: string;
  member: string;
  owner?: string;
  otherOrg?: string;
}

export interface RunEndpoint {
  tag: string;
  id: string;
  /** What the run asked for, or every type when it asked for none (the documented default). */
  eventTypes: readonly string[];
  enabled: boolean;
  /** The last secret a successful create or rotate, sent to succeed, gave for this endpoint. */
  secret: unknown;
  /** When the request that gave `secret` was sent (epoch ms). */
  secretSince: number;
  organization: 'primary' | 'other';
}

/** What a request should get: success, or a refusal of the table. */
export type Expectation = 'success' | RefusalKind;

export interface Issued {
  secret: unknown;
  exchange: Exchange;
  /**
   * Whether the request should have succeeded: a secret from a request that should have been
   * refused is never the endpoint's.
   */
  expected: boolean;
}

export const rotatePath = (id: string) => `/webhook/endpoints/${encodeURIComponent(id)}/rotate-secret`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RunContext {
  readonly endpoints = new Map<string, RunEndpoint>();
  /** Secrets issued by successful create/rotate answers, in order, with the exchange that issued each. */
  readonly issued: Issued[] = [];
  readonly runId = randomBytes(4).toString('hex');
  /** The delivery the set-up provoked to prove the trigger works (on endpoint `probe`). */
  probeDelivery: CapturedDelivery | undefined;
  /** Set by the set-up once a triggered event arrived. */
  triggerWorks = false;

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
    if (key === this.keys.owner) return 'owner key';
    if (key === this.keys.otherOrg) return "other organization's key";
    if (key === '') return 'empty key';
    return 'a key that is not a valid one';
  }

  async create(purpose: string, body: unknown, key: string | undefined, expect: Expectation): Promise<Exchange> {
    const ex = await this.client.send(purpose, 'POST', '/webhook/endpoints', {
      apiKey: key,
      keyLabel: this.label(key),
      json: body,
    });
    if (isSuccess(ex))
      this.issued.push({ secret: answerJson(ex)?.secret, exchange: ex, expected: expect === 'success' });
    return ex;
  }

  /**
   * Rotates; only an answer to a request that should succeed becomes the endpoint's secret in the
   * run's model. A 200 to a member or to another organization is a failure for the check that sent
   * it, never a new secret.
   */
  async rotate(purpose: string, endpointId: string, key: string | undefined, expect: Expectation): Promise<Exchange> {
    const ex = await this.client.send(purpose, 'POST', rotatePath(endpointId), {
      apiKey: key,
      keyLabel: this.label(key),
    });
    if (isSuccess(ex)) {
      const secret = answerJson(ex)?.secret;
      this.issued.push({ secret, exchange: ex, expected: expect === 'success' });
      if (expect === 'success')
        for (const e of this.endpoints.values())
          if (e.id === endpointId) Object.assign(e, { secret, secretSince: ex.startedAt });
    }
    return ex;
  }

  /**
   * Every rotation of an endpoint other than this one that the run sent and that was not refused
   * (it succeeded, or got no answer): one that re-keys other endpoints too (what rotation_scoped
   * catches) may have changed this one's secret while it was in flight.
   */
  rotationsOtherThan(endpointId: string): OtherRotation[] {
    return this.client.exchanges
      .filter(
        (ex) =>
          ex.operationId === 'rotateWebhookEndpointSecret' &&
          ex.request.path !== rotatePath(endpointId) &&
          (!ex.response || isSuccess(ex)),
      )
      .map((ex) => ({ sentAt: ex.startedAt, answeredAt: ex.response ? ex.startedAt + ex.durationMs : undefined }));
  }

  /** A well-formed endpoint id that no implementation has. */
  unknownId(): string {
    return `wh_end_inklinkmockverify${this.runId}unknown`;
  }

  get canDeliver(): boolean {
    return this.trigger.kind !== 'none' && this.receiver !== undefined && this.triggerWorks;
  }

  /** Asks for one event; the reason when the trigger refused. */
  async fire(endpoint: RunEndpoint, type: string): Promise<string | undefined> {
    try {
      await this.trigger.fire(endpoint.id, type);
      return undefined;
    } catch (e) {
      return `the trigger failed: ${(e as Error).message}`;
    }
  }

  /**
   * Triggers one event for an endpoint and waits for a delivery of an event not seen before on its
   * path (a webhook-id and body not seen together: a retry is not new, and an implementation that
   * reuses an id for another event is judged by delivery_conformance, not missed here). Resolves
   * without one if none arrives in time (or the trigger refused, see `error`). `whileWaiting` runs
   * once the event was asked for (work that can overlap the wait).
   */
  /** What a check says when the wait for a delivery ran out. */
  get noDelivery(): string {
    return `no delivery arrived within ${this.deliveryWaitMs} ms`;
  }

  async deliver(
    endpoint: RunEndpoint,
    type: string,
    whileWaiting?: () => void,
  ): Promise<{ delivery?: CapturedDelivery; error?: string }> {
    const receiver = this.receiver!;
    const event = (d: CapturedDelivery) => `${d.headers['webhook-id']}\n${d.body}`;
    const seen = new Set(receiver.deliveries(endpoint.tag).map(event));
    const refused = await this.fire(endpoint, type);
    if (refused) return { error: refused };
    whileWaiting?.();
    const got = await receiver.waitFor(endpoint.tag, (ds) => ds.some((d) => !seen.has(event(d))), this.deliveryWaitMs);
    const delivery = got.find((d) => !seen.has(event(d)));
    return delivery ? { delivery } : { error: this.noDelivery };
  }

  /**
   * Waits for the `count`-th delivery on a path (counting every request, whatever its webhook-id);
   * undefined if it does not arrive in time.
   */
  async nth(tag: string, count: number): Promise<CapturedDelivery | undefined> {
    const got = await this.receiver!.waitFor(tag, (ds) => ds.length >= count, this.deliveryWaitMs);
    return got[count - 1];
  }

  /**
   * How long to keep listening for a delivery that must not come, once a sibling's did: as long
   * again as the sibling took, and at least 200 ms.
   */
  async quiet(sinceMs: number): Promise<void> {
    await sleep(Math.max(200, Date.now() - sinceMs));
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }

  /** The promise's value, or undefined once the delivery wait is over (the timer does not outlive it). */
  within<T>(promise: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), this.deliveryWaitMs)),
    );
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  }
}
