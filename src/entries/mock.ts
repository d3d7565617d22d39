/// <reference types="node" preserve="true" />
/**
 * `inklink-mock/mock`: the stateful mock as a library (`createMockServer`), for a test suite that
 * starts it in-process, and its logger.
 */
export { createMockServer, type MockServer, type MockRequestHandler, type StateSource } from '../../mock/server';
export type { MockServerOptions } from '../../mock/config';
export type {
  DeliveryRecord,
  AttemptRecord,
  DeliveryState,
  EmitInput,
  EmitResult,
  JournalFilter,
} from '../../mock/domain/deliveries';
export type { SeededOrganization } from '../../mock/domain/seed';
export {
  createLogger,
  redact,
  LOG_LEVELS,
  LOG_FORMATS,
  type Logger,
  type LogLevel,
  type LogFormat,
  type LogSink,
} from '../../core/log';
