/** inklink-mock's public API. */
export { createMockServer, type MockServer } from '../mock/server';
export type { MockServerOptions } from '../mock/config';
export { getSpec, compileSpec, CompiledSpec, type Operation } from './core/spec';
export { createValidator, getValidator, type Validator, type Violation, type CheckName } from './core/validator';
export {
  generateSecret,
  secretProblem,
  fingerprint,
  sign,
  signedHeaders,
  verify,
  type VerifyResult,
} from './core/webhooks';
export { EVENT_TYPES, ROLES, type Role, type EventPayload } from './core/inklink';
export { createLogger, redact, type Logger, type LogLevel } from './core/log';
export * from './client';
// check-receiver: a webhook receiver against InkLink's delivery rules (also for the `verify` entry point).
export * from './receiver-check';
export {
  rotateSecretInteraction,
  createEndpointInteraction,
  webhookDeliveryInteraction,
  signedDelivery,
  settled as settledPactInteraction,
  PROVIDER_NAME as PACT_PROVIDER_NAME,
  EXAMPLES as PACT_EXAMPLES,
  PATTERNS as PACT_PATTERNS,
  STATE as PACT_STATES,
  PROVIDER_STATES,
  verifyPacts,
  toVerifierOptions,
  checkPact,
  checkPactFile,
  type PactVerifyOptions,
  type VerificationReport,
  type RotateCase,
  type RotateField,
  type CreateCase,
  type CreateField,
  type ErrorField,
  type WebhookField,
  type PactCheckResult,
  type PactMismatch,
} from './pact';
export {
  startValidatingProxy,
  VIOLATIONS_HEADER as PROXY_VIOLATIONS_HEADER,
  type ValidatingProxy,
  type ValidatingProxyOptions,
  type ProxyReport,
  type ProxyFinding,
  type ProxyViolation,
  type ProxyRule,
} from './proxy';
// Provider states for verifying pacts: the runtime Pact's Verifier is given, and the backend interface.
export * from './pact/provider-states';
