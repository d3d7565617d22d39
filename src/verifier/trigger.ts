/**
 * How the verifier makes the implementation send a delivery. InkLink's public API has no
 * "send test event" operation, so the provider supplies a way:
 * - `mock`: the inklink-mock control API (`POST /__mock/events {type, endpoint_id}`);
 * - `url:URL`: POST `{endpoint_id, type}` as JSON to a URL the provider runs;
 * - `none`: no trigger; checks that need deliveries are skipped.
 */
export interface Trigger {
  readonly kind: 'mock' | 'url' | 'none';
  readonly description: string;
  /** Asks for one event of `type` for `endpointId`; throws with a reason when refused. */
  fire(endpointId: string, type: string): Promise<void>;
}

export function parseTrigger(spec: string, baseUrl: string, controlToken?: string): Trigger {
  if (spec === 'none') {
    return { kind: 'none', description: 'none', fire: () => Promise.reject(new Error('no trigger configured')) };
  }
  if (spec === 'mock') {
    const url = new URL('/__mock/events', baseUrl).toString();
    return {
      kind: 'mock',
      description: `mock (${url})`,
      fire: (endpointId, type) => post(url, { type, endpoint_id: endpointId }, controlToken),
    };
  }
  if (spec.startsWith('url:')) {
    const url = spec.slice(4);
    try {
      new URL(url);
    } catch {
      throw new Error(`--trigger url:URL needs an absolute URL, got "${url}"`);
    }
    return {
      kind: 'url',
      description: `url (${url})`,
      fire: (endpointId, type) => post(url, { endpoint_id: endpointId, type }),
    };
  }
  throw new Error(`--trigger must be mock, url:URL or none, got "${spec}"`);
}

async function post(url: string, body: unknown, token?: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  if (res.status < 200 || res.status > 299) throw new Error(`the trigger answered ${res.status}`);
}
