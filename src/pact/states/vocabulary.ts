/**
 * The provider-state vocabulary: a fixed set of states with parameters that consumer pacts may
 * name and that `inklink-mock pact-verify` knows how to set up on the mock (control API), on a
 * real implementation (public API) or through a provider-state URL.
 *
 * A state names the provider's data ("an endpoint exists"), never an action the test performs: a
 * pact says what must be true before its interaction, and the provider decides how to make it so.
 * Names a state had before are aliases, so pacts already published keep verifying.
 */
import type { Role } from '../../../core/inklink';

export interface ProviderStateSpec {
  name: string;
  /** Parameter names and what they mean. */
  params: Record<string, string>;
  /** What the provider must make true. */
  meaning: string;
  /** Values the state hands back for `fromProviderState` expressions. */
  provides?: Record<string, string>;
  /** Earlier names of this state, still accepted in pacts. */
  aliases?: readonly string[];
}

export const STATE = {
  endpointExists: 'an endpoint exists',
  foreignEndpointExists: 'an endpoint exists in another organization',
  noEndpoint: 'no endpoint exists',
  apiKeyHasRole: 'the api key has role',
  apiKeyUnknown: 'the api key is unknown',
  endpointReceivesDeliveries: 'an endpoint subscribed to the event type receives deliveries',
} as const;

export type StateName = (typeof STATE)[keyof typeof STATE];

export const PROVIDER_STATES: readonly ProviderStateSpec[] = [
  {
    name: STATE.endpointExists,
    params: { endpoint_id: 'the id the consumer uses (`wh_end_…`); a provider may use another and inject it' },
    meaning:
      "A webhook endpoint exists in the organization of the request's api key. Its id is handed back as " +
      '`endpoint_id`, which the request path takes through ' +
      "`fromProviderState('/webhook/endpoints/${endpoint_id}/rotate-secret', …)`.",
    provides: { endpoint_id: 'the id of the endpoint that exists' },
  },
  {
    name: STATE.foreignEndpointExists,
    params: { endpoint_id: 'the id the consumer uses (`wh_end_…`); a provider may use another and inject it' },
    meaning:
      "A webhook endpoint exists in an organization other than the one of the request's api key. Its id is " +
      'handed back as `endpoint_id`.',
    provides: { endpoint_id: "the id of the other organization's endpoint" },
  },
  {
    name: STATE.noEndpoint,
    params: { endpoint_id: 'an id no endpoint has (`wh_end_…`)' },
    meaning:
      'No webhook endpoint has this id, in any organization. When one has, the provider hands back another ' +
      'id that none has.',
    provides: { endpoint_id: 'an id no endpoint has' },
  },
  {
    name: STATE.apiKeyHasRole,
    params: { role: 'owner, admin or member' },
    meaning:
      "The request's `api-key` is a valid key of this role in the interaction's organization. When the " +
      "request carries an `api-key` (the consumer's value is a placeholder), the verifier's request filter " +
      'puts that key there; a request without one is sent without one.',
  },
  {
    name: STATE.apiKeyUnknown,
    params: {},
    meaning:
      "The request's `api-key` is a well-formed key that no organization has. When the request carries an " +
      "`api-key`, the verifier's request filter puts a freshly generated one there.",
  },
  {
    name: STATE.endpointReceivesDeliveries,
    params: { type: 'the event type (e.g. kyc.result.approved)' },
    meaning:
      'An enabled endpoint subscribed to this event type receives its deliveries; the message verified is a ' +
      'real delivery of an event of this type (payload, and headers as metadata), after its signature has ' +
      "been checked with the endpoint's secret.",
    aliases: ['a webhook event is delivered'],
  },
];

/** `{name, params}` for `.given(name, params)`. */
export interface GivenState {
  name: StateName;
  params: Record<string, string>;
}

export const given = {
  endpointExists: (endpointId: string): GivenState => ({
    name: STATE.endpointExists,
    params: { endpoint_id: endpointId },
  }),
  foreignEndpointExists: (endpointId: string): GivenState => ({
    name: STATE.foreignEndpointExists,
    params: { endpoint_id: endpointId },
  }),
  noEndpoint: (endpointId: string): GivenState => ({ name: STATE.noEndpoint, params: { endpoint_id: endpointId } }),
  apiKeyHasRole: (role: Role): GivenState => ({ name: STATE.apiKeyHasRole, params: { role } }),
  apiKeyUnknown: (): GivenState => ({ name: STATE.apiKeyUnknown, params: {} }),
  endpointReceivesDeliveries: (type: string): GivenState => ({
    name: STATE.endpointReceivesDeliveries,
    params: { type },
  }),
};

/** The vocabulary's name for a state a pact names (its own name, or an alias), or undefined. */
export function canonicalState(name: string): StateName | undefined {
  const spec = PROVIDER_STATES.find((s) => s.name === name || s.aliases?.includes(name));
  return spec?.name as StateName | undefined;
}

export function isKnownState(name: string): boolean {
  return canonicalState(name) !== undefined;
}
