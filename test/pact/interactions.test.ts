/** What the ready-made interactions put in a pact, read from the committed pacts. */
import fs from 'node:fs';
import path from 'node:path';
import { PATTERNS, STATE, isKnownState } from '../../src/pact';

const PACTS_DIR = path.join(__dirname, '../../contracts/pacts');
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(PACTS_DIR, name), 'utf8'));
const http = read('inklink-example-client-inklink.json');
const messages = read('inklink-example-webhook-receiver-inklink.json');
const all = [...http.interactions, ...messages.interactions];

describe('the ready-made interactions', () => {
  it('name only provider states of the vocabulary', () => {
    const names = all.flatMap((i: any) => (i.providerStates ?? []).map((s: any) => s.name));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n: string) => !isKnownState(n))).toEqual([]);
  });

  it('send an api-key exactly when a state names its role', () => {
    for (const i of http.interactions) {
      const hasKey = Object.keys(i.request.headers ?? {}).some((h) => h.toLowerCase() === 'api-key');
      const hasRole = i.providerStates.some((s: any) => s.name === STATE.apiKeyHasRole);
      expect([i.description, hasKey]).toEqual([i.description, hasRole]);
    }
  });

  it('match every secret with the whsec_ regex, never a literal', () => {
    const withSecret = http.interactions.filter((i: any) => i.response.status === 200);
    expect(withSecret).toHaveLength(2);
    for (const i of withSecret) {
      expect(i.response.matchingRules.body['$.secret'].matchers).toEqual([{ match: 'regex', regex: PATTERNS.secret }]);
      expect(i.response.body.content.secret).toMatch(new RegExp(PATTERNS.secret));
    }
  });

  it('take the endpoint id of the rotate path from the provider state', () => {
    const rotated = http.interactions.find((i: any) => i.response.status === 200 && i.request.path.endsWith('/rotate-secret'));
    expect(rotated.request.generators.path).toEqual({ type: 'ProviderState', expression: '/webhook/endpoints/${endpoint_id}/rotate-secret' });
    const unknown = http.interactions.find((i: any) => i.providerStates.some((s: any) => s.name === STATE.noEndpoint));
    expect(unknown.request.generators).toBeUndefined();
  });

  it('state the webhook payload and the delivery headers as message metadata', () => {
    expect(messages.interactions).toHaveLength(2);
    for (const m of messages.interactions) {
      expect(m.type).toBe('Asynchronous/Messages');
      expect(Object.keys(m.metadata).sort()).toEqual(['contentType', 'webhook-id', 'webhook-signature', 'webhook-timestamp']);
      expect(Object.keys(m.matchingRules.metadata).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
      expect(Object.keys(m.contents.content).sort()).toEqual(['data', 'timestamp', 'type']);
    }
  });
});
