/**
 * Our side of InkLink's signing secrets: rotate one through the API and keep the new secret. The
 * old one stops verifying deliveries at once, so the store must hold the new one before anything
 * else arrives.
 */
import { InklinkClient } from 'inklink-mock/client';

export class SecretStore {
  private readonly secrets = new Map<string, string>();

  get(endpointId: string): string | undefined {
    return this.secrets.get(endpointId);
  }

  set(endpointId: string, secret: string): void {
    this.secrets.set(endpointId, secret);
  }
}

export function inklinkClient(baseUrl: string, apiKey: string): InklinkClient {
  return new InklinkClient({ baseUrl, apiKey, timeoutMs: 10_000 });
}

/** Rotates an endpoint's signing secret and keeps the new one (shown by InkLink only this once). */
export async function rotateSigningSecret(
  client: InklinkClient,
  endpointId: string,
  store: SecretStore,
): Promise<void> {
  const { secret } = await client.rotateSecret(endpointId);
  store.set(endpointId, secret);
}
