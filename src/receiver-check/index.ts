/**
 * check-receiver as a library: the battery and the rotation drill against a team's webhook
 * receiver, in-process (`checkReceiver`) or over HTTP (`runReceiverCheck(httpTransport(url), …)`),
 * and the report's formats. The package's `verify` entry point re-exports this module.
 */
export { checkReceiver, handlerTransport, type ReceiverHandler } from './library';
export { runReceiverCheck, receiverCheckOptionsProblem, RECEIVER_CHECKS, type ReceiverCheckOptions } from './engine';
export { DEFAULT_DRILL_TIMEOUT_MS, type DrillOptions } from './drill';
export { httpTransport, updateSecretByUrl, updateSecretByCommand } from './http';
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
