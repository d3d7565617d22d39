/**
 * State handlers, request filter and message providers for verifying pacts against a provider.
 *
 * Three ways to put a provider into a state:
 * - `mock`: the inklink-mock control API (`/__mock/reset`, `/__mock/api-keys`, `/__mock/endpoints`,
 *   `/__mock/events`). Each interaction gets a fresh organization; webhook deliveries are real ones,
 *   captured by a local receiver and checked against their signature.
 * - `api`: InkLink's public API (a real implementation or staging): endpoints are created with the
 *   admin key, and keys per role are given by the caller. Webhook deliveries cannot be triggered.
 * - `url`: the provider's own provider-state URL, which receives every state change as Pact's
 *   `{state, params, action}`; its JSON answer is injected into the request.
 *
 * In every mode the request filter puts the key of the role a state names into `api-key`.
 */
import type { RequestHandler } from 'express';
import { ENDPOINT_ID_RE, ROLES, type Role } from '../core/inklink';
import { verify } from '../core/webhooks';
import { STATE, PROVIDER_STATES } from './states';
import { startDeliveryReceiver, type CapturedDelivery, type DeliveryReceiver } from './receiver';
import { jsonOrUndefined } from '../core/json';

export type StateMode = 'mock' | 'api' | 'url';

export interface ProviderStatesConfig {
  /** `auto` (default) picks `url` when a state URL is given, else `mock` when the control API answers, else `api`. */
  mode?: StateMode | 'auto';
  providerBaseUrl: string;
  /** mock: where the control API is (default: the origin of providerBaseUrl). */
  controlUrl?: string;
  /** mock: the control token, if the mock requires one. */
  controlToken?: string;
  /** api and url: an api key per role. */
  apiKeys?: Partial<Record<Role, string>>;
  /** url: the provider-state URL. */
  stateUrl?: string;
  /** api: the URL endpoints created for `an endpoint exists` deliver to. */
  endpointUrl?: string;
  /** How long to wait for a webhook delivery (default 10 s). */
  deliveryTimeoutMs?: number;
  /** Interface of the local webhook receiver (default 127.0.0.1). */
  receiverHost?: string;
  fetch?: typeof fetch;
}

export interface StateError {
  state: string;
  action: string;
  message: string;
}

export type StateFn = (params?: any) => Promise<Record<string, unknown> | undefined>;
export type StateHandler = StateFn | { setup?: StateFn; teardown?: StateFn };

export interface ProviderStatesRuntime {
  mode: StateMode;
  stateHandlers: Record<string, StateHandler>;
  requestFilter: RequestHandler;
  beforeEach: () => Promise<void>;
  afterEach: () => Promise<void>;
  messageProviders: Record<string, (descriptor: any) => Promise<unknown>>;
  /** Failures of state set-up; any makes the verification fail. */
  errors: StateError[];
  close(): Promise<void>;
}

export const DEFAULT_ENDPOINT_URL = 'https://example.com/inklink-pact-verify';

interface Context {
  organizationId?: string;
  apiKey?: string;
  delivery?: CapturedDelivery;
}

class StateFailure extends Error {}

/** Picks the mode for `auto`: a state URL means `url`; a control API answering means `mock`. */
export async function detectStateMode(config: ProviderStatesConfig): Promise<StateMode> {
  if (config.mode && config.mode !== 'auto') return config.mode;
  if (config.stateUrl) return 'url';
  const f = config.fetch ?? fetch;
  try {
    const res = await f(`${controlBase(config)}/__mock/health`, {
      headers: controlHeaders(config),
      signal: AbortSignal.timeout(3000),
    });
    const body: any = await res.json().catch(() => undefined);
    if (res.ok && body?.status === 'ok') return 'mock';
  } catch {
    // Not reachable or not a mock: the public API it is.
  }
  return 'api';
}

function controlBase(config: ProviderStatesConfig): string {
  return (config.controlUrl ?? new URL(config.providerBaseUrl).origin).replace(/\/+$/, '');
}

function controlHeaders(config: ProviderStatesConfig): Record<string, string> {
  return config.controlToken ? { authorization: `Bearer ${config.controlToken}` } : {};
}

