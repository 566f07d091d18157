import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { ApiException } from '../common/errors/app-exceptions.js';
import { webhooksConfig } from '../config/jobs.config.js';
import { postWebhook } from '../webhook-endpoints/webhook-http.js';
import { WebhookSigner } from '../webhook-endpoints/webhook-signer.js';
import type { OfficeHours } from './inbound-routing.entity.js';
import { InboundRoutingRepository, type InboundAnswerRow } from './inbound-routing.repository.js';
import { isOpen } from './office-hours.js';

/** Retell's `call_inbound` request (NOTES §3.1; `call_id` per the OpenAPI description of `inbound_webhook_url`). */
export interface CallInbound {
  from_number: string;
  to_number: string;
  agent_id?: string;
  call_id?: string;
}

/** Our answer: an agent (and what it should know), or — no `override_agent_id` on a number with no inbound agent — a refusal. */
export interface CallInboundAnswer {
  call_inbound: {
    override_agent_id?: string;
    dynamic_variables?: Record<string, string>;
    metadata?: Record<string, unknown>;
  };
}

export type InboundReason = 'in_hours' | 'after_hours' | 'after_hours_reject' | 'blocked_contact' | 'unknown_number' | 'inactive' | 'tenant_agent' | 'tenant_reject';

export interface InboundDecision {
  answer: CallInboundAnswer;
  reason: InboundReason;
  /** How the tenant's system took part: not asked, answered (and obeyed), or failed (the rules answered). */
  tenant: 'none' | 'answered' | 'failed';
}

const MAX_VARIABLES = 50;
const MAX_VARIABLE_LENGTH = 1000;
const VARIABLE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const PHONE = /^\+?[0-9]{3,20}$/;

/** The tenant system's answer, validated; whatever does not fit is left out (and logged), never obeyed. */
interface TenantAnswer {
  agentId?: number;
  dynamicVariables?: Record<string, string>;
  reject?: boolean;
}

/**
 * Answers Retell's `call_inbound` for routed numbers: one SQL statement reads the number, its agents, its routing and
 * the caller's contact; the rules pick the agent for the hour in the routing's time zone; with a `webhookUrl`, the
 * tenant's system is asked first (no transaction or pooled connection is held meanwhile), within its timeout.
 */
@Injectable()
export class InboundAnswerService {
  private readonly logger = new Logger('InboundRouting');

  constructor(
    private readonly routings: InboundRoutingRepository,
    private readonly signer: WebhookSigner,
    private readonly clock: Clock,
    @Inject(webhooksConfig.KEY) private readonly webhooks: ConfigType<typeof webhooksConfig>,
  ) {}

  async answer(body: unknown): Promise<InboundDecision> {
    const inbound = parse(body);
    const row = await this.routings.findAnswer(inbound.to_number, inbound.from_number);
    if (!row) return { answer: refuse(), reason: 'unknown_number', tenant: 'none' };
    if (!row.number_active) return { answer: refuse(), reason: 'inactive', tenant: 'none' };
    const rules = this.rules(row);
    const variables = contactVariables(row);
    if (!row.webhook_url || !row.webhook_secret) return { answer: this.build(row, rules, variables), reason: rules.reason, tenant: 'none' };

    const tenant = await this.askTenant(row, inbound, rules);
    if (!tenant) return { answer: this.build(row, rules, variables), reason: rules.reason, tenant: 'failed' };
    const merged = { ...variables, ...tenant.dynamicVariables };
    if (tenant.reject) return { answer: refuse(), reason: 'tenant_reject', tenant: 'answered' };
    if (tenant.agentId !== undefined) {
      const retellAgentId = await this.routings.activeRetellAgentId(row.user_id, tenant.agentId);
      if (retellAgentId) {
        return { answer: this.build(row, { retellAgentId, agentId: tenant.agentId, reason: 'tenant_agent' }, merged), reason: 'tenant_agent', tenant: 'answered' };
      }
      this.logger.warn({ msg: 'tenant inbound webhook named an agent that is not one of its active agents: ignored', phoneNumberId: row.phone_number_id, agentId: tenant.agentId });
    }
    return { answer: this.build(row, rules, merged), reason: rules.reason, tenant: 'answered' };
  }

  /** The rules alone: blocked callers refused, the number's agent in office hours, the after-hours choice outside. */
  private rules(row: InboundAnswerRow): { retellAgentId?: string; agentId?: number; reason: InboundReason } {
    if (row.contact_id !== null && row.contact_blocked) return { reason: 'blocked_contact' };
    const inHours = !row.routed || isOpen((row.hours ?? []) as OfficeHours[], row.timezone!, this.clock.now());
    const own = row.agent_active ? { retellAgentId: row.agent_retell_id, agentId: row.agent_id } : undefined;
    if (inHours) return own ? { ...own, reason: 'in_hours' } : { reason: 'inactive' };
    if (row.after_hours_action === 'reject') return { reason: 'after_hours_reject' };
    // A deleted (or deactivated) after-hours agent leaves the number's own agent.
    if (row.after_hours_retell_id && row.after_hours_active) return { retellAgentId: row.after_hours_retell_id, agentId: row.after_hours_agent_id!, reason: 'after_hours' };
    return own ? { ...own, reason: 'after_hours' } : { reason: 'inactive' };
  }

