/**
 * What a verify run shares between checks: the recording client, the keys, the endpoints the run
 * created (with the latest secret the implementation handed out for each to a request that should
 * have succeeded), the receiver and the trigger (RunContext); and what one check sees of it
 * (CheckContext): its own endpoints, and of what the rest of the run did only what it declares it
 * reads. Secrets live here in memory only; reports are redacted.
 */
import { randomBytes } from 'node:crypto';
import type { RefusalKind } from '../../core/refusals';
import type { CompiledSpec } from '../../core/spec';
import type { Validator } from '../../core/validator';
import { answerJson, isSuccess, type OtherRotation } from './judge/evidence';
import type { RecordingClient } from './http';
import type { AnswerPolicy, Receiver } from './receiver';
import { buildRequest, operationRequests, rotatePath, type RequestParts } from './requests';
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

/**
 * What a request may carry beyond its operation's parts (generated_requests): more headers (a key
 * in `Authorization`, another content type), a query string, and what the report calls its key.
 */
export interface SendExtra {
  headers?: Record<string, string>;
  query?: string;
  keyLabel?: string;
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

export interface RunContextOptions {
  client: RecordingClient;
  spec: CompiledSpec;
  validator: Validator;
  keys: Keys;
  trigger: Trigger;
  /** Where deliveries arrive (absent without a trigger). */
  receiver?: Receiver;
  /** How long to wait for an expected delivery (and for a retry). */
  deliveryWaitMs: number;
  /** The URL an endpoint of the run delivers to, by its tag. */
  endpointUrl: (tag: string) => string;
  /** generated_requests' seed and number of cases. */
  generation: Generation;
}

/** How generated_requests draws its cases: the seed that replays them, and how many. */
export interface Generation {
  seed: number;
  cases: number;
}

/**
 * What the run records beyond one check's own requests and deliveries. A check reads a record
 * only if it declares it (Check.reads): what another check provoked depends on when each ran.
 * - `exchanges`: every exchange of the run;
 * - `issued`: every secret a create or rotate answer issued;
 * - `deliveries`: every delivery the receiver got;
 * - `rotations`: the rotations of other endpoints (rotationsOtherThan).
 */
export type RunRecord = 'exchanges' | 'issued' | 'deliveries' | 'rotations';

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

  readonly client: RecordingClient;
  readonly spec: CompiledSpec;
  readonly validator: Validator;
  readonly keys: Keys;
  readonly trigger: Trigger;
  readonly receiver: Receiver | undefined;
  readonly deliveryWaitMs: number;
  readonly endpointUrl: (tag: string) => string;
  readonly generation: Generation;

  constructor(options: RunContextOptions) {
    this.client = options.client;
    this.spec = options.spec;
    this.validator = options.validator;
    this.keys = options.keys;
    this.trigger = options.trigger;
    this.receiver = options.receiver;
    this.deliveryWaitMs = options.deliveryWaitMs;
    this.endpointUrl = options.endpointUrl;
    this.generation = options.generation;
  }

  /** What one check sees of the run. */
  forCheck(check: CheckScope): CheckContext {
    return new CheckContext(this, check);
  }

  label(key: string | undefined): string {
    if (key === undefined) return 'no key';
    if (key === this.keys.admin) return 'admin key';
    if (key === this.keys.member) return 'member key';
    if (key === this.keys.owner) return 'owner key';
    if (key === this.keys.otherOrg) return "other organization's key";
    if (key === '') return 'empty key';
    return 'a key that is not a valid one';
  }

  /**
   * Sends a request of an operation (requests.ts builds it) and records it. Only an answer to a
   * request that should succeed gives an endpoint of the run its new secret: a 200 to a member or
   * to another organization is a failure for the check that sent it, never a new secret.
   */
  async send(
    purpose: string,
    operationId: string,
    parts: RequestParts,
    key: string | undefined,
    expect: Expectation,
    extra: SendExtra = {},
  ): Promise<Exchange> {
    const request = buildRequest(operationId, parts);
    const path = extra.query === undefined ? request.path : `${request.path}?${extra.query}`;
    const ex = await this.client.send(purpose, request.method, path, {
      apiKey: key,
      keyLabel: extra.keyLabel ?? this.label(key),
      json: request.json,
      headers: extra.headers,
    });
    const secretIs = operationRequests(operationId).secret;
    if (secretIs && isSuccess(ex)) {
      const secret = answerJson(ex)?.secret;
      this.issued.push({ secret, exchange: ex, expected: expect === 'success' });
      if (secretIs === 'replaces' && expect === 'success')
        for (const e of this.endpoints.values())
          if (e.id === parts.endpointId) Object.assign(e, { secret, secretSince: ex.startedAt });
    }
    return ex;
  }

  create(purpose: string, body: unknown, key: string | undefined, expect: Expectation): Promise<Exchange> {
    return this.send(purpose, 'createWebhookEndpoint', { body }, key, expect);
  }

