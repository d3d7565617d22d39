/**
 * The provider-state vocabulary: a fixed set of states with parameters that consumer pacts may
 * name and that `inklink-mock pact-verify` knows how to set up on the mock (control API), on a
 * real implementation (public API) or through a provider-state URL.
 */
import type { Role } from '../../core/inklink';

export interface ProviderStateSpec {
  name: string;
  /** Parameter names and what they mean. */
  params: Record<string, string>;
  /** What the provider must make true. */
  meaning: string;
  /** Values the state hands back for `fromProviderState` expressions. */
  provides?: Record<string, string>;
}

export const STATE = {
  endpointExists: 'an endpoint exists',
  noEndpoint: 'no endpoint exists',
  apiKeyHasRole: 'the api key has role',
  webhookDelivered: 'a webhook event is delivered',
} as const;

export type StateName = (typeof STATE)[keyof typeof STATE];

export const PROVIDER_STATES: readonly ProviderStateSpec[] = [
  {
    name: STATE.endpointExists,
    params: { endpoint_id: 'the id the consumer uses (`wh_end_…`); a provider may use another and inject it' },
    meaning:
      "A webhook endpoint exists in the organization of the request's api key. Its id is handed back as `endpoint_id`, which the request path takes through `fromProviderState('/webhook/endpoints/${endpoint_id}/rotate-secret', …)`.",
    provides: { endpoint_id: 'the id of the endpoint that exists' },
  },
  {
    name: STATE.noEndpoint,
    params: { endpoint_id: 'an id no endpoint has (`wh_end_…`)' },
    meaning: 'No webhook endpoint has this id, in any organization.',
    provides: { endpoint_id: 'the same id' },
  },
  {
    name: STATE.apiKeyHasRole,
    params: { role: 'owner, admin or member' },
    meaning:
      "The request's `api-key` is a valid key of this role in the interaction's organization. The verifier's request filter puts that key in the `api-key` header (the consumer's value is a placeholder).",
  },
  {
    name: STATE.webhookDelivered,
    params: { type: 'the event type (e.g. kyc.result.approved)' },
    meaning:
      'An event of this type is emitted and delivered to an endpoint subscribed to it; the message verified is that real delivery (payload and headers as metadata), after its signature has been checked.',
  },
];

/** `{name, params}` for `.given(name, params)`. */
export interface GivenState {
  name: StateName;
  params: Record<string, string>;
}

export const given = {
  endpointExists: (endpointId: string): GivenState => ({ name: STATE.endpointExists, params: { endpoint_id: endpointId } }),
  noEndpoint: (endpointId: string): GivenState => ({ name: STATE.noEndpoint, params: { endpoint_id: endpointId } }),
  apiKeyHasRole: (role: Role): GivenState => ({ name: STATE.apiKeyHasRole, params: { role } }),
  webhookDelivered: (type: string): GivenState => ({ name: STATE.webhookDelivered, params: { type } }),
};

export function isKnownState(name: string): name is StateName {
  return PROVIDER_STATES.some((s) => s.name === name);
}