  private build(row: InboundAnswerRow, decision: { retellAgentId?: string; agentId?: number; reason: InboundReason }, variables: Record<string, string>): CallInboundAnswer {
    if (!decision.retellAgentId) return refuse();
    return {
      call_inbound: {
        override_agent_id: decision.retellAgentId,
        ...(Object.keys(variables).length > 0 && { dynamic_variables: variables }),
        // Like our outbound calls' metadata (`app`), so the call's webhooks trace back to us; plus the routing's choice.
        metadata: {
          app: { user_id: row.user_id, agent_id: decision.agentId, phone_number_id: row.phone_number_id, contact_id: row.contact_id, routing: decision.reason },
        },
      },
    };
  }

  /** One signed POST to the tenant's system, within its timeout; undefined on any failure (the rules answer then). */
  private async askTenant(row: InboundAnswerRow, inbound: CallInbound, rules: { agentId?: number; reason: InboundReason }): Promise<TenantAnswer | undefined> {
    // Wall time, not the routing clock: receivers check the signature's timestamp against their own clock.
    const now = new Date();
    const body = JSON.stringify({
      type: 'call.inbound',
      createdAt: now.toISOString(),
      data: {
        phoneNumberId: row.phone_number_id,
        fromNumber: inbound.from_number,
        toNumber: inbound.to_number,
        retellCallId: inbound.call_id ?? null,
        contact: row.contact_id === null ? null : { id: row.contact_id, name: row.contact_name, dynamicVariables: row.contact_variables ?? {}, blocked: row.contact_blocked === true },
        rules: { decision: rules.agentId === undefined ? 'reject' : 'answer', agentId: rules.agentId ?? null, reason: rules.reason },
      },
    });
    // Retell's retries of one call carry the same call_id: the same message id lets the tenant deduplicate them.
    const messageId = `inbound_${inbound.call_id ?? randomUUID()}`;
    let outcome;
    try {
      const headers = this.signer.headers([row.webhook_secret!], messageId, now, body);
      outcome = await postWebhook(row.webhook_url!, headers, body, { timeoutMs: row.webhook_timeout_ms ?? 1500, allowPrivate: this.webhooks.allowPrivate, readBody: true });
    } catch (error) {
      this.logger.warn({ msg: 'tenant inbound webhook could not be signed or sent; the rules answer', phoneNumberId: row.phone_number_id, error: (error as Error).message });
      return undefined;
    }
    if (!outcome.ok) {
      this.logger.warn({ msg: 'tenant inbound webhook failed; the rules answer', phoneNumberId: row.phone_number_id, error: outcome.error, durationMs: outcome.durationMs });
      return undefined;
    }
    return this.tenantAnswer(outcome.body ?? '', row.phone_number_id);
  }

  private tenantAnswer(text: string, phoneNumberId: number): TenantAnswer {
    if (text.trim() === '') return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.logger.warn({ msg: 'tenant inbound webhook answered with something that is not JSON: ignored', phoneNumberId });
      return {};
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const { agentId, dynamicVariables, reject } = value as Record<string, unknown>;
    const answer: TenantAnswer = {};
    const ignored: string[] = [];
    if (reject !== undefined) {
      if (typeof reject === 'boolean') answer.reject = reject;
      else ignored.push('reject');
    }
    if (agentId !== undefined && agentId !== null) {
      if (Number.isSafeInteger(agentId) && (agentId as number) > 0 && (agentId as number) <= 2_147_483_647) answer.agentId = agentId as number;
      else ignored.push('agentId');
    }
    if (dynamicVariables !== undefined && dynamicVariables !== null) {
      if (isVariables(dynamicVariables)) answer.dynamicVariables = dynamicVariables;
      else ignored.push('dynamicVariables');
    }
    if (ignored.length > 0) this.logger.warn({ msg: 'tenant inbound webhook answer had invalid fields: ignored', phoneNumberId, ignored });
    return answer;
  }
}

function refuse(): CallInboundAnswer {
  return { call_inbound: {} };
}

/** The contact's own variables, and its name as `contact_name` (its `dynamicVariables` may use other keys freely). */
function contactVariables(row: InboundAnswerRow): Record<string, string> {
  if (row.contact_id === null) return {};
  return { ...(row.contact_variables ?? {}), ...(row.contact_name ? { contact_name: row.contact_name } : {}) };
}

function isVariables(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length <= MAX_VARIABLES && entries.every(([key, item]) => VARIABLE_KEY.test(key) && typeof item === 'string' && item.length <= MAX_VARIABLE_LENGTH && !item.includes('\u0000'));
}

/** Retell's payload is untrusted input too: its shape is checked before anything is looked up. */
function parse(body: unknown): CallInbound {
  const invalid = (why: string) => new ApiException(400, `Malformed call_inbound payload: ${why}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not a JSON object');
  const { event, call_inbound } = body as { event?: unknown; call_inbound?: unknown };
  if (event !== 'call_inbound') throw invalid('event must be call_inbound');
  if (typeof call_inbound !== 'object' || call_inbound === null || Array.isArray(call_inbound)) throw invalid('call_inbound');
  const { from_number, to_number, agent_id, call_id } = call_inbound as Record<string, unknown>;
  if (typeof from_number !== 'string' || !PHONE.test(from_number)) throw invalid('call_inbound.from_number');
  if (typeof to_number !== 'string' || !PHONE.test(to_number)) throw invalid('call_inbound.to_number');
  if (call_id !== undefined && (typeof call_id !== 'string' || call_id.length > 100)) throw invalid('call_inbound.call_id');
  return { from_number, to_number, ...(typeof agent_id === 'string' && { agent_id }), ...(typeof call_id === 'string' && { call_id }) };
}
