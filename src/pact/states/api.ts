/**
 * Provider states through InkLink's public API (a real implementation or staging): endpoints are
 * created with the caller's admin (or owner) key, another organization's with the key of that
 * organization, and the key of each role is the caller's.
 * Webhook deliveries cannot be triggered through the public API.
 */
import { API_KEY_HEADER } from '../../../core/inklink';
import { STATE } from './vocabulary';
import {
  StateFailure,
  caller,
  echoEndpointId,
  roleKey,
  useUnknownKey,
  vocabularySetup,
  type BackendOptions,
  type StateBackend,
} from './backend';

export interface ApiStateOptions extends BackendOptions {
  /** api: the URL endpoints created for `an endpoint exists` deliver to. */
  endpointUrl?: string;
}

export const DEFAULT_ENDPOINT_URL = 'https://example.com/inklink-pact-verify';

export function apiBackend(options: ApiStateOptions): StateBackend {
  const call = caller(options.fetch);
  const publicBase = options.providerBaseUrl.replace(/\/+$/, '');
  const createEndpoint = async (key: string) => {
    const created = await call<{ id?: unknown } | undefined>(
      `${publicBase}/webhook/endpoints`,
      'POST',
      { url: options.endpointUrl ?? DEFAULT_ENDPOINT_URL, name: 'inklink-mock pact-verify' },
      { [API_KEY_HEADER]: key },
      'create endpoint',
    );
    if (typeof created?.id !== 'string') throw new StateFailure('create endpoint: the answer has no id');
    return { endpoint_id: created.id };
  };
  return {
    mode: 'api',
    setup: vocabularySetup({
      async [STATE.endpointExists]() {
        const key = options.apiKeys?.admin ?? options.apiKeys?.owner;
        if (!key)
          throw new StateFailure(
            'creating an endpoint needs an admin or owner key (--admin-key or INKLINK_ADMIN_API_KEY)',
          );
        return createEndpoint(key);
      },
      async [STATE.foreignEndpointExists]() {
        if (!options.otherOrgKey) {
          throw new StateFailure(
            "another organization's endpoint needs an owner or admin key of that organization " +
              '(--other-org-key or INKLINK_OTHER_ORG_API_KEY)',
          );
        }
        return createEndpoint(options.otherOrgKey);
      },
      [STATE.noEndpoint]: echoEndpointId,
      async [STATE.apiKeyHasRole](p, ctx) {
        ctx.useApiKey(roleKey(options, p.role));
        return undefined;
      },
      [STATE.apiKeyUnknown]: useUnknownKey,
      async [STATE.endpointReceivesDeliveries]() {
        throw new StateFailure(
          "InkLink's public API cannot trigger a webhook delivery: verify message pacts against the mock, or " +
            'give a provider-state URL',
        );
      },
    }),
  };
}
