/**
 * Provider states for verifying pacts against a provider: the runtime that turns a state backend
 * (states/backend.ts) into Pact's state handlers, request filter, message providers and
 * beforeEach/afterEach, records every failure, and captures webhook deliveries.
 *
 * Three backends put a provider into a state:
 * - `mock` (states/mock.ts): the inklink-mock control API; nothing is reset, each interaction gets
 *   organizations of its own, and webhook deliveries are real ones, checked against their signature.
 * - `api` (states/api.ts): InkLink's public API (a real implementation or staging) and the caller's
 *   keys per role. Webhook deliveries cannot be triggered.
 * - `url` (states/url.ts): the provider's own provider-state URL, which receives every state change
 *   as Pact's `{state, params, action}`; its JSON answer is injected into the request.
 *
 * In every mode the request filter puts the key a state names (a role's, or an unknown one) into
 * `api-key`, and only when the request carries that header: a pact that sends no key is verified
 * without one, so it cannot pass on a key the verifier added.
 */
import { API_KEY_HEADER } from '../../core/inklink';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verify } from '../../core/webhooks';
import { STATE } from './states/vocabulary';
import { startDeliveryReceiver, type CapturedDelivery, type DeliveryReceiver } from './receiver';
import { StateFailure, type StateBackend, type StateContext, type StateMode, type StateParams } from './states/backend';
import { controlApiAnswers, mockBackend, type MockStateOptions } from './states/mock';
import { apiBackend, type ApiStateOptions } from './states/api';
import { urlBackend, type UrlStateOptions } from './states/url';

export type { StateBackend, StateContext, StateMode, StateParams, InjectedValues } from './states/backend';
export { DEFAULT_ENDPOINT_URL } from './states/api';

export interface ProviderStatesConfig extends MockStateOptions, ApiStateOptions, UrlStateOptions {
  /** `auto` (default) picks `url` when a state URL is given, else `mock` when the control API answers, else `api`. */
  mode?: StateMode | 'auto';
  /** How long to wait for a webhook delivery (default 10 s). */
  deliveryTimeoutMs?: number;
  /** Interface of the local webhook receiver (default 127.0.0.1). */
  receiverHost?: string;
}

export interface StateError {
  state: string;
  action: string;
  message: string;
}

export type StateFn = (params?: StateParams) => Promise<Record<string, unknown> | undefined>;
export type StateHandler = StateFn | { setup?: StateFn; teardown?: StateFn };

/**
 * Pact's request filter (an Express middleware), typed with Node's types only: the package's types
 * need no Express.
 */
export type RequestFilter = (req: IncomingMessage & { path: string }, res: ServerResponse, next: () => void) => void;

export interface ProviderStatesRuntime {
  mode: StateMode;
  stateHandlers: Record<string, StateHandler>;
  requestFilter: RequestFilter;
  beforeEach: () => Promise<void>;
  afterEach: () => Promise<void>;
  /** Takes Pact's message descriptor, which it does not read. */
  messageProviders: Record<string, (descriptor: unknown) => Promise<unknown>>;
  /** Failures of state set-up; any makes the verification fail. */
  errors: StateError[];
  close(): Promise<void>;
}

const BACKENDS: Record<StateMode, (config: ProviderStatesConfig) => StateBackend> = {
  mock: mockBackend,
  api: apiBackend,
  url: urlBackend,
};

/** What the runtime knows of the interaction being verified; forgotten before and after each. */
interface Interaction {
  apiKey?: string;
  delivery?: CapturedDelivery;
  remembered: Map<string, unknown>;
}

/** Picks the mode for `auto`: a state URL means `url`; a control API answering means `mock`. */
export async function detectStateMode(config: ProviderStatesConfig): Promise<StateMode> {
  if (config.mode && config.mode !== 'auto') return config.mode;
  if (config.stateUrl) return 'url';
  // A control API not reachable, or not a mock's: the public API it is.
  return (await controlApiAnswers(config)) ? 'mock' : 'api';
}

