/** response_schema_conformance: every response body validates against its declared schema. A review. */
import { conformanceCheck } from '../judge/conformance';

export const responseSchemaConformance = conformanceCheck({
  name: 'response_schema_conformance',
  description: 'Every body validates against the declared schema (ajv, no coercion).',
  covers: [
    {
      quote:
        'The endpoint object is `{id, url, name, enabled, event_types, created_at}` (`name` nullable, `created_at` ' +
        'ISO 8601).',
      source: 'api §2.2',
      variant: 'create-answer-without-created-at',
    },
    {
      quote: '200 `{"secret": "whsec_…"}` (schema `webhookRotateSecretResponse`, `secret` required)',
      source: 'api §2.1',
      variant: 'secret-not-a-string',
    },
  ],
});
