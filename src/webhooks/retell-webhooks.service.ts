import { Injectable, Logger } from '@nestjs/common';
import { callValues, cleanJson, type RetellCallData } from '../calls/call-merge.js';
import { CallRepository, type MergeOutcome } from '../calls/call.repository.js';
import { sha256Hex } from '../common/crypto/sha256.js';
import { ApiException } from '../common/errors/app-exceptions.js';
import { RetellGateway } from '../retell/retell.gateway.js';

/** Events that happen once per call: a second copy is a duplicate (Retell staff: dedupe on call_id + event). */
const LIFECYCLE = new Set(['call_started', 'call_ended', 'call_analyzed']);

interface WebhookPayload {
  event: string;
  call?: RetellCallData;
}

@Injectable()
export class RetellWebhooksService {
  private readonly logger = new Logger('RetellWebhooks');

  constructor(
    private readonly calls: CallRepository,
    private readonly gateway: RetellGateway,
  ) {}

  async verify(rawBody: Buffer | undefined, signature: string | undefined): Promise<void> {
    const valid =
      rawBody !== undefined &&
      typeof signature === 'string' &&
      signature.length <= 200 &&
      (await this.gateway.verifyWebhook(rawBody.toString('utf8'), signature));
    if (!valid) throw new ApiException(401, 'Missing or invalid x-retell-signature');
  }

  /**
   * Stores the event and applies it to its call in one statement (`CallRepository.merge`). Retell's content is stored
   * as well as it can be — strings PostgreSQL cannot hold are cleaned, values our columns cannot hold are dropped,
   * both recorded on the event with the exact bytes received — and answered 2xx: a 5xx would only make Retell send
   * the same bytes again. Only a payload that is not a call event at all is a 400.
   */
  async ingest(body: unknown, rawBody: Buffer): Promise<MergeOutcome> {
    const anomalies: string[] = [];
    const cleaned = cleanJson(body, '$', anomalies);
    const payload = parse(cleaned);
    const call = payload.call;
    const lifecycle = call !== undefined && LIFECYCLE.has(payload.event);
    const dedupeKey = lifecycle
      ? `${call.call_id}:${payload.event}`
      : `${payload.event}:${sha256Hex(rawBody)}`;
    const values = callValues(call ?? { call_id: '' }, payload.event, anomalies);
    const outcome = await this.calls.mergeFromRetell({
      retellAgentId: typeof call?.agent_id === 'string' ? call.agent_id : null,
      // Calls we did not create (inbound ones) get the variables Retell ran them with, e.g. the caller's contact as
      // our inbound routing answered it; set once, so a created call keeps the ones it was placed with.
      dynamicVariables: stringRecord((call as { retell_llm_dynamic_variables?: unknown } | undefined)?.retell_llm_dynamic_variables),
      values: { ...values, retell_call_id: call?.call_id ?? (null as unknown as string) },
      event: {
        event: payload.event,
        dedupeKey,
        lifecycle,
        payload: cleaned,
        rawBodyHex: anomalies.length > 0 ? rawBody.toString('hex') : null,
        anomalies,
      },
    });
    if (outcome === 'unknown_agent' || outcome === 'agent_mismatch') {
      this.logger.warn({ msg: `webhook not applied: ${outcome}`, event: payload.event, retellCallId: call?.call_id });
    }
    if (anomalies.length > 0) this.logger.warn({ msg: 'webhook content cleaned to be stored', event: payload.event, retellCallId: call?.call_id, anomalies: anomalies.slice(0, 20) });
    return outcome;
  }
}

/** Retell's dynamic variables are strings; anything else is left out rather than stored. */
function stringRecord(value: unknown): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > 100 || !entries.every(([key, item]) => key.length <= 100 && typeof item === 'string' && item.length <= 10_000)) return null;
  return value as Record<string, string>;
}

/** Retell's payloads are untrusted input too: the shape is checked before anything is stored. */
function parse(body: unknown): WebhookPayload {
  const invalid = (why: string) => new ApiException(400, `Malformed webhook payload: ${why}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not a JSON object');
  const { event, call } = body as { event?: unknown; call?: unknown };
  if (typeof event !== 'string' || !/^[a-z_]{1,50}$/.test(event)) throw invalid('event');
  if (call === undefined) return { event };
  if (typeof call !== 'object' || call === null || Array.isArray(call)) throw invalid('call');
  const { call_id } = call as { call_id?: unknown };
  if (typeof call_id !== 'string' || call_id.length === 0 || call_id.length > 100) throw invalid('call.call_id');
  return { event, call: call as RetellCallData };
}
