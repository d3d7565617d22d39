/** The typed client for InkLink's webhook-endpoint API and the receiving side of its webhooks. */
export {
  InklinkClient,
  type InklinkClientOptions,
  type CreateWebhookEndpointInput,
  type CreatedWebhookEndpoint,
  type WebhookEndpoint,
  type RotatedSecret,
  type WebhookEventType,
} from './client';
export { InklinkApiError, errorFromResponse, type InklinkErrorDetail } from './errors';
export {
  receiveWebhook,
  parseWebhookPayload,
  WebhookVerificationError,
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookRejection,
  type ReceiveOptions,
} from './webhooks';
