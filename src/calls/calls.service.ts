import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import type Retell from 'retell-sdk';
import { Agent } from '../agents/agent.entity.js';
import { AgentRepository } from '../agents/agent.repository.js';
import { ApiException, ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { DialSlots, dialRefusalException, type DialSlot } from '../common/limits/dial-slots.js';
import { RateLimiter, type RateLimit } from '../common/limits/rate-limiter.js';
import type { Page } from '../common/pagination/page.dto.js';
import { callsConfig, spendingLimits } from '../config/calls.config.js';
import { PhoneNumberRepository } from '../phone-numbers/phone-number.repository.js';
import { RetellFailure, RetellGateway } from '../retell/retell.gateway.js';
import { callValues, cleanJson, type RetellCallData } from './call-merge.js';
import { Contact } from '../contacts/contact.entity.js';
import { Call } from './call.entity.js';
import { CALL_PAGES, CallRepository, type CallListRow } from './call.repository.js';
import type { CallListQueryDto, CreateCallDto, CreateWebCallDto } from './dto/call.dto.js';

/** What we add to Retell's call metadata so webhooks can be traced back to us without a lookup. */
function retellMetadata(agent: Agent, client: Record<string, unknown> | undefined) {
  return { app: { user_id: agent.user.id, agent_id: agent.id }, ...(client && { client }) };
}

@Injectable()
export class CallsService {
  private readonly limits: ReturnType<typeof spendingLimits>;

  constructor(
    private readonly calls: CallRepository,
    private readonly agents: AgentRepository,
    private readonly numbers: PhoneNumberRepository,
    private readonly em: EntityManager,
    private readonly gateway: RetellGateway,
    private readonly limiter: RateLimiter,
    private readonly slots: DialSlots,
    @Inject(callsConfig.KEY) config: ConfigType<typeof callsConfig>,
  ) {
    this.limits = spendingLimits(config);
  }

  /**
   * Places an outbound call. Everything is checked first; then a token of the per-minute cap and a dial slot
   * (concurrency per user and workspace, monthly minutes) are taken (atomically, in PostgreSQL, before dialling); then
   * Retell's create is made once (a retried create could dial twice); then the row is recorded through the same merge
   * as webhooks, which may already have arrived for this call, and the slot is tied to it.
   */
  async placeCall(ownerId: number, agentId: number, dto: CreateCallDto): Promise<Call> {
    const agent = await this.agents.getActiveForOwner(ownerId, agentId);
    const from = dto.fromNumber
      ? await this.numbers.findActiveForOwnerByNumber(ownerId, dto.fromNumber)
      : await this.numbers.findDefaultForAgent(agent.id);
    if (!from) {
      if (dto.fromNumber) throw new ValidationFailedException([{ field: 'fromNumber', messages: ['is not one of your active phone numbers'] }]);
      throw new ApiException(409, 'The agent has no active phone number to call from; buy or import one first');
    }
    const { result: created, slot } = await this.spend(this.limits.phoneCalls, ownerId, () =>
      this.gateway.placePhoneCall({
        from_number: from.phoneNumber,
        to_number: dto.toNumber,
        override_agent_id: agent.retellAgentId,
        retell_llm_dynamic_variables: dto.dynamicVariables,
        metadata: retellMetadata(agent, dto.metadata),
      }),
    );
    const call = await this.record(agent, created as RetellCallData, { metadata: dto.metadata, dynamicVariables: dto.dynamicVariables });
    await this.slots.attach(slot, call.id);
    return call;
  }

  /** Starts a web call: the access token is for Retell's browser client; the call is recorded like any other. */
  async createWebCall(ownerId: number, agentId: number, dto: CreateWebCallDto): Promise<{ call: Call; accessToken: string }> {
    const agent = await this.agents.getActiveForOwner(ownerId, agentId);
    const { result: created, slot } = await this.spend(this.limits.webCalls, ownerId, () =>
      this.gateway.createWebCall({ agent_id: agent.retellAgentId, retell_llm_dynamic_variables: dto.dynamicVariables, metadata: retellMetadata(agent, dto.metadata) }),
    );
    const call = await this.record(agent, { call_id: created.call_id, call_type: 'web_call', call_status: 'registered' }, {
      metadata: dto.metadata,
      dynamicVariables: dto.dynamicVariables,
    });
    await this.slots.attach(slot, call.id);
    return { call, accessToken: created.access_token };
  }

  list(ownerId: number, query: CallListQueryDto): Promise<Page<CallListRow>> {
    const page = CALL_PAGES.request(query.limit, query.cursor);
    return this.calls.findPageForOwner(
      ownerId,
      {
        agentId: query.agentId,
        status: query.status,
        direction: query.direction,
        createdFrom: query.from ? new Date(query.from) : undefined,
        createdTo: query.to ? new Date(query.to) : undefined,
      },
      page,
    );
  }

  async get(ownerId: number, id: number): Promise<Call> {
    const call = await this.calls.findForOwner(ownerId, id, true);
    if (!call) throw new ResourceNotFoundException('Call');
    if (!call.contact) {
      // Recorded before its contact existed: show the contact now holding the number (a flush would store it, as the
      // next merge of this call does).
      const contactId = await this.calls.contactIdOf(call);
      if (contactId !== null) call.contact = this.em.getReference(Contact, contactId, { wrapped: true });
    }
    return call;
  }

  /** Pulls the call from Retell (e.g. when a webhook could not reach us) and merges it like an event. */
  async refresh(ownerId: number, id: number): Promise<Call> {
    const call = await this.get(ownerId, id);
    const remote = await this.gateway.retrieveCall(call.retellCallId);
    const agent = await this.agents.findOneOrFail({ id: call.agent.id });
    return this.record(agent, remote as RetellCallData);
  }

  /**
   * Takes a token of a spending cap and a dial slot (a refused slot is our 429 with its code), then spends. Both are
   * given back when Retell answered with a refusal (nothing was placed); both are kept when Retell did not answer (a
   * timed-out create may have happened: the unattached slot expires by itself).
   */
  private async spend<T>(limit: RateLimit, ownerId: number, work: () => Promise<T>): Promise<{ result: T; slot: DialSlot }> {
    await this.limiter.take(limit, ownerId);
    let slot: DialSlot;
    try {
      const acquired = await this.slots.acquire(ownerId);
      if ('refused' in acquired) throw dialRefusalException(acquired.refused);
      slot = acquired.slot;
    } catch (error) {
      await this.limiter.giveBack(limit, ownerId);
      throw error;
    }
    try {
      return { result: await work(), slot };
    } catch (error) {
      if (!(error instanceof RetellFailure) || error.retellStatus !== undefined) {
        await this.limiter.giveBack(limit, ownerId);
        await this.slots.release(slot);
      }
      throw error;
    }
  }

  /** Records what Retell says about one of our calls through the one merge statement, then reads the row back (also the campaign dialer's way to record its calls). */
  async record(
    agent: Agent,
    data: RetellCallData | Retell.CallResponse,
    extras: { metadata?: Record<string, unknown>; dynamicVariables?: Record<string, string> } = {},
  ): Promise<Call> {
    const anomalies: string[] = [];
    const cleaned = cleanJson(data, 'call', anomalies) as RetellCallData;
    await this.calls.mergeFromRetell({
      retellAgentId: agent.retellAgentId,
      values: callValues(cleaned, undefined, anomalies),
      metadata: extras.metadata ?? null,
      dynamicVariables: extras.dynamicVariables ?? null,
    });
    return this.em.findOneOrFail(Call, { retellCallId: cleaned.call_id, user: agent.user.id }, { refresh: true, populate: ['transcript', 'transcriptObject'] });
  }
}
