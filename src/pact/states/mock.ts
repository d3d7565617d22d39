/**
 * Provider states on inklink-mock, through its control API (`/__mock/reset`, `/__mock/api-keys`,
 * `/__mock/endpoints`, `/__mock/events`): the mock is reset before each interaction, each
 * interaction gets a fresh organization, and webhook deliveries are real ones, sent to the runtime's
 * receiver and checked against the endpoint's secret.
 */
import { ENDPOINT_ID_RE } from '../../core/inklink';
import { STATE } from './vocabulary';
import { StateFailure, caller, checkRole, echoEndpointId, vocabularySetup, type BackendOptions, type StateBackend, type StateContext } from './backend';

export interface MockStateOptions extends BackendOptions {
  /** mock: where the control API is (default: the origin of providerBaseUrl). */
  controlUrl?: string;
  /** mock: the control token, if the mock requires one. */
  controlToken?: string;
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
    const body: any = await res.json().catch(() => undefined);
    return res.ok && body?.status === 'ok';
  } catch {
    return false;
  }
}

export function mockBackend(options: MockStateOptions): StateBackend {
  const call = caller(options.fetch);
  const control = (path: string, body?: unknown) =>
    call(`${controlBase(options)}${path}`, 'POST', body ?? {}, controlHeaders(options), `control API ${path}`);

  /** The interaction's organization: the one of an owner key minted on first use. */
  const organization = (ctx: StateContext): Promise<string> =>
    ctx.remember('organization', async () => (await control('/__mock/api-keys', { role: 'owner' })).organization_id as string);

  return {
    mode: 'mock',
    async reset() {
      await control('/__mock/reset');
    },
    setup: vocabularySetup({
      async [STATE.endpointExists](p, ctx) {
        const organization_id = await organization(ctx);
        const wanted = typeof p.endpoint_id === 'string' && ENDPOINT_ID_RE.test(p.endpoint_id) ? p.endpoint_id : undefined;
        let seeded: any;
        try {
          seeded = await control('/__mock/endpoints', { organization_id, ...(wanted ? { id: wanted } : {}) });
        } catch {
          // The id is taken or refused: any id will do, the path takes it from the state.
          seeded = await control('/__mock/endpoints', { organization_id });
        }
        return { endpoint_id: seeded.id };
      },
      [STATE.noEndpoint]: echoEndpointId,
      async [STATE.apiKeyHasRole](p, ctx) {
        const role = checkRole(p.role);
        const minted = await control('/__mock/api-keys', { role, organization_id: await organization(ctx) });
        ctx.useApiKey(minted.api_key);
        return undefined;
      },
      async [STATE.webhookDelivered](p, ctx) {
        const type = p.type;
        if (typeof type !== 'string') throw new StateFailure('the "type" parameter is required');
        await ctx.captureDelivery(async (url) => {
          const ep = await control('/__mock/endpoints', { organization_id: await organization(ctx), url, event_types: [type] });
          const emitted = await control('/__mock/events', { type, endpoint_id: ep.id });
          if (!emitted.deliveries?.length) throw new StateFailure(`the mock delivered nothing (${JSON.stringify(emitted.skipped ?? [])})`);
          return ep.secret as string;
        });
        return undefined;
      },
    }),
  };
}
