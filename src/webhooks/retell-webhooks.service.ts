import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import Retell from 'retell-sdk';
import { Agent } from '../agents/agent.entity.js';
import { CallsService } from '../calls/calls.service.js';
import type { RetellCallData } from '../calls/call-merge.js';
import { ApiException } from '../common/errors/app-exceptions.js';
import { RetellConnection } from '../retell/retell-client.provider.js';
import type { WebhookEventOutcome } from './webhook-event.entity.js';

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
    private readonly em: EntityManager,
    private readonly connection: RetellConnection,
    private readonly calls: CallsService,
  ) {}

  /** Retell's scheme: HMAC-SHA256 over the raw body + timestamp, keyed with the API key; at most 5 minutes old. */
  async verify(rawBody: Buffer | undefined, signature: string | undefined): Promise<void> {
    const valid =
      rawBody !== undefined &&
      typeof signature === 'string' &&
      signature.length <= 200 &&
      (await Retell.verify(rawBody.toString('utf8'), this.connection.apiKey, signature).catch(() => false));
    if (!valid) throw new ApiException(401, 'Missing or invalid x-retell-signature');
  }

  /**
   * Stores the event and applies it to its call in one transaction: a failure rolls both back and the 5xx makes
   * Retell retry; a duplicate is recognised by its dedupe key and changes nothing.
   */
  async ingest(body: unknown, rawBody: Buffer): Promise<WebhookEventOutcome | 'duplicate'> {
    const payload = parse(body);
    const callId = payload.call?.call_id ?? null;
    const dedupeKey =
      callId && LIFECYCLE.has(payload.event)
        ? `${callId}:${payload.event}`
        : `${callId ?? '-'}:${payload.event}:${createHash('sha256').update(rawBody).digest('hex')}`;

    return this.em.transactional(async (em) => {
      const inserted = await em.execute<{ id: number }[]>(
        `insert into retell_webhook_events (event, retell_call_id, dedupe_key, payload, outcome, received_at)
         values (?, ?, ?, ?, 'ignored', now()) on conflict (dedupe_key) do nothing returning id`,
        [payload.event, callId, dedupeKey, JSON.stringify(body)],
      );
      if (inserted.length === 0) return 'duplicate';
      const outcome = await this.apply(em, payload);
      if (outcome !== 'ignored') await em.execute('update retell_webhook_events set outcome = ? where id = ?', [outcome, inserted[0].id]);
      return outcome;
    });
  }

  private async apply(em: EntityManager, payload: WebhookPayload): Promise<WebhookEventOutcome> {
    const call = payload.call;
    if (!call || !LIFECYCLE.has(payload.event)) return 'ignored';
    // The agent decides the tenant: Retell's agent id is unique to one of our agents.
    const agent = call.agent_id ? await em.findOne(Agent, { retellAgentId: call.agent_id }) : null;
    if (!agent) {
      this.logger.warn({ msg: 'webhook for an agent we do not know; kept, not applied', event: payload.event, retellCallId: call.call_id });
      return 'unknown_agent';
    }
    await this.calls.record(agent, call, payload.event);
    return 'applied';
  }
}

/** Retell's payloads are untrusted input too: the shape is checked before anything is stored. */
function parse(body: unknown): WebhookPayload {
  const invalid = (why: string) => new ApiException(400, `Malformed webhook payload: ${why}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not a JSON object');
  const { event, call } = body as { event?: unknown; call?: unknown };
  if (typeof event !== 'string' || !/^[a-z_]{1,50}$/.test(event)) throw invalid('event');
  if (call === undefined) return { event };
  if (typeof call !== 'object' || call === null) throw invalid('call');
  const { call_id, agent_id } = call as { call_id?: unknown; agent_id?: unknown };
  if (typeof call_id !== 'string' || call_id.length === 0 || call_id.length > 100) throw invalid('call.call_id');
  if (agent_id !== undefined && typeof agent_id !== 'string') throw invalid('call.agent_id');
  return { event, call: call as RetellCallData };
}
