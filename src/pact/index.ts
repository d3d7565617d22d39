/** Pact contracts for InkLink: interactions for client teams, provider states, verification, pact-check. */
export {
  PROVIDER_NAME,
  PATTERNS,
  EXAMPLES,
  DEFAULT_CREATE_BODY,
  rotateSecretInteraction,
  settled,
  createEndpointInteraction,
  webhookDeliveryInteraction,
  signedDelivery,
  type RotateCase,
  type RotateSecretInteractionOptions,
  type CreateCase,
  type CreateEndpointInteractionOptions,
  type WebhookDeliveryInteractionOptions,
} from './interactions';
export { STATE, PROVIDER_STATES, given, isKnownState, type ProviderStateSpec, type GivenState, type StateName } from './states';
export {
  createProviderStates,
  detectStateMode,
  deliveryMetadata,
  DEFAULT_ENDPOINT_URL,
  type StateMode,
  type ProviderStatesConfig,
  type ProviderStatesRuntime,
  type StateError,
} from './provider-states';
export {
  verifyPacts,
  toVerifierOptions,
  parseConsumerVersionSelectors,
  parseVerifierResults,
  PactVerifyConfigError,
  DEFAULT_CONSUMER_VERSION_SELECTORS,
  type PactVerifyOptions,
  type BrokerOptions,
  type MappedVerifierOptions,
  type ConsumerVersionSelector,
  type VerificationReport,
  type VerificationFailure,
  type InteractionResult,
} from './verify';
export {
  checkPact,
  checkPactFile,
  expandPactPaths,
  formatCheckResults,
  formatMismatch,
  PactFileError,
  type PactCheckResult,
  type PactMismatch,
} from './check';
