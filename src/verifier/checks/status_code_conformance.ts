/** status_code_conformance: every status of the run is one openapi.json declares for the operation. A review. */
import { conformanceCheck } from '../judge/conformance';

export const statusCodeConformance = conformanceCheck({
  name: 'status_code_conformance',
  description: 'Every status is one openapi.json declares for the operation.',
  covers: [
    { quote: 'the status table lists only **200** for success', source: 'api §1', variant: 'success-is-201' },
    {
      quote: 'success is **200** (the docs list no other success status)',
      source: 'api §2.2',
      variant: 'success-is-201',
    },
    { quote: 'No 403 exists.', source: 'api §1', variant: 'permission-denied-is-403' },
  ],
});
