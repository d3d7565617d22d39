/**
 * check-receiver as a library: the battery and the rotation drill against a team's webhook
 * receiver, in-process (`checkReceiver`), and the report's formats. The package's `verify` entry
 * point re-exports this module. Over HTTP (`runReceiverCheck(httpTransport(url), …)`, what the CLI
 * runs) the transport is in ./http, which the root entry point exports: it loads undici.
 */
export { checkReceiver, handlerTransport, type ReceiverHandler } from './library';
export { runReceiverCheck, receiverCheckOptionsProblem, RECEIVER_CHECKS, type ReceiverCheckOptions } from './engine';
export { DEFAULT_DRILL_TIMEOUT_MS, type DrillOptions } from './drill';
export { formatReceiverTable, formatReceiverJUnit, formatReceiverJson } from './report';
// The generic names get a prefix: the package's root entry point exports them too.
export type {
  Answer as ReceiverAnswer,
  Delivery as ReceiverDelivery,
  DeliveryExchange,
  DrillMeasurement,
  Expectation as ReceiverExpectation,
  LatencySummary,
  ReceiverCheckResult,
  ReceiverEvidence,
  ReceiverReport,
  SecretUpdateOutcome,
  SecretUpdater,
  Transport as ReceiverTransport,
} from './types';
