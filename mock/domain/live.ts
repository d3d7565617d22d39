/**
 * The live feed: what happens in the mock, as it happens, for whoever watches (the dashboard's
 * stream, `GET /__mock/stream`). Requests, rotations, deliveries and their attempts, fault-rule
 * changes and state changes are published here by the domain objects that make them happen.
 *
 * Watching must cost the API nothing when nobody watches: publishers ask `wants()` (one boolean
 * read) before they build an event; and little when somebody does: once the watchers have had
 * what they take until their next flush, the feed pauses and publishers build nothing. Events
 * carry fingerprints, masked keys and masked paths, never a secret, a whole key or a payload.
 * Nothing here knows about HTTP: the stream adapter (mock/http/stream.ts) subscribes and writes
 * Server-Sent Events.
 */
import type { Role } from '../../core/inklink';
import type { AttemptRecord, DeliveryRecord } from './deliveries';
import type { FaultView } from './faults';
import type { RequestView } from './request-journal';

/** A secret rotated (by InkLink's rotate operation). */
export interface RotationEvent {
  endpoint_id: string;
  organization_id: string;
  /** Fingerprints (first 12 hex digits of the SHA-256) of the secret before and after. */
  previous_fingerprint: string;
  secret_fingerprint: string;
  rotations: number;
  secret_issued_at: string;
  /** The role of the key that rotated it. */
  role: Role;
}

/** A delivery as the journal has it, without its payload. */
export type DeliveryEvent = Omit<DeliveryRecord, 'payload'>;

/** One attempt of a delivery: when it starts (`pending`) and when it ends. */
export interface AttemptEvent extends AttemptRecord {
  delivery_id: string;
  event_id: string;
  endpoint_id: string;
  organization_id: string;
}

/** Why the state changed (the dashboard reloads `GET /__mock/state`). */
export type StateChange = 'api_key_minted' | 'endpoint_created' | 'endpoint_seeded' | 'reset';

/** Every event of the feed, by type. */
export interface LiveEvents {
  request: RequestView;
  rotation: RotationEvent;
  delivery: DeliveryEvent;
  attempt: AttemptEvent;
  faults: { faults: FaultView[] };
  state: { change: StateChange };
  requests_cleared: { removed: number };
}

export type LiveEventType = keyof LiveEvents;

export interface LiveSubscriber {
  event<T extends LiveEventType>(type: T, data: LiveEvents[T]): void;
  /** The feed is closing (the mock shuts down). */
  end(): void;
}

export class LiveFeed {
  private readonly subscribers = new Set<LiveSubscriber>();
  /** True while anyone watches and takes events now. */
  private active = false;
  /** The watchers have had all they take until their next flush (see pause()). */
  private paused = false;
  /** Events not built while paused. */
  private missed = 0;
  /** Closed (the mock shuts down): nobody may subscribe any more. */
  closed = false;

  /** True while anybody watches (paused or not). */
  get watched(): boolean {
    return this.subscribers.size > 0;
  }

  /**
   * Whether to build an event now: the one check publishers make, on the hot path. False when
   * nobody watches, or while the watchers are paused (then the event is counted as missed).
   */
  wants(): boolean {
    if (this.active) return true;
    if (this.paused) this.missed++;
    return false;
  }

  subscribe(s: LiveSubscriber): () => void {
    if (this.closed) throw new Error('The live feed is closed');
    this.subscribers.add(s);
    this.active = !this.paused;
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0) this.resume();
      this.active = this.subscribers.size > 0 && !this.paused;
    };
  }

  publish<T extends LiveEventType>(type: T, data: LiveEvents[T]): void {
    for (const s of this.subscribers) s.event(type, data);
  }

  /**
   * The watchers take no more events for now (their bound until the next flush is reached):
   * publishers build nothing, and count what they did not build, until resume().
   */
  pause(): void {
    this.paused = true;
    this.active = false;
  }

  /** Events flow again; returns how many were missed while paused. */
  resume(): number {
    const missed = this.missed;
    this.missed = 0;
    this.paused = false;
    this.active = this.subscribers.size > 0;
    return missed;
  }

  /** Ends every subscription (at shutdown). */
  close(): void {
    this.closed = true;
    const all = [...this.subscribers];
    this.subscribers.clear();
    this.active = false;
    for (const s of all) s.end();
  }
}

/** A delivery without its payload (the payload is the user's data: the journal listing has it). */
export function deliveryEvent(r: DeliveryRecord): DeliveryEvent {
  const { payload: _payload, attempts, ...rest } = r;
  return { ...rest, attempts: attempts.map((a) => ({ ...a })) };
}

export function attemptEvent(r: DeliveryRecord, a: AttemptRecord): AttemptEvent {
  return {
    delivery_id: r.id,
    event_id: r.event_id,
    endpoint_id: r.endpoint_id,
    organization_id: r.organization_id,
    ...a,
  };
}
