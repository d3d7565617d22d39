/**
 * Provider states on inklink-mock, through its control API (`/__mock/api-keys`, `/__mock/endpoints`,
 * `/__mock/state`, `/__mock/events`). Nothing is reset: each interaction gets organizations of its
 * own (minted on first use), so the keys, endpoints and rotations a developer has on the mock are
 * never touched. Webhook deliveries are real ones, sent to the runtime's receiver and checked
 * against the endpoint's secret.
 */
import { randomBytes } from 'node:crypto';
import { ENDPOINT_ID_RE, ID_PREFIX } from '../../../core/inklink';
import { STATE } from './vocabulary';
import {
  StateFailure,
  caller,
  checkRole,
  useUnknownKey,
  vocabularySetup,
  type BackendOptions,
  type StateBackend,
  type StateContext,
  type StateParams,
} from './backend';

export interface MockStateOptions extends BackendOptions {
  /** mock: where the control API is (default: the origin of providerBaseUrl). */
  controlUrl?: string;
  /** mock: the control token, if the mock requires one. */
  controlToken?: string;
}

/** What the control API answers (mock/control-api.json), as far as the states read it. */
interface MintedKey {
  api_key: string;
  organization_id: string;
}
interface SeededEndpoint {
  id: string;
  secret: string;
}
interface MockState {
  organizations?: { endpoints?: { id: string }[] }[];
}
interface EmittedEvent {
  deliveries?: unknown[];
  skipped?: unknown[];
}

function controlBase(options: MockStateOptions): string {
  return (options.controlUrl ?? new URL(options.providerBaseUrl).origin).replace(/\/+$/, '');
}

function controlHeaders(options: MockStateOptions): Record<string, string> {
  return options.controlToken ? { authorization: `Bearer ${options.controlToken}` } : {};
}

/** Whether an inklink-mock control API answers where the options say it is. */
export async function controlApiAnswers(options: MockStateOptions): Promise<boolean> {
  try {
    const res = await (options.fetch ?? fetch)(`${controlBase(options)}/__mock/health`, {
      headers: controlHeaders(options),
      signal: AbortSignal.timeout(3000),
    });
    const body = (await res.json().catch(() => undefined)) as { status?: unknown } | null | undefined;
    return res.ok && body?.status === 'ok';
  } catch {
    return false;
  }
}

export function mockBackend(options: MockStateOptions): StateBackend {
  const call = caller(options.fetch);
  const control = <T = unknown>(path: string, body?: unknown) =>
    call<T>(
      `${controlBase(options)}${path}`,
      body === undefined ? 'GET' : 'POST',
      body,
      controlHeaders(options),
      `control API ${path}`,
    );

  /** An organization of the interaction's own: the one of an owner key minted on first use. */
  const organization = (ctx: StateContext, which = 'organization'): Promise<string> =>
    ctx.remember(which, async () => (await control<MintedKey>('/__mock/api-keys', { role: 'owner' })).organization_id);

  /**
   * An endpoint in `organization_id`, with the consumer's id when it is free (any id otherwise: the
   * path takes it from the state).
   */
  const seed = async (organization_id: string, p: StateParams) => {
    const wanted = typeof p.endpoint_id === 'string' && ENDPOINT_ID_RE.test(p.endpoint_id) ? p.endpoint_id : undefined;
    let seeded: SeededEndpoint;
    try {
      seeded = await control<SeededEndpoint>('/__mock/endpoints', {
        organization_id,
        ...(wanted ? { id: wanted } : {}),
      });
    } catch {
      seeded = await control<SeededEndpoint>('/__mock/endpoints', { organization_id });
    }
    return { endpoint_id: seeded.id };
  };

  return {
    mode: 'mock',
    setup: vocabularySetup({
      async [STATE.endpointExists](p, ctx) {
        return seed(await organization(ctx), p);
      },
      async [STATE.foreignEndpointExists](p, ctx) {
        return seed(await organization(ctx, 'another organization'), p);
      },
      async [STATE.noEndpoint](p) {
        // The mock is not reset: the consumer's id may be taken (a developer's endpoint, or one an
        // earlier run seeded). Then another id, one no endpoint has, is handed back.
        const state = await control<MockState | undefined>('/__mock/state');
        const taken = new Set<string>(
          (state?.organizations ?? []).flatMap((o) => (o.endpoints ?? []).map((e) => e.id)),
        );
        const wanted = p.endpoint_id;
        if (typeof wanted === 'string' && !taken.has(wanted)) return { endpoint_id: wanted };
        return { endpoint_id: `${ID_PREFIX.endpoint}pact_${randomBytes(12).toString('hex')}` };
      },
      async [STATE.apiKeyHasRole](p, ctx) {
        const role = checkRole(p.role);
        const minted = await control<MintedKey>('/__mock/api-keys', { role, organization_id: await organization(ctx) });
        ctx.useApiKey(minted.api_key);
        return undefined;
      },
      [STATE.apiKeyUnknown]: useUnknownKey,
      async [STATE.endpointReceivesDeliveries](p, ctx) {
        const type = p.type;
        if (typeof type !== 'string') throw new StateFailure('the "type" parameter is required');
        await ctx.captureDelivery(async (url) => {
          const ep = await control<SeededEndpoint>('/__mock/endpoints', {
            organization_id: await organization(ctx),
            url,
            event_types: [type],
          });
          const emitted = await control<EmittedEvent>('/__mock/events', { type, endpoint_id: ep.id });
          if (!emitted.deliveries?.length)
            throw new StateFailure(`the mock delivered nothing (${JSON.stringify(emitted.skipped ?? [])})`);
          return ep.secret;
        });
        return undefined;
      },
    }),
  };
}
