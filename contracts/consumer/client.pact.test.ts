/**
 * Consumer-driven contract of an example client team: the typed client (src/client) against Pact's
 * mock provider, with the ready-made interactions of src/pact. Writes the pact that
 * contracts/pacts/ holds, and fails when the committed one is stale.
 */
import { PactV4 } from '@pact-foundation/pact';
import { InklinkClient } from '../../src/client';
import { apiFailure } from '../../test/helpers/pact/api-failure';
import {
  DEFAULT_CREATE_BODY,
  EXAMPLES,
  PROVIDER_NAME,
  createEndpointInteraction,
  rotateSecretInteraction,
} from '../../src/pact';
import { expectCommittedPactCurrent, tempPactDir } from '../../test/helpers/pact/pact-files';

export const CONSUMER = 'inklink-example-client';
const dir = tempPactDir();
const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER_NAME, dir, logLevel: 'warn' });

const client = (url: string, apiKey: string | undefined = EXAMPLES.apiKey) =>
  new InklinkClient({ baseUrl: url, apiKey });

describe('rotate a signing secret (consumer)', () => {
  it('returns the new whsec_ secret to an admin key', async () => {
    await rotateSecretInteraction(pact, { case: 'rotated' }).executeTest(async (server) => {
      const rotated = await client(server.url).rotateSecret(EXAMPLES.endpointId);
      expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    });
  });

  it('returns the new secret to an owner key (a test that reads only the secret)', async () => {
    await rotateSecretInteraction(pact, { case: 'rotated', role: 'owner', fields: ['secret'] }).executeTest(
      async (server) => {
        const rotated = await client(server.url).rotateSecret(EXAMPLES.endpointId);
        expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      },
    );
  });

  it('raises UNAUTHORIZED (401) for an api key InkLink does not know (any key matches the pact)', async () => {
    await rotateSecretInteraction(pact, { case: 'unknown-api-key' }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url, 'secret_live_RevokedLongAgo').rotateSecret(EXAMPLES.endpointId));
      expect(e).toMatchObject({ status: 401, code: 'UNAUTHORIZED', requestId: EXAMPLES.requestId });
    });
  });

  it('raises UNAUTHORIZED (401) without an api key', async () => {
    await rotateSecretInteraction(pact, { case: 'missing-api-key' }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url, undefined).rotateSecret(EXAMPLES.endpointId));
      expect(e).toMatchObject({ status: 401, code: 'UNAUTHORIZED', requestId: EXAMPLES.requestId });
      expect(e.message).not.toBe('');
      expect(e.retryable).toBe(false);
    });
  });

  it('raises INTERNAL_ERROR (500) for a member key', async () => {
    await rotateSecretInteraction(pact, { case: 'member-key' }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url).rotateSecret(EXAMPLES.endpointId));
      expect(e).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: EXAMPLES.requestId });
    });
  });

  it('raises INTERNAL_ERROR (500) for an unknown endpoint', async () => {
    await rotateSecretInteraction(pact, { case: 'unknown-endpoint' }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url).rotateSecret(EXAMPLES.unknownEndpointId));
      expect(e).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: EXAMPLES.requestId });
    });
  });

  it("raises INTERNAL_ERROR (500) for another organization's endpoint", async () => {
    await rotateSecretInteraction(pact, { case: 'foreign-endpoint' }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url).rotateSecret(EXAMPLES.endpointId));
      expect(e).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: EXAMPLES.requestId });
    });
  });
});

describe('create a webhook endpoint (consumer)', () => {
  it('returns the endpoint and its secret to an admin key', async () => {
    await createEndpointInteraction(pact, { case: 'created' }).executeTest(async (server) => {
      const created = await client(server.url).createEndpoint(DEFAULT_CREATE_BODY);
      expect(created.id).toMatch(/^wh_end_/);
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      expect(created).toMatchObject({ url: DEFAULT_CREATE_BODY.url, name: DEFAULT_CREATE_BODY.name, enabled: true });
      expect(Number.isNaN(Date.parse(created.created_at))).toBe(false);
    });
  });

  it('raises INTERNAL_ERROR (500) for a member key (a test that reads only the code)', async () => {
    await createEndpointInteraction(pact, { case: 'member-key', fields: ['code'] }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url).createEndpoint(DEFAULT_CREATE_BODY));
      expect(e).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    });
  });

  it('raises VALIDATION_ERROR (400) with details for an invalid url', async () => {
    await createEndpointInteraction(pact, { case: 'invalid-body' }).executeTest(async (server) => {
      const e = await apiFailure(client(server.url).createEndpoint({ url: 'not a url' }));
      expect(e).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', requestId: EXAMPLES.requestId });
      expect(e.details).toEqual([{ field: 'url', message: expect.any(String) }]);
    });
  });
});

describe('the committed pact', () => {
  it('is what these tests generate', () => {
    expectCommittedPactCurrent(dir, CONSUMER, PROVIDER_NAME);
  });
});