export async function createProviderStates(config: ProviderStatesConfig): Promise<ProviderStatesRuntime> {
  const mode = await detectStateMode(config);
  if (mode === 'url' && !config.stateUrl) throw new Error('provider states mode "url" needs a provider-state URL');
  const f = config.fetch ?? fetch;
  const deliveryTimeoutMs = config.deliveryTimeoutMs ?? 10_000;
  const errors: StateError[] = [];
  let ctx: Context = {};
  let receiver: DeliveryReceiver | undefined;
  const getReceiver = async () => (receiver ??= await startDeliveryReceiver(config.receiverHost));

  async function call(url: string, method: string, body: unknown, headers: Record<string, string>, what: string): Promise<any> {
    let res: Response;
    try {
      res = await f(url, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      throw new StateFailure(`${what}: request failed (${(e as any)?.cause?.code ?? (e as Error).name})`);
    }
    const text = await res.text();
    const json: any = jsonOrUndefined(text);
    if (!res.ok) {
      // InkLink's envelope has a code and a message that never repeat secrets; nothing else is quoted.
      const why = json?.error?.code ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`;
      throw new StateFailure(`${what}: ${res.status} ${why}`);
    }
    return json;
  }

  const control = (path: string, body?: unknown) =>
    call(`${controlBase(config)}${path}`, 'POST', body ?? {}, controlHeaders(config), `control API ${path}`);
  const publicBase = config.providerBaseUrl.replace(/\/+$/, '');

  function keyFor(role: string): string {
    const key = config.apiKeys?.[role as Role];
    if (!key) throw new StateFailure(`no api key for role "${role}": give it with --${role}-key or INKLINK_${role.toUpperCase()}_API_KEY`);
    return key;
  }

  function checkRole(role: unknown): Role {
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new StateFailure(`role must be one of ${ROLES.join(', ')}`);
    return role as Role;
  }

  async function organization(): Promise<string> {
    if (!ctx.organizationId) {
      const minted = await control('/__mock/api-keys', { role: 'owner' });
      ctx.organizationId = minted.organization_id as string;
    }
    return ctx.organizationId;
  }

  async function capture(trigger: (receiverUrl: string) => Promise<string | undefined>): Promise<void> {
    const r = await getReceiver();
    const { url, delivery } = r.expect(deliveryTimeoutMs);
    const secret = await trigger(url);
    const d = await delivery;
    if (secret) {
      const v = verify(secret, d.body, d.headers as Record<string, unknown>);
      if (!v.ok) throw new StateFailure(`the delivery's signature does not verify with the endpoint's secret (${v.reason})`);
    }
    ctx.delivery = d;
  }

  const mockStates: Record<string, StateFn> = {
    async [STATE.endpointExists](p) {
      const organization_id = await organization();
      const wanted = typeof p?.endpoint_id === 'string' && ENDPOINT_ID_RE.test(p.endpoint_id) ? p.endpoint_id : undefined;
      let seeded: any;
      try {
        seeded = await control('/__mock/endpoints', { organization_id, ...(wanted ? { id: wanted } : {}) });
      } catch {
        // The id is taken or refused: any id will do, the path takes it from the state.
        seeded = await control('/__mock/endpoints', { organization_id });
      }
      return { endpoint_id: seeded.id };
    },
    async [STATE.noEndpoint](p) {
      return { endpoint_id: p?.endpoint_id };
    },
    async [STATE.apiKeyHasRole](p) {
      const role = checkRole(p?.role);
      const minted = await control('/__mock/api-keys', { role, organization_id: await organization() });
      ctx.apiKey = minted.api_key;
      return undefined;
    },
    async [STATE.webhookDelivered](p) {
      const type = p?.type;
      if (typeof type !== 'string') throw new StateFailure('the "type" parameter is required');
      await capture(async (url) => {
        const ep = await control('/__mock/endpoints', { organization_id: await organization(), url, event_types: [type] });
        const emitted = await control('/__mock/events', { type, endpoint_id: ep.id });
        if (!emitted.deliveries?.length) throw new StateFailure(`the mock delivered nothing (${JSON.stringify(emitted.skipped ?? [])})`);
        return ep.secret as string;
      });
      return undefined;
    },
  };

  const apiStates: Record<string, StateFn> = {
    async [STATE.endpointExists]() {
      const key = config.apiKeys?.admin ?? config.apiKeys?.owner;
      if (!key) throw new StateFailure('creating an endpoint needs an admin or owner key (--admin-key or INKLINK_ADMIN_API_KEY)');
      const created = await call(
        `${publicBase}/webhook/endpoints`,
        'POST',
        { url: config.endpointUrl ?? DEFAULT_ENDPOINT_URL, name: 'inklink-mock pact-verify' },
        { 'api-key': key },
        'create endpoint',
      );
      if (typeof created?.id !== 'string') throw new StateFailure('create endpoint: the answer has no id');
      return { endpoint_id: created.id };
    },
    async [STATE.noEndpoint](p) {
      return { endpoint_id: p?.endpoint_id };
    },
    async [STATE.apiKeyHasRole](p) {
      ctx.apiKey = keyFor(checkRole(p?.role));
      return undefined;
    },
    async [STATE.webhookDelivered]() {
      throw new StateFailure(
        "InkLink's public API cannot trigger a webhook delivery: verify message pacts against the mock, or give a provider-state URL",
      );
    },
  };

  /** url mode: every state, known or not, goes to the provider's state URL. */
  function forward(name: string, action: 'setup' | 'teardown'): StateFn {
    return async (p) => {
      const params = { ...(p ?? {}) };
      if (name === STATE.webhookDelivered && action === 'setup') {
        let answer: any;
        await capture(async (receiverUrl) => {
          answer = await call(config.stateUrl!, 'POST', { state: name, params: { ...params, receiver_url: receiverUrl }, action }, {}, `state "${name}"`);
          return typeof answer?.secret === 'string' ? answer.secret : undefined;
        });
        return injected(answer);
      }
      const answer = await call(config.stateUrl!, 'POST', { state: name, params, action }, {}, `state "${name}"`);
      if (name === STATE.apiKeyHasRole && action === 'setup') {
        ctx.apiKey = typeof answer?.api_key === 'string' ? answer.api_key : keyFor(checkRole(params.role));
      }
      return injected(answer);
    };
  }

  const recorded = (name: string, action: string, fn: StateFn): StateFn => async (p) => {
    try {
      return await fn(p);
    } catch (e) {
      const message = (e as Error).message;
      errors.push({ state: name, action, message });
      throw e;
    }
  };

  const handlerFor = (name: string): StateHandler => {
    if (mode === 'url') return { setup: recorded(name, 'setup', forward(name, 'setup')), teardown: recorded(name, 'teardown', forward(name, 'teardown')) };
    const table = mode === 'mock' ? mockStates : apiStates;
    const fn = table[name];
    if (!fn) {
      return recorded(name, 'setup', async () => {
        throw new StateFailure(`unknown provider state; the vocabulary is: ${PROVIDER_STATES.map((s) => `"${s.name}"`).join(', ')}`);
      });
    }
    return recorded(name, 'setup', fn);
  };
  // Any state name a pact uses gets a handler (unknown ones fail clearly instead of being skipped).
  const stateHandlers = openTable<StateHandler>(handlerFor);

  // Any message description gets the delivery its state captured.
  const messageProviders = openTable<(d: any) => Promise<unknown>>(
    (description) =>
          async () => {
            const d = ctx.delivery;
            if (!d) {
              const message = `no delivery to verify for message "${description}": it needs the state "${STATE.webhookDelivered}"`;
              errors.push({ state: STATE.webhookDelivered, action: 'message', message });
              throw new Error(message);
            }
            let payload: unknown;
            try {
              payload = JSON.parse(d.body);
            } catch {
              payload = d.body;
            }
            return { __pactMessageMetadata: deliveryMetadata(d), message: payload };
          },
  );

  const requestFilter: RequestHandler = (req, _res, next) => {
    if (ctx.apiKey && !req.path.startsWith('/_pactSetup') && !req.path.startsWith('/_messages')) {
      req.headers['api-key'] = ctx.apiKey;
    }
    next();
  };

  return {
    mode,
    stateHandlers,
    requestFilter,
    messageProviders,
    errors,
    async beforeEach() {
      ctx = {};
      if (mode === 'mock') {
        try {
          await control('/__mock/reset');
        } catch (e) {
          errors.push({ state: '(before each interaction)', action: 'reset', message: (e as Error).message });
          throw e;
        }
      }
    },
    async afterEach() {
      ctx = {};
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
  return new Proxy({} as Record<string, T>, {
    get: (_t, name) => (typeof name === 'string' && !(name in Object.prototype) && name !== 'toJSON' && name !== 'then' ? entry(name) : undefined),
  });
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

/** A state URL's answer, minus credentials (which go to the request filter, not into the pact run). */
function injected(answer: unknown): Record<string, unknown> | undefined {
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
  const { api_key: _key, secret: _secret, ...rest } = answer as Record<string, unknown>;
  return rest;
}
