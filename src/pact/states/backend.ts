/**
 * The one interface behind provider states: a backend puts the provider into a named state (the
 * `mock`, `api` and `url` backends are each a plain object implementing it), and the runtime in
 * provider-states.ts turns any backend into what Pact's Verifier takes (state handlers, request
 * filter, message providers, beforeEach/afterEach). Also what the backends share: the one HTTP
 * call, keys per role, and the vocabulary check.
 */
import { randomBytes } from 'node:crypto';
import { ID_PREFIX, ROLES, type Role } from '../../../core/inklink';
import { jsonOrUndefined } from '../../../core/json';
import { PROVIDER_STATES, canonicalState, type StateName } from './vocabulary';

export type StateMode = 'mock' | 'api' | 'url';

/** A state's parameters, as the pact gives them (`{}` when it gives none). */
export type StateParams = Record<string, unknown>;

/** Values a state hands back, injected into the interaction for `fromProviderState` expressions. */
export type InjectedValues = Record<string, unknown>;

/** What every backend is given. */
export interface BackendOptions {
  /** The provider under verification. */
  providerBaseUrl: string;
  /** api and url: an api key per role. */
  apiKeys?: Partial<Record<Role, string>>;
  /** api: an owner or admin key of another organization (for `an endpoint exists in another organization`). */
  otherOrgKey?: string;
  fetch?: typeof fetch;
}

/** What the runtime lends a backend for the interaction being verified. */
export interface StateContext {
  /** The key the request filter puts in `api-key` on the interaction's requests. */
  useApiKey(key: string): void;
  /**
   * Captures the webhook delivery whose message the interaction verifies: `trigger` gets the URL of
   * the local receiver, makes the provider deliver there, and answers the endpoint's secret if it
   * knows it (the delivery's signature must then verify with it).
   */
  captureDelivery(trigger: (receiverUrl: string) => Promise<string | undefined>): Promise<void>;
  /** A value kept until the interaction ends: `make` runs the first time `key` is asked for. */
  remember<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/**
 * A way to put the provider into the states a pact names. `setup` and `teardown` follow Pact's
 * state handlers (`{state, params, action}`); a failure is an Error whose message says why.
 */
export interface StateBackend {
  readonly mode: StateMode;
  /** Sets the state up; resolves to the values injected into the interaction, if any. */
  setup(state: string, params: StateParams, ctx: StateContext): Promise<InjectedValues | undefined>;
  /** Undoes the state after the interaction; a backend without it has nothing to undo. */
  teardown?(state: string, params: StateParams, ctx: StateContext): Promise<InjectedValues | undefined>;
}

/** A provider state that could not be set up (its message is what the report shows). */
export class StateFailure extends Error {}

/**
 * An HTTP call answering the JSON body (undefined when it is not JSON); `T` is what the caller
 * expects of that body, which it checks where it relies on it.
 */
export type Call = <T = unknown>(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
  what: string,
) => Promise<T>;

/** The one HTTP call of the backends: JSON in and out; a failure names `what` and InkLink's error code. */
export function caller(f: typeof fetch = fetch): Call {
  return async <T>(url: string, method: string, body: unknown, headers: Record<string, string>, what: string) => {
    let res: Response;
    try {
      res = await f(url, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } } | undefined)?.cause;
      throw new StateFailure(`${what}: request failed (${cause?.code ?? (e as Error).name})`);
    }
    const text = await res.text();
    const json = jsonOrUndefined(text);
    if (!res.ok) {
      // InkLink's envelope has a code and a message that never repeat secrets; nothing else is quoted.
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const why = error?.code ? `${error.code}: ${error.message}` : `HTTP ${res.status}`;
      throw new StateFailure(`${what}: ${res.status} ${why}`);
    }
    return json as T;
  };
}

/** The caller's key for the role a state names (a role outside owner/admin/member fails). */
export function roleKey(options: BackendOptions, role: unknown): string {
  return keyFor(options, checkRole(role));
}

export function checkRole(role: unknown): Role {
  if (typeof role !== 'string' || !ROLES.includes(role as Role))
    throw new StateFailure(`role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

function keyFor(options: BackendOptions, role: Role): string {
  const key = options.apiKeys?.[role];
  if (!key)
    throw new StateFailure(
      `no api key for role "${role}": give it with --${role}-key or INKLINK_${role.toUpperCase()}_API_KEY`,
    );
  return key;
}

export type StateSetup = (params: StateParams, ctx: StateContext) => Promise<InjectedValues | undefined>;

/**
 * A `setup` from one set-up per state of the vocabulary (a pact may use a state's alias); any
 * other name fails, listing the vocabulary.
 */
export function vocabularySetup(table: Record<StateName, StateSetup>): StateBackend['setup'] {
  return async (state, params, ctx) => {
    const name = canonicalState(state);
    if (!name) {
      throw new StateFailure(
        `unknown provider state; the vocabulary is: ${PROVIDER_STATES.map((s) => `"${s.name}"`).join(', ')}`,
      );
    }
    return table[name](params, ctx);
  };
}

/** `no endpoint exists`, wherever the provider needs nothing done: the consumer's id is the one. */
export const echoEndpointId: StateSetup = async (p) => ({ endpoint_id: p.endpoint_id });

/** A well-formed api key that no provider has: generated afresh, so a real key in a pact cannot pass for it. */
export function unknownApiKey(): string {
  return ID_PREFIX.apiKey + randomBytes(16).toString('hex');
}

/** `the api key is unknown`, wherever the provider needs nothing done. */
export const useUnknownKey: StateSetup = async (_p, ctx) => {
  ctx.useApiKey(unknownApiKey());
  return undefined;
};
