/** inklink-mock's public API. */
export { createMockServer, type MockServer } from '../mock/server';
export type { MockServerOptions } from '../mock/config';
export { getSpec, compileSpec, CompiledSpec, type Operation } from './spec';
export { createValidator, getValidator, type Validator, type Violation, type CheckName } from './validator';
export {
  generateSecret,
  secretProblem,
  fingerprint,
  sign,
  signedHeaders,
  verify,
  type VerifyResult,
} from './webhooks';
export { EVENT_TYPES, ROLES, type Role, type EventPayload } from './inklink';
export { createLogger, redact, type Logger, type LogLevel } from './log';
