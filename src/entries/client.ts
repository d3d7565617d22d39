/// <reference types="node" preserve="true" />
/**
 * `inklink-mock/client`: the typed client for InkLink's webhook-endpoint API and the receiving side
 * of its webhooks (`receiveWebhook`). It loads neither the mock nor Pact.
 */
export * from '../client';