export async function createProviderStates(config: ProviderStatesConfig): Promise<ProviderStatesRuntime> {
  const backend = BACKENDS[await detectStateMode(config)](config);
  const deliveryTimeoutMs = config.deliveryTimeoutMs ?? 10_000;
  const errors: StateError[] = [];
  let interaction: Interaction = { remembered: new Map() };
  const forget = () => {
    interaction = { remembered: new Map() };
  };
  let receiver: DeliveryReceiver | undefined;
  const getReceiver = async () => (receiver ??= await startDeliveryReceiver(config.receiverHost));

  const ctx: StateContext = {
    useApiKey(key) {
      interaction.apiKey = key;
    },
    async captureDelivery(trigger) {
      const r = await getReceiver();
      const { url, delivery } = r.expect(deliveryTimeoutMs);
      const secret = await trigger(url);
      const d = await delivery;
      if (secret) {
        const v = verify(secret, d.body, d.headers);
        if (!v.ok)
          throw new StateFailure(`the delivery's signature does not verify with the endpoint's secret (${v.reason})`);
      }
      interaction.delivery = d;
    },
    async remember<T>(key: string, make: () => Promise<T>): Promise<T> {
      const known = interaction.remembered.get(key);
      if (known !== undefined) return known as T;
      const value = await make();
      interaction.remembered.set(key, value);
      return value;
    },
  };

  const recorded =
    (name: string, action: 'setup' | 'teardown'): StateFn =>
    async (p) => {
      try {
        return await backend[action]!(name, p ?? {}, ctx);
      } catch (e) {
        errors.push({ state: name, action, message: (e as Error).message });
        throw e;
      }
    };

  // Any state name a pact uses gets a handler (unknown ones fail clearly instead of being skipped).
  const stateHandlers = openTable<StateHandler>((name) => ({
    setup: recorded(name, 'setup'),
    ...(backend.teardown ? { teardown: recorded(name, 'teardown') } : {}),
  }));

  // Any message description gets the delivery its state captured.
  const messageProviders = openTable<(d: unknown) => Promise<unknown>>((description) => async () => {
    const d = interaction.delivery;
    if (!d) {
      const message =
        `no delivery to verify for message "${description}": ` +
        `it needs the state "${STATE.endpointReceivesDeliveries}"`;
      errors.push({ state: STATE.endpointReceivesDeliveries, action: 'message', message });
      throw new Error(message);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(d.body);
    } catch {
      payload = d.body;
    }
    return { __pactMessageMetadata: deliveryMetadata(d), message: payload };
  });

  const requestFilter: RequestFilter = (req, _res, next) => {
    const { apiKey } = interaction;
    // Replaced, never added: the consumer's placeholder goes, a missing header stays missing.
    if (
      apiKey &&
      req.headers[API_KEY_HEADER] !== undefined &&
      !req.path.startsWith('/_pactSetup') &&
      !req.path.startsWith('/_messages')
    ) {
      req.headers[API_KEY_HEADER] = apiKey;
    }
    next();
  };

  return {
    mode: backend.mode,
    stateHandlers,
    requestFilter,
    messageProviders,
    errors,
    async beforeEach() {
      forget();
    },
    async afterEach() {
      forget();
    },
    async close() {
      await receiver?.close();
      receiver = undefined;
    },
  };
}

/**
 * A table that has an entry for every name a pact may use (states, message descriptions), made on
 * demand. Names JavaScript itself probes (`toJSON`, `then`, `Object.prototype`'s) are not entries,
 * so logging or awaiting the table does not run a handler.
 */
function openTable<T>(entry: (name: string) => T): Record<string, T> {
  return new Proxy<Record<string, T>>(
    {},
    {
      get: (_t, name) =>
        typeof name === 'string' && !(name in Object.prototype) && name !== 'toJSON' && name !== 'then'
          ? entry(name)
          : undefined,
    },
  );
}

/** The delivery's headers as message metadata (`contentType` is Pact's name for the content type). */
export function deliveryMetadata(d: CapturedDelivery): Record<string, string> {
  const h = (name: string) => {
    const v = d.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const out: Record<string, string> = {};
  const ct = h('content-type');
  if (ct) {
    out.contentType = ct;
    out['content-type'] = ct;
  }
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'user-agent']) {
    const v = h(name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
