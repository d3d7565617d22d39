/** response_headers_conformance: every declared response header is present and valid. A review. */
import { conformanceCheck } from '../judge/conformance';

export const responseHeadersConformance = conformanceCheck({
  name: 'response_headers_conformance',
  description: 'Every declared header (x-request-id, a UUID) is present and valid.',
  covers: [
    {
      quote: 'Every response carries `x-request-id` (a UUID)',
      source: 'README',
      variant: 'x-request-id-missing-on-success',
    },
  ],
});