  rotate(purpose: string, endpointId: string, key: string | undefined, expect: Expectation): Promise<Exchange> {
    return this.send(purpose, 'rotateWebhookEndpointSecret', { endpointId }, key, expect);
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

  /** What a check says when the wait for a delivery ran out. */
  get noDelivery(): string {
    return `no delivery arrived within ${this.deliveryWaitMs} ms`;
  }

  /**
   * Triggers one event for an endpoint and waits for a delivery of an event not seen before on its
   * path (a webhook-id and body not seen together: a retry is not new, and an implementation that
   * reuses an id for another event is judged by delivery_conformance, not missed here). Resolves
   * without one if none arrives in time (or the trigger refused, see `error`). `whileWaiting` runs
   * once the event was asked for (work that can overlap the wait).
   */
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

/** What a check is to its context: its name, the set-up's endpoints it uses, what it reads of the run. */
export interface CheckScope {
  name: string;
  endpoints?: readonly string[];
  reads?: readonly RunRecord[];
}

/** What the rest of the run did (see RunRecord): each read throws unless the check declared it. */
export interface RunRecords {
  readonly exchanges: Exchange[];
  readonly issued: Issued[];
  deliveries(): CapturedDelivery[];
  rotationsOtherThan(endpointId: string): OtherRotation[];
}

/**
 * What one check sees: the keys, its own endpoints of the set-up, requests and deliveries it
 * provokes (recorded in the run, for the reviews), and `run`, the records of the whole run it
 * declared it reads. A check that reaches an endpoint or a record it did not declare throws, and
 * fails saying so.
 */
export class CheckContext {
  readonly run: RunRecords;

  constructor(
    private readonly shared: RunContext,
    private readonly scope: CheckScope,
  ) {
    const reads = new Set(scope.reads ?? []);
    const read = <T>(record: RunRecord, value: () => T): T => {
      if (!reads.has(record))
        throw new Error(`${scope.name} reads the run's ${record} without declaring it (reads: ['${record}'])`);
      return value();
    };
    this.run = {
      get exchanges() {
        return read('exchanges', () => shared.client.exchanges);
      },
      get issued() {
        return read('issued', () => shared.issued);
      },
      deliveries: () => read('deliveries', () => shared.receiver?.deliveries() ?? []),
      rotationsOtherThan: (endpointId) => read('rotations', () => shared.rotationsOtherThan(endpointId)),
    };
  }

  get keys(): Keys {
    return this.shared.keys;
  }
  get spec(): CompiledSpec {
    return this.shared.spec;
  }
  get validator(): Validator {
    return this.shared.validator;
  }
  get runId(): string {
    return this.shared.runId;
  }
  /** generated_requests' seed and number of cases. */
  get generation(): Generation {
    return this.shared.generation;
  }
  get deliveryWaitMs(): number {
    return this.shared.deliveryWaitMs;
  }
  /** Whether deliveries can be asked for: a trigger that worked in the set-up, and a receiver. */
  get canDeliver(): boolean {
    return this.shared.canDeliver;
  }
  get noDelivery(): string {
    return this.shared.noDelivery;
  }
  /** The delivery the set-up provoked to prove the trigger works (on endpoint `probe`). */
  get probeDelivery(): CapturedDelivery | undefined {
    return this.shared.probeDelivery;
  }

  /** One of the set-up's endpoints, which the check declared it uses. */
  endpoint(tag: string): RunEndpoint {
    if (!this.scope.endpoints?.includes(tag))
      throw new Error(`${this.scope.name} uses endpoint "${tag}" of the set-up without declaring it (endpoints)`);
    const e = this.shared.endpoints.get(tag);
    if (!e) throw new Error(`endpoint "${tag}" of the set-up was not created`);
    return e;
  }

  endpointUrl(tag: string): string {
    return this.shared.endpointUrl(tag);
  }
  unknownId(): string {
    return this.shared.unknownId();
  }

  send(
    purpose: string,
    operationId: string,
    parts: RequestParts,
    key: string | undefined,
    expect: Expectation,
    extra?: SendExtra,
  ): Promise<Exchange> {
    return this.shared.send(purpose, operationId, parts, key, expect, extra);
  }
  create(purpose: string, body: unknown, key: string | undefined, expect: Expectation): Promise<Exchange> {
    return this.shared.create(purpose, body, key, expect);
  }
  rotate(purpose: string, endpointId: string, key: string | undefined, expect: Expectation): Promise<Exchange> {
    return this.shared.rotate(purpose, endpointId, key, expect);
  }

  fire(endpoint: RunEndpoint, type: string): Promise<string | undefined> {
    return this.shared.fire(endpoint, type);
  }
  deliver(endpoint: RunEndpoint, type: string): Promise<{ delivery?: CapturedDelivery; error?: string }> {
    return this.shared.deliver(endpoint, type);
  }
  nth(tag: string, count: number): Promise<CapturedDelivery | undefined> {
    return this.shared.nth(tag, count);
  }

  /** What arrived on a receiver path (an endpoint's tag). */
  deliveries(tag: string): CapturedDelivery[] {
    return this.receiver.deliveries(tag);
  }
  /** Waits, at most the delivery wait, until what arrived on a path satisfies `predicate`. */
  waitFor(tag: string, predicate: (ds: CapturedDelivery[]) => boolean): Promise<CapturedDelivery[]> {
    return this.receiver.waitFor(tag, predicate, this.deliveryWaitMs);
  }
  /** How the receiver answers deliveries on a path. */
  setPolicy(tag: string, policy: AnswerPolicy): void {
    this.receiver.setPolicy(tag, policy);
  }
  /** The URL of a receiver path (one no endpoint delivers to, e.g. a redirect's target). */
  receiverUrl(tag: string): string {
    return this.receiver.urlFor(tag);
  }

  quiet(sinceMs: number): Promise<void> {
    return this.shared.quiet(sinceMs);
  }
  sleep(ms: number): Promise<void> {
    return this.shared.sleep(ms);
  }
  within<T>(promise: Promise<T>): Promise<T | undefined> {
    return this.shared.within(promise);
  }

  private get receiver(): Receiver {
    const r = this.shared.receiver;
    if (!r) throw new Error(`${this.scope.name} needs the receiver, which runs only with a trigger`);
    return r;
  }
}
