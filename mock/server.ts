/**
 * `createMockServer(options)`: the stateful mock as a library. It wires the domain (store,
 * service, deliveries, control) to the Express app, the state database (`stateFile`) and the
 * outbound sender, and gives `listen()`, which resolves with the URL (a random port by default),
 * and a graceful `close()`.
 */
import os from 'node:os';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../core/log';
import { DEFAULTS, isLoopback, parseSchedule, type MockServerOptions } from './config';
import { StateCommitter } from './domain/committer';
import { MockControl } from './domain/control';
import { DeliveryEngine } from './domain/deliveries';
import { FaultPlan } from './domain/faults';
import { LiveFeed } from './domain/live';
import { RequestJournal } from './domain/request-journal';
import type { StateSnapshot } from './domain/model';
import { seedState, type SeededOrganization } from './domain/seed';
import { WebhookEndpointService } from './domain/service';
import { Store } from './domain/store';
import { CLOCK_MODES, MockClock } from './domain/virtual-clock';
import { SelfAddress } from './domain/urls';
import { createApp } from './http/app';
import { DEFAULT_LIMITS, createHttpServer, shutDown } from './http/transport';
import { UndiciSender } from './outbound/undici-sender';
import { LmdbStateDatabase } from './storage/lmdb-state';
import { checkedSnapshot, readFixture } from './storage/paths';
import { getSpec } from '../core/spec';

/** Where the state the mock started with came from. */
export type StateSource =
  | { kind: 'seed'; seed: number }
  /** A JSON fixture, in memory (nothing is saved). */
  | { kind: 'fixture'; fixture: string }
  /**
   * The state database. `created`: it did not exist (or was empty), so it was filled from the
   * fixture, or seeded, at start-up. `fixtureIgnored`: a fixture was given, but the database
   * already held a state (a fixture fills only a new database).
   */
  | { kind: 'file'; file: string; created: boolean; seed?: number; fixture?: string; fixtureIgnored?: boolean };

export interface CloseOptions {
  /** How long to wait for the requests in flight to be answered (default: the server's option). */
  timeoutMs?: number;
}

/**
 * The mock's request handler, to mount in a server or an app of your own (`http.createServer(app)`,
 * or Express's `app.use(mock.app)`). Typed without Express, so that the package's types need none.
 */
export type MockRequestHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  next?: (err?: unknown) => void,
) => void;

export interface MockServer {
  app: MockRequestHandler;
  /** Listens (default: options.port ?? 0, options.host ?? 127.0.0.1) and resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Shuts down gracefully: stops accepting connections, answers every request in flight (after its
   * write), closes idle connections, then, within the timeout, everything else; pending
   * deliveries are cancelled and the state database is closed.
   */
  close(options?: CloseOptions): Promise<void>;
  /** The base URL once listening. */
  readonly url: string | undefined;
  /**
   * The seeded organizations with their keys and initial secrets, for tests that embed the mock.
   * Empty when the state came from a state file or a fixture (keys are stored only as hashes).
   */
  readonly seeded: SeededOrganization[];
  readonly stateSource: StateSource;
  /** Writes the changes to the state database (with `stateFile`). */
  readonly committer: StateCommitter | undefined;
  /** Fault injection rules (also reachable through `/__mock/faults`). */
  readonly faults: FaultPlan;
  /** The request journal (`/__mock/requests`). */
  readonly requests: RequestJournal;
  /** What happens in the mock, as it happens (`/__mock/stream`). */
  readonly live: LiveFeed;
  readonly store: Store;
  readonly service: WebhookEndpointService;
  readonly control: MockControl;
  readonly deliveries: DeliveryEngine;
  /**
   * The mock's clock (option `clock`): `clock.now()`, and on a virtual clock `await clock.advance('1h')`
   * and `await clock.advanceToNext()`, which resolve once the delivery attempts due on the way are made.
   */
  readonly clock: MockClock;
  readonly logger: Logger;
}

interface InitialState {
  snapshot: StateSnapshot;
  source: StateSource;
  seeded?: SeededOrganization[];
  database?: LmdbStateDatabase;
}

/** The starting state: the database's, or the fixture's, or the seed's (a new database gets it). */
function initialState(options: MockServerOptions): InitialState {
  const seed = options.seed ?? DEFAULTS.seed;
  const fixtureName =
    typeof options.fixture === 'string' ? options.fixture : options.fixture ? '(fixture object)' : undefined;
  // A broken fixture or database throws (never a silent reset).
  const fixture =
    typeof options.fixture === 'string'
      ? readFixture(options.fixture)
      : options.fixture
        ? checkedSnapshot(options.fixture, '(fixture object)', 'fixture')
        : undefined;
  const fresh = () => {
    if (fixture) return { snapshot: fixture };
    const seeded = seedState(seed, { webhookUrl: options.webhookUrl ?? DEFAULTS.webhookUrl });
    return { snapshot: seeded.snapshot, seeded: seeded.organizations };
  };
  if (options.stateFile === undefined) {
    const f = fresh();
    return { ...f, source: fixtureName ? { kind: 'fixture', fixture: fixtureName } : { kind: 'seed', seed } };
  }
  const file = options.stateFile;
  const { database, snapshot } = LmdbStateDatabase.open(file);
  if (snapshot)
    return {
      snapshot,
      database,
      source: { kind: 'file', file, created: false, fixture: fixtureName, fixtureIgnored: fixtureName !== undefined },
    };
  try {
    const f = fresh();
    database.initialize(f.snapshot);
    return {
      ...f,
      database,
      source: { kind: 'file', file, created: true, ...(fixtureName ? { fixture: fixtureName } : { seed }) },
    };
  } catch (e) {
    void database.close();
    throw e;
  }
}

