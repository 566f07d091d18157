/** The URL Retell posts `call_inbound` to for a routed number (see InboundAnswerController). */
export const INBOUND_WEBHOOK_PATH = '/webhooks/retell/inbound';

export function inboundWebhookUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl}${INBOUND_WEBHOOK_PATH}`;
}
