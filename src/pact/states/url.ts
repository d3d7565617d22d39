/**
 * Provider states through the provider's own provider-state URL, which receives every state change,
 * known or not, as Pact's `{state, params, action}` (setup and teardown); a state a pact names by an
 * alias is sent by its current name. Its JSON answer is injected into the interaction, minus
 * credentials: an `api_key` goes to the request filter (else the caller's key for the role, or a
 * generated unknown key), a `secret` checks the signature of the delivery the provider sends to
 * `params.receiver_url`.
 */
import { STATE, canonicalState } from './vocabulary';
import {
  caller,
  roleKey,
  unknownApiKey,
  type BackendOptions,
  type InjectedValues,
  type StateBackend,
  type StateParams,
} from './backend';

export interface UrlStateOptions extends BackendOptions {
  /** url: the provider-state URL. */
  stateUrl?: string;
}

/** A state URL's JSON answer (any JSON: only an object's members are used). */
interface StateAnswer {
  api_key?: unknown;
  secret?: unknown;
  [name: string]: unknown;
}

export function urlBackend(options: UrlStateOptions): StateBackend {
  const stateUrl = options.stateUrl;
  if (!stateUrl) throw new Error('provider states mode "url" needs a provider-state URL');
  const call = caller(options.fetch);
  const send = (named: string, params: StateParams, action: 'setup' | 'teardown') => {
    const state = canonicalState(named) ?? named;
    return call<StateAnswer | undefined>(stateUrl, 'POST', { state, params, action }, {}, `state "${state}"`);
  };

  return {
    mode: 'url',
    async setup(named, params, ctx) {
      const state = canonicalState(named) ?? named;
      if (state === STATE.endpointReceivesDeliveries) {
        let answer: StateAnswer | undefined;
        await ctx.captureDelivery(async (receiverUrl) => {
          answer = await send(state, { ...params, receiver_url: receiverUrl }, 'setup');
          return typeof answer?.secret === 'string' ? answer.secret : undefined;
        });
        return injected(answer);
      }
      const answer = await send(state, params, 'setup');
      const given = typeof answer?.api_key === 'string' ? answer.api_key : undefined;
      if (state === STATE.apiKeyHasRole) ctx.useApiKey(given ?? roleKey(options, params.role));
      if (state === STATE.apiKeyUnknown) ctx.useApiKey(given ?? unknownApiKey());
      return injected(answer);
    },
    async teardown(state, params) {
      return injected(await send(state, params, 'teardown'));
    },
  };
}

/** A state URL's answer, minus credentials (which go to the request filter, not into the pact run). */
function injected(answer: unknown): InjectedValues | undefined {
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
  const { api_key: _key, secret: _secret, ...rest } = answer as Record<string, unknown>;
  return rest;
}