function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

export function createMockServer(options: MockServerOptions = {}): MockServer {
  if (options.controlToken !== undefined && options.controlToken.trim() === '') {
    throw new Error('The control token must not be blank: set a real token, or none');
  }
  const logger =
    options.logger ??
    createLogger(options.logLevel ?? 'warn', process.stderr, process.stdout, { format: options.logFormat });
  const retryScheduleMs =
    typeof options.retrySchedule === 'string'
      ? parseSchedule(options.retrySchedule)
      : [...(options.retrySchedule ?? DEFAULTS.retryScheduleMs)];
  const webhookUrl = options.webhookUrl ?? DEFAULTS.webhookUrl;
  const mode = options.clock ?? DEFAULTS.clock;
  if (!CLOCK_MODES.includes(mode)) throw new Error(`The clock must be one of ${CLOCK_MODES.join(', ')}`);
  const clock = new MockClock(mode);
  const now = () => clock.now();
  const start = initialState(options);
  const initial = start.snapshot;

  const store = new Store(initial);
  let committer: StateCommitter | undefined;
  if (start.database) {
    const db = options.wrapStateDatabase ? options.wrapStateDatabase(start.database) : start.database;
    committer = new StateCommitter(store, db, (err) =>
      logger.error('the state could not be saved', { error: (err as Error).message }),
    );
    store.setDurability(committer);
  }
  let self: SelfAddress | undefined;
  const live = new LiveFeed();
  const faults = new FaultPlan([...getSpec().operations.keys()], Math.random, live, () => clock.clock.now());
  const service = new WebhookEndpointService(store, { self: () => self, live, now });
  const requests = new RequestJournal({ live, isKnownId: (segment) => store.endpoint(segment) !== undefined });
  const sender = new UndiciSender({
    timeoutMs: options.deliveryTimeoutMs ?? DEFAULTS.deliveryTimeoutMs,
    isSelf: (ip, port) => self?.isSelf(ip, port) ?? false,
  });
  const deliveries = new DeliveryEngine(store, sender, {
    retryScheduleMs,
    journalLimit: options.journalLimit ?? DEFAULTS.journalLimit,
    maxPending: options.maxPendingDeliveries,
    logger,
    live,
    clock: clock.clock,
  });
  const control = new MockControl(store, service, deliveries, faults, () => initial, webhookUrl, {
    requests,
    live,
    now,
  });
  const app = createApp({
    service,
    control,
    deliveries,
    logger,
    selfCheck: options.selfCheck ?? false,
    controlToken: options.controlToken,
    startedAt: Date.now(),
    clock,
    faults,
    requests,
    live,
    streamOptions: { heartbeatMs: options.streamHeartbeatMs, stallHeartbeats: options.streamStallHeartbeats },
  });

  let server: http.Server | undefined;
  let url: string | undefined;
  let closing: Promise<void> | undefined;
  const deadline = { at: Infinity };

  return {
    app,
    store,
    service,
    control,
    deliveries,
    clock,
    logger,
    faults,
    requests,
    live,
    committer,
    stateSource: start.source,
    seeded: start.seeded ?? [],
    get url() {
      return url;
    },
    listen(port = options.port ?? 0, host = options.host ?? DEFAULTS.host) {
      if (server) return Promise.reject(new Error('The mock is already listening'));
      if (closing) return Promise.reject(new Error('The mock is closed'));
      if (!isLoopback(host) && !options.controlToken) {
        return Promise.reject(
          new Error(
            `Listening on ${host} (not loopback) exposes the control API: set a control token ` +
              `(--control-token or INKLINK_MOCK_CONTROL_TOKEN)`,
          ),
        );
      }
      const s = createHttpServer(app, logger, { ...DEFAULT_LIMITS, ...options.transportLimits });
      server = s;
      return new Promise<string>((resolve, reject) => {
        s.once('error', (err) => {
          server = undefined;
          reject(err);
        });
        s.listen(port, host, () => {
          const addr = s.address() as AddressInfo;
          self = new SelfAddress(addr.address, addr.port, interfaceAddresses());
          const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          url = `http://${h}:${addr.port}`;
          resolve(url);
        });
      });
    },
    close(closeOptions: CloseOptions = {}) {
      // A later call may only shorten the wait (a second signal).
      const timeoutMs = closeOptions.timeoutMs ?? options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs;
      deadline.at = Math.min(deadline.at, Date.now() + timeoutMs);
      closing ??= (async () => {
        // Live streams end first: they would hold their connections until the deadline.
        live.close();
        const s = server;
        if (s) await shutDown(s, deadline);
        server = undefined;
        url = undefined;
        deliveries.close();
        await committer?.idle();
        await start.database?.close();
        logger.flush();
      })();
      return closing;
    },
  };
}
