/** content_type_conformance: every response body has a content type its operation declares for its status. A review. */
import { conformanceCheck } from '../judge/conformance';

export const contentTypeConformance = conformanceCheck({
  name: 'content_type_conformance',
  description: 'Every response body has a content type the operation declares for its status.',
  covers: [{ quote: 'application/json', source: 'openapi.json', variant: 'success-as-text-plain' }],
});
