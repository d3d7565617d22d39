/** What the ready-made interactions put in a pact, read from the committed pacts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import {
  DEFAULT_CREATE_BODY,
  EXAMPLES,
  PATTERNS,
  STATE,
  createEndpointInteraction,
  isKnownState,
  rotateSecretInteraction,
  webhookDeliveryInteraction,
} from '../../src/pact';
import { handMadePact } from '../helpers/pact/hand-made';

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

  it('send an api-key exactly when a state names the key (its role, or that it is unknown), matched by type', () => {
    for (const i of http.interactions) {
      const hasKey = Object.keys(i.request.headers ?? {}).some((h) => h.toLowerCase() === 'api-key');
      const namesKey = i.providerStates.some(
        (s: any) => s.name === STATE.apiKeyHasRole || s.name === STATE.apiKeyUnknown,
      );
      expect([i.description, hasKey]).toEqual([i.description, namesKey]);
      if (hasKey)
        expect([i.description, i.request.matchingRules.header['api-key'].matchers]).toEqual([
          i.description,
          [{ match: 'type' }],
        ]);
    }
  });

  it("cover the owner role, an unknown key and another organization's endpoint beside the other cases", () => {
    const states = http.interactions.map((i: any) =>
      i.providerStates.map((s: any) => `${s.name} ${JSON.stringify(s.params ?? {})}`).join(' & '),
    );
    expect(states).toEqual(
      expect.arrayContaining([
        expect.stringContaining('the api key has role {"role":"owner"}'),
        expect.stringContaining(STATE.apiKeyUnknown),
        expect.stringContaining(STATE.foreignEndpointExists),
      ]),
    );
  });

  it('match every secret with the whsec_ regex, never a literal', () => {
    const withSecret = http.interactions.filter((i: any) => i.response.status === 200);
    expect(withSecret).toHaveLength(3);
    for (const i of withSecret) {
      expect(i.response.matchingRules.body['$.secret'].matchers).toEqual([{ match: 'regex', regex: PATTERNS.secret }]);
      expect(i.response.body.content.secret).toMatch(new RegExp(PATTERNS.secret));
    }
  });

  it("take every rotate path's endpoint id from the provider state (unknown ids too: one no endpoint has)", () => {
    const rotates = http.interactions.filter((i: any) => i.request.path.endsWith('/rotate-secret'));
    expect(rotates.length).toBeGreaterThan(5);
    for (const i of rotates)
      expect(i.request.generators.path).toEqual({
        type: 'ProviderState',
        expression: '/webhook/endpoints/${endpoint_id}/rotate-secret',
      });
  });

  it('state only the fields a test reads, each with its standard matcher', () => {
    const owner = http.interactions.find((i: any) => i.description.endsWith('with an owner key'));
    expect(owner.response.body.content).toEqual({ secret: expect.any(String) });
    const memberCreate = http.interactions.find(
      (i: any) => i.description === 'a request to create a webhook endpoint with a member key',
    );
    expect(memberCreate.response.body.content).toEqual({ error: { code: 'INTERNAL_ERROR' } });
    const admin = http.interactions.find(
      (i: any) => i.description === 'a request to create a webhook endpoint with an admin key',
    );
    expect(Object.keys(admin.response.body.content).sort()).toEqual([
      'created_at',
      'enabled',
      'event_types',
      'id',
      'name',
      'secret',
      'url',
    ]);
  });

  it('state the webhook payload and the delivery headers as message metadata', () => {
    expect(messages.interactions).toHaveLength(2);
    for (const m of messages.interactions) {
      expect(m.type).toBe('Asynchronous/Messages');
      expect(Object.keys(m.metadata).sort()).toEqual([
        'contentType',
        'webhook-id',
        'webhook-signature',
        'webhook-timestamp',
      ]);
      expect(Object.keys(m.matchingRules.metadata).sort()).toEqual([
        'webhook-id',
        'webhook-signature',
        'webhook-timestamp',
      ]);
      expect(Object.keys(m.contents.content).sort()).toEqual(['data', 'timestamp', 'type']);
      expect(m.providerStates).toEqual([
        { name: STATE.endpointReceivesDeliveries, params: { type: m.contents.content.type } },
      ]);
    }
  });
});

describe('fields: only what the consumer reads', () => {
  /** The interaction a builder writes, read back from the pact file Pact writes. */
  async function written(
    build: (pact: PactV4) => { executeTest: (fn: (x: any) => Promise<unknown>) => Promise<unknown> },
    run: (x: any) => Promise<unknown>,
  ) {
    const file = await handMadePact(`fields-${++n}`, async (pact) => {
      await build(pact).executeTest(run);
    });
    const pact = JSON.parse(fs.readFileSync(file, 'utf8'));
    return pact.interactions[0];
  }
  let n = 0;
  const rotate = (url: string) =>
    fetch(`${url}/webhook/endpoints/${EXAMPLES.endpointId}/rotate-secret`, {
      method: 'POST',
      headers: { 'api-key': 'any-key-at-all' },
    });

  it('a refusal with only code and requestId; the header matches any key', async () => {
    const i = await written(
      (pact) => rotateSecretInteraction(pact, { case: 'foreign-endpoint', fields: ['code', 'requestId'] }),
      ({ url }) => rotate(url),
    );
    expect(i.response.body.content).toEqual({ error: { code: 'INTERNAL_ERROR', requestId: EXAMPLES.requestId } });
    expect(i.response.matchingRules.body).toEqual({
      '$.error.requestId': { combine: 'AND', matchers: [{ match: 'regex', regex: PATTERNS.uuid }] },
    });
  });

  it('a create answer with only id and secret, each with its regex', async () => {
    const i = await written(
      (pact) => createEndpointInteraction(pact, { fields: ['id', 'secret'] }),
      ({ url }) =>
        fetch(`${url}/webhook/endpoints`, {
          method: 'POST',
          headers: { 'api-key': 'k', 'content-type': 'application/json' },
          body: JSON.stringify(DEFAULT_CREATE_BODY),
        }),
    );
    expect(Object.keys(i.response.body.content)).toEqual(['id', 'secret']);
    expect(i.response.matchingRules.body['$.secret'].matchers).toEqual([{ match: 'regex', regex: PATTERNS.secret }]);
    expect(i.response.matchingRules.body['$.id'].matchers).toEqual([{ match: 'regex', regex: PATTERNS.endpointId }]);
  });

  it('no fields: the answer states no body at all', async () => {
    const i = await written(
      (pact) => rotateSecretInteraction(pact, { fields: [] }),
      ({ url }) => rotate(url),
    );
    expect(i.response.body).toBeUndefined();
    expect(i.response.status).toBe(200);
  });

  it('a webhook payload with only data.inquiry_id', async () => {
    const file = await handMadePact('fields-webhook', async (pact) => {
      await webhookDeliveryInteraction(pact, { type: 'web.result.approved', fields: ['data.inquiry_id'] }).executeTest(
        async () => undefined,
      );
    });
    const m = JSON.parse(fs.readFileSync(file, 'utf8')).interactions[0];
    expect(m.contents.content).toEqual({ data: { inquiry_id: 'web_iq_PactExampleInquiry01' } });
  });

  it('a field the answer does not have is an error naming the fields it has', () => {
    const pact = new PactV4({ consumer: 'x', provider: 'inklink', dir: os.tmpdir() });
    expect(() => rotateSecretInteraction(pact, { fields: ['rotated_at' as any] })).toThrow(
      'the rotate answer: no field "rotated_at"; the fields are secret',
    );
    expect(() => rotateSecretInteraction(pact, { case: 'member-key', fields: ['details'] })).toThrow(
      'the member-key refusal: no field "details"; the fields are code, message, requestId',
    );
  });
});
