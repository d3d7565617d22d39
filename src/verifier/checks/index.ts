/**
 * verify's checks, in report order: the probes and the delivery checks (run side by side), then
 * the reviews of everything the run provoked. Each check is the file of its name in this folder.
 */
import type { Check } from '../check';
import { authRequired } from './auth_required';
import { contentTypeConformance } from './content_type_conformance';
import { createdEndpoint } from './created_endpoint';
import { createValidation } from './create_validation';
import { deliveryConformance } from './delivery_conformance';
import { deliverySignature } from './delivery_signature';
import { disabledEndpoint } from './disabled_endpoint';
import { errorEnvelope } from './error_envelope';
import { failedAttemptsRetried } from './failed_attempts_retried';
import { generatedRequests } from './generated_requests';
import { immediateInvalidation } from './immediate_invalidation';
import { keysNeverEchoed } from './keys_never_echoed';
import { notFoundIndistinguishable } from './not_found_indistinguishable';
import { oneTimeSecret } from './one_time_secret';
import { privilegedRoles } from './privileged_roles';
import { refusalOrder } from './refusal_order';
import { requestIdUnique } from './request_id_unique';
import { responseHeadersConformance } from './response_headers_conformance';
import { responseSchemaConformance } from './response_schema_conformance';
import { retryAfterRotation } from './retry_after_rotation';
import { roleEnforced } from './role_enforced';
import { rotationScoped } from './rotation_scoped';
import { statusCodeConformance } from './status_code_conformance';
import { subscriptions } from './subscriptions';
import { unknownEndpoint } from './unknown_endpoint';

export const CHECKS: readonly Check[] = [
  authRequired,
  roleEnforced,
  privilegedRoles,
  unknownEndpoint,
  notFoundIndistinguishable,
  refusalOrder,
  createValidation,
  generatedRequests,
  deliverySignature,
  immediateInvalidation,
  rotationScoped,
  retryAfterRotation,
  failedAttemptsRetried,
  disabledEndpoint,
  subscriptions,
  deliveryConformance,
  createdEndpoint,
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  responseHeadersConformance,
  errorEnvelope,
  requestIdUnique,
  keysNeverEchoed,
  oneTimeSecret,
];
