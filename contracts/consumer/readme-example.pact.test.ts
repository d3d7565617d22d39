/**
 * The "client team's whole test" example of docs/pact.md, run as it is (test/pact/readme.test.ts
 * checks the page shows exactly the code between the markers), and then its pact verified against
 * the mock: a team's pact built with the ready-made interactions passes provider verification.
 */
import path from 'node:path';
import { verifyPacts } from '../../src';
import { startMock } from '../../test/helpers/mock';
import { tempPactDir } from '../../test/helpers/pact/pact-files';

const PACT_DIR = tempPactDir();

// docs/pact.md example: begin
import { PactV4 } from '@pact-foundation/pact';
import { InklinkClient, PACT_EXAMPLES, PACT_PROVIDER_NAME, rotateSecretInteraction } from '../../src';

const pact = new PactV4({ consumer: 'billing-service', provider: PACT_PROVIDER_NAME, dir: PACT_DIR });
const client = (url: string) => new InklinkClient({ baseUrl: url, apiKey: PACT_EXAMPLES.apiKey });
const endpointId = 'wh_end_billing';

describe('rotating our webhook signing secret', () => {
  it('gets the new secret', async () => {
    await rotateSecretInteraction(pact, { case: 'rotated', endpointId, fields: ['secret'] }).executeTest(async (s) => {
      const { secret } = await client(s.url).rotateSecret(endpointId);
      expect(secret).toMatch(/^whsec_/);
    });
  });

  it('reports a member key as INTERNAL_ERROR', async () => {
    await rotateSecretInteraction(pact, { case: 'member-key', endpointId }).executeTest(async (s) => {
      const refused = client(s.url).rotateSecret(endpointId);
      await expect(refused).rejects.toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    });
  });
});
// docs/pact.md example: end

describe("the team's pact", () => {
  it('passes provider verification against the mock', async () => {
    const m = await startMock();
    try {
      const report = await verifyPacts({
        providerBaseUrl: m.url,
        pacts: [path.join(PACT_DIR, `billing-service-${PACT_PROVIDER_NAME}.json`)],
      });
      expect(report.failures).toEqual([]);
      expect(report.stateErrors).toEqual([]);
      expect(report.interactions).toHaveLength(2);
      expect(report.ok).toBe(true);
    } finally {
      await m.close();
    }
  });
});
