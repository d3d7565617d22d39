/**
 * `createMockServer(options)`: the stateful mock as a library. It wires the domain (store,
 * service, deliveries, control) to the Express app and gives `listen()`, which resolves with the
 * URL (a random port by default), so a test suite can start the mock in-process.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../src/core/log';
import { DEFAULTS, isLoopback, parseSchedule, type MockServerOptions } from './config';
import { MockControl } from './domain/control';
import { DeliveryEngine } from './domain/deliveries';
import { FaultPlan } from './domain/faults';
import { StatePersister, readStateFile, removeStaleTempFiles, writeStateFileSync } from './domain/persistence';
import { seedState, type SeededOrganization } from './domain/seed';
import { WebhookEndpointService } from './domain/service';
import { Store } from './domain/store';
import { createApp } from './http/app';
import { UndiciSender } from './outbound/undici-sender';
import { DEFAULT_LIMITS, createHttpServer } from './http/transport';
import { getSpec } from '../src/core/spec';

/** Where the state the mock started with came from. */
export type StateSource =
  | { kind: 'seed'; seed: number }
  /** `created`: the file did not exist, so it was seeded and written at start-up. */
  | { kind: 'file'; file: string; created: boolean; seed?: number };

/**
 * The mock's request handler, to mount in a server or an app of your own (`http.createServer(app)`,
 * or Express's `app.use(mock.app)`). Typed without Express, so that the package's types need none.
 */
export type MockRequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: (err?: unknown) => void) => void;

export interface MockServer {
  app: MockRequestHandler;
  /** Listens (default: options.port ?? 0, options.host ?? 127.0.0.1) and resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** The base URL once listening. */
  readonly url: string | undefined;
  /**
   * The seeded organizations with their keys and initial secrets, for tests that embed the mock.
   * Empty when the state was loaded from a state file (keys are stored only as hashes).
   */
  readonly seeded: SeededOrganization[];
  readonly stateSource: StateSource;
  /** Writes the state file (with `stateFile`). */
  readonly persister: StatePersister | undefined;
  /** Fault injection rules (also reachable through `/__mock/faults`). */
  readonly faults: FaultPlan;
  readonly store: Store;
  readonly service: WebhookEndpointService;
  readonly control: MockControl;
  readonly deliveries: DeliveryEngine;
  readonly logger: Logger;
}

export function createMockServer(options: MockServerOptions = {}): MockServer {
  const logger = options.logger ?? createLogger(options.logLevel ?? 'warn', process.stderr, process.stdout, { format: options.logFormat });
  const retryScheduleMs =
    typeof options.retrySchedule === 'string' ? parseSchedule(options.retrySchedule) : [...(options.retrySchedule ?? DEFAULTS.retryScheduleMs)];
  const webhookUrl = options.webhookUrl ?? DEFAULTS.webhookUrl;
  const seed = options.seed ?? DEFAULTS.seed;
  // A state file that exists is the starting state; a broken one throws (never a silent reset).
  const loaded = options.stateFile === undefined ? undefined : readStateFile(options.stateFile);
  const seeded = loaded ? undefined : seedState(seed, { webhookUrl });
  const initial = loaded ?? seeded!.snapshot;
  const stateSource: StateSource =
    options.stateFile === undefined ? { kind: 'seed', seed } : loaded ? { kind: 'file', file: options.stateFile, created: false } : { kind: 'file', file: options.stateFile, created: true, seed };

  const store = new Store(initial);
  let persister: StatePersister | undefined;
  if (options.stateFile !== undefined) {
    removeStaleTempFiles(options.stateFile);
    if (!loaded) writeStateFileSync(options.stateFile, store.snapshot());
    persister = new StatePersister(store, options.stateFile, (err) => logger.error('the state could not be saved', { error: err.message }));
    store.setDurability(persister);
  }
  const faults = new FaultPlan([...getSpec().operations.keys()]);
  const service = new WebhookEndpointService(store);
  const sender = new UndiciSender({ timeoutMs: options.deliveryTimeoutMs ?? DEFAULTS.deliveryTimeoutMs });
  const deliveries = new DeliveryEngine(store, sender, {
    retryScheduleMs,
    journalLimit: options.journalLimit ?? DEFAULTS.journalLimit,
    maxPending: options.maxPendingDeliveries,
    logger,
  });
  const control = new MockControl(store, service, deliveries, () => initial, webhookUrl);
  const app = createApp({
    service,
    control,
    deliveries,
    logger,
    selfCheck: options.selfCheck ?? false,
    controlToken: options.controlToken,
    startedAt: Date.now(),
    faults,
  });

  let server: http.Server | undefined;
  let url: string | undefined;

  return {
    app,
    store,
    service,
    control,
    deliveries,
    logger,
    faults,
    persister,
    stateSource,
    seeded: seeded?.organizations ?? [],
    get url() {
      return url;
    },
    listen(port = options.port ?? 0, host = options.host ?? DEFAULTS.host) {
      if (server) return Promise.reject(new Error('The mock is already listening'));
      if (!isLoopback(host) && !options.controlToken) {
        return Promise.reject(
          new Error(`Listening on ${host} (not loopback) exposes the control API: set a control token (--control-token or INKLINK_MOCK_CONTROL_TOKEN)`),
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
          const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          url = `http://${h}:${addr.port}`;
          resolve(url);
        });
      });
    },
    async close() {
      deliveries.close();
      const s = server;
      server = undefined;
      url = undefined;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      await persister?.idle();
      logger.flush();
    },
  };
}
