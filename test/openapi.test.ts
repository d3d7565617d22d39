/** openapi.json: valid OpenAPI 3.0, the rotate operation exactly as the seed document gives it. */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import openapi from '../openapi.json';
import controlDocument from '../mock/control-api.json';
import { nodeRequire } from '../core/node-require';

// swagger-parser 13 requires an ES-module-only json-schema-ref-parser, which Jest's registry cannot
// load on Node 20 and 22: Node's own loader does.
const SwaggerParser = nodeRequire(
  __filename,
  '@apidevtools/swagger-parser',
) as typeof import('@apidevtools/swagger-parser');

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

// The seed document, vendored verbatim from ../shared/seed (CI has only this repository).
const seedText = fs.readFileSync(path.join(__dirname, 'fixtures/rotate-webhook-signing-secret.md'), 'utf8');
const seed = yaml.load(/````yaml[^\n]*\n([\s\S]*?)````/.exec(seedText)![1]) as any;

describe('openapi.json', () => {
  it('is valid OpenAPI 3.0 for a maintained parser', async () => {
    const api = (await SwaggerParser.validate(clone(openapi) as any)) as any;
    expect(api.openapi).toBe('3.0.3');
  });

  it('rejects a broken copy (the parser really validates)', async () => {
    const broken = clone(openapi) as any;
    broken.paths['/webhook/endpoints/{id}/rotate-secret'].post.responses['200'].content[
      'application/json'
    ].schema.$ref = '#/components/schemas/nope';
    await expect(SwaggerParser.validate(broken)).rejects.toThrow();
  });

  it('has the seed’s info, servers, security and tags', () => {
    expect(openapi.openapi).toBe(seed.openapi);
    expect(openapi.info).toEqual(seed.info);
    expect(openapi.servers).toEqual(seed.servers);
    expect(openapi.security).toEqual(seed.security);
    expect(openapi.tags).toEqual(seed.tags);
  });

  it('has the rotate operation exactly as the seed gives it, plus only the envelope and x-request-id', () => {
    const ours = clone((openapi.paths as any)['/webhook/endpoints/{id}/rotate-secret'].post);
    const theirs = seed.paths['/webhook/endpoints/{id}/rotate-secret'].post;
    for (const status of Object.keys(ours.responses)) {
      expect(ours.responses[status].headers).toEqual({ 'x-request-id': { $ref: '#/components/headers/x-request-id' } });
      delete ours.responses[status].headers;
    }
    for (const status of ['401', '500']) {
      expect(ours.responses[status].content).toEqual({
        'application/json': { schema: { $ref: '#/components/schemas/error' } },
      });
      delete ours.responses[status].content;
    }
    expect(ours).toEqual(theirs);
    expect(openapi.components.schemas.webhookRotateSecretResponse).toEqual(
      seed.components.schemas.webhookRotateSecretResponse,
    );
  });

  it('declares create with every documented field, and the envelope on 400, 401 and 500', () => {
    const create = (openapi.paths as any)['/webhook/endpoints'].post;
    expect(create.operationId).toBe('createWebhookEndpoint');
    expect(create.parameters).toEqual([expect.objectContaining({ name: 'api-key', in: 'header', required: true })]);
    const req = openapi.components.schemas.webhookEndpointCreateRequest;
    expect(req.required).toEqual(['url']);
    expect(req.properties.url.format).toBe('uri');
    expect(req.properties.name.maxLength).toBe(120);
    expect(req.properties.event_types.minItems).toBe(1);
    expect(Object.keys(create.responses).sort()).toEqual(['200', '400', '401', '500']);
    for (const s of ['400', '401', '500'])
      expect(create.responses[s].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/error' });
    expect(openapi.components.schemas.webhookEventType.enum).toHaveLength(10);
  });

  it('has no mock-only route and no invented operation', () => {
    expect(Object.keys(openapi.paths).sort()).toEqual(['/webhook/endpoints', '/webhook/endpoints/{id}/rotate-secret']);
    expect(JSON.stringify(openapi)).not.toContain('__mock');
    for (const item of Object.values(openapi.paths)) expect(Object.keys(item)).toEqual(['post']);
  });
});

describe('mock/control-api.json', () => {
  it('names the same event types as openapi.json', () => {
    expect(controlDocument.components.schemas.eventType.enum).toEqual(openapi.components.schemas.webhookEventType.enum);
  });

  it('is valid OpenAPI 3.0 and lives under /__mock only', async () => {
    await SwaggerParser.validate(clone(controlDocument) as any);
    for (const p of Object.keys(controlDocument.paths)) expect(p === '/__mock' || p.startsWith('/__mock/')).toBe(true);
  });
});
