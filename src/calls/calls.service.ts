import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import Retell from 'retell-sdk';
import { Agent } from '../agents/agent.entity.js';
import { AgentRepository } from '../agents/agent.repository.js';
import { ApiException, ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import type { Page } from '../common/pagination/page.dto.js';
import { callsConfig } from '../config/calls.config.js';
import { PhoneNumberRepository } from '../phone-numbers/phone-number.repository.js';
import { NO_RETRY } from '../retell/retell-client.provider.js';
import { isRetellNotFound } from '../retell/retell-errors.js';
import { mergeRetellCall, type RetellCallData } from './call-merge.js';
import { Call, type CallDirection, type CallType } from './call.entity.js';
import { CALL_PAGES, CallRepository, type CallListRow } from './call.repository.js';
import type { CallListQueryDto, CreateCallDto, CreateWebCallDto } from './dto/call.dto.js';

/** What we add to Retell's call metadata so webhooks can be traced back to us without a lookup. */
function retellMetadata(agent: Agent, client: Record<string, unknown> | undefined) {
  return { app: { user_id: agent.user.id, agent_id: agent.id }, ...(client && { client }) };
}

@Injectable()
export class CallsService {
  constructor(
    private readonly calls: CallRepository,
    private readonly agents: AgentRepository,
    private readonly numbers: PhoneNumberRepository,
    private readonly em: EntityManager,
    private readonly retell: Retell,
    @Inject(callsConfig.KEY) private readonly config: ConfigType<typeof callsConfig>,
  ) {}

  /**
   * Places an outbound call. Retell's create is made once (no SDK retry: a retried create could dial twice); the
   * row is recorded through the same merge as webhooks, which may already have arrived for this call.
   */
  async placeCall(ownerId: number, agentId: number, dto: CreateCallDto): Promise<Call> {
    const agent = await this.activeAgent(ownerId, agentId);
    const from = dto.fromNumber
      ? await this.numbers.findActiveForOwnerByNumber(ownerId, dto.fromNumber)
      : await this.numbers.findDefaultForAgent(agent.id);
    if (!from) {
      if (dto.fromNumber) throw new ValidationFailedException([{ field: 'fromNumber', messages: ['is not one of your active phone numbers'] }]);
      throw new ApiException(409, 'The agent has no active phone number to call from; buy or import one first');
    }
    await this.enforceRate(ownerId);
    const created = await this.retell.call.createPhoneCall(
      {
        from_number: from.phoneNumber,
        to_number: dto.toNumber,
        override_agent_id: agent.retellAgentId,
        retell_llm_dynamic_variables: dto.dynamicVariables,
        metadata: retellMetadata(agent, dto.metadata),
      },
      NO_RETRY,
    );
    return this.record(agent, created as RetellCallData, undefined, { metadata: dto.metadata, dynamicVariables: dto.dynamicVariables });
  }

  /** Starts a web call: the access token is for Retell's browser client; the call is recorded like any other. */
  async createWebCall(ownerId: number, agentId: number, dto: CreateWebCallDto): Promise<{ call: Call; accessToken: string }> {
    const agent = await this.activeAgent(ownerId, agentId);
    const created = await this.retell.call.createWebCall(
      { agent_id: agent.retellAgentId, retell_llm_dynamic_variables: dto.dynamicVariables, metadata: retellMetadata(agent, dto.metadata) },
      NO_RETRY,
    );
    const call = await this.record(agent, { call_id: created.call_id, call_type: 'web_call', call_status: 'registered' }, undefined, {
      metadata: dto.metadata,
      dynamicVariables: dto.dynamicVariables,
    });
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
    return call;
  }

  /** Pulls the call from Retell (e.g. when a webhook could not reach us) and merges it like an event. */
  async refresh(ownerId: number, id: number): Promise<Call> {
    const call = await this.get(ownerId, id);
    const remote = await this.retell.call.retrieve(call.retellCallId).catch((error: unknown) => {
      if (isRetellNotFound(error)) throw new ApiException(502, 'Retell no longer has this call');
      throw error;
    });
    const agent = await this.agents.findOneOrFail({ id: call.agent.id });
    await this.record(agent, remote as RetellCallData, undefined);
    return this.get(ownerId, id);
  }

  /**
   * Records what Retell says about a call, creating the row if this is the first we hear of it (an inbound call, or
   * a webhook that beat our own insert). Runs under a row lock so concurrent events for one call merge one at a time.
   */
  async record(
    agent: Agent,
    data: RetellCallData,
    event: string | undefined,
    extras: { metadata?: Record<string, unknown>; dynamicVariables?: Record<string, string> } = {},
  ): Promise<Call> {
    return this.em.transactional(async (em) => {
      const callType: CallType = data.call_type === 'web_call' ? 'web_call' : 'phone_call';
      const direction: CallDirection = data.direction === 'outbound' ? 'outbound' : 'inbound';
      await em.execute(
        `insert into calls (agent_id, user_id, retell_call_id, call_type, from_number, to_number, direction, status)
         values (?, ?, ?, ?, ?, ?, ?, 'registered') on conflict (retell_call_id) do nothing`,
        [agent.id, agent.user.id, data.call_id, callType, data.from_number ?? null, data.to_number ?? null, direction],
        'run',
      );
      const row = await em.findOneOrFail(Call, { retellCallId: data.call_id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      mergeRetellCall(row, data, event);
      row.metadata ??= extras.metadata ?? null;
      row.dynamicVariables ??= extras.dynamicVariables ?? null;
      row.agent = ref(agent);
      return row;
    });
  }

  private async activeAgent(ownerId: number, agentId: number): Promise<Agent> {
    const agent = await this.agents.findForOwner(ownerId, agentId);
    if (!agent) throw new ResourceNotFoundException('Agent');
    if (!agent.isActive) throw new ApiException(409, 'The agent is inactive; activate it first');
    return agent;
  }

  /** Calls cost money: a per-user cap on calls started in the last minute. */
  private async enforceRate(ownerId: number): Promise<void> {
    const started = await this.calls.countOutboundSince(ownerId, new Date(Date.now() - 60_000));
    if (started >= this.config.callsPerMinutePerUser) {
      throw new ApiException(429, `At most ${this.config.callsPerMinutePerUser} calls may be started per minute`, { retryAfterSeconds: 60 });
    }
  }
}
