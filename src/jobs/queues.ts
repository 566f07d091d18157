/** Queue names, in one place: a job created under one name and worked under another would never run. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface WebhookDeliveryJob {
  deliveryId: number;
}
