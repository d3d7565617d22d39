/** Pacts written for one test (in a temporary directory), with Pact's own consumer DSL. */
import fs from 'node:fs';
import path from 'node:path';
import { MatchersV3 as M, PactV4 } from '@pact-foundation/pact';
import { EXAMPLES, PROVIDER_NAME, STATE, settled } from '../../../src/pact';
import { tempPactDir } from './pact-files';

/** Runs `define` against a fresh PactV4 and returns the pact file it wrote. */
export async function handMadePact(consumer: string, define: (pact: PactV4) => Promise<void>): Promise<string> {
  const dir = tempPactDir();
  const pact = new PactV4({ consumer, provider: PROVIDER_NAME, dir, logLevel: 'error' });
  await define(pact);
  const file = path.join(dir, `${consumer}-${PROVIDER_NAME}.json`);
  if (!fs.existsSync(file)) throw new Error(`no pact written for ${consumer}`);
  return file;
}

/**
 * A pact that wrongly expects a member key to rotate a secret (200 with a secret): InkLink, and a
 * correct mock, answer 500, so provider verification must fail on exactly this interaction.
 */
export function memberRotatesPact(consumer: string, description: string): Promise<string> {
  return handMadePact(consumer, async (pact) => {
    await settled(
      pact
        .addInteraction()
        .given(STATE.endpointExists, { endpoint_id: EXAMPLES.endpointId })
        .given(STATE.apiKeyHasRole, { role: 'member' })
        .uponReceiving(description)
        .withRequest(
          'POST',
          M.fromProviderState(
            '/webhook/endpoints/${endpoint_id}/rotate-secret',
            `/webhook/endpoints/${EXAMPLES.endpointId}/rotate-secret`,
          ) as any,
          (b) => b.headers({ 'api-key': EXAMPLES.apiKey }),
        )
        .willRespondWith(200, (b) => b.jsonBody({ secret: M.regex('^whsec_.+$', EXAMPLES.secret) })),
    ).executeTest(async (s) => {
      await fetch(`${s.url}/webhook/endpoints/${EXAMPLES.endpointId}/rotate-secret`, {
        method: 'POST',
        headers: { 'api-key': EXAMPLES.apiKey },
      });
    });
  });
}
