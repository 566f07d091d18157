import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Agent } from '../agents/agent.entity.js';
import { AgentRepository } from '../agents/agent.repository.js';
import { ApiException, ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import { EditLeases, phoneNumberLease, type Lease } from '../common/limits/edit-leases.js';
import { inTransaction } from '../common/transactions.js';
import { EventsService } from '../events/events.service.js';
import { RateLimiter } from '../common/limits/rate-limiter.js';
import type { Page } from '../common/pagination/page.dto.js';
import { appConfig } from '../config/app.config.js';
import { callsConfig, spendingLimits } from '../config/calls.config.js';
import { InboundRouting } from '../inbound-routing/inbound-routing.entity.js';
import { inboundWebhookUrl } from '../inbound-routing/inbound-url.js';
import { RetellFailure, RetellGateway, type NumberBinding } from '../retell/retell.gateway.js';
import type { BuyPhoneNumberDto, ImportPhoneNumberDto, UpdatePhoneNumberDto } from './dto/phone-number.dto.js';
import { PhoneNumberResponseDto } from './dto/phone-number.dto.js';
import { PhoneNumber, type PhoneNumberType } from './phone-number.entity.js';
import { PHONE_NUMBER_PAGES, PhoneNumberRepository } from './phone-number.repository.js';

const TAKEN = 'This phone number is already registered';

/**
 * Inbound and outbound calls of the number go to one agent (Retell's weighted list with a single entry). With an
 * inbound routing (`routedTo`: this server's `call_inbound` URL) Retell binds no inbound agent and asks us per call:
 * the only way Retell lets an answer refuse a call is "no override_agent_id and no inbound agent" (src/inbound-routing).
 * `routedTo: null` clears the inbound webhook; undefined leaves the field out (numbers being bought or imported).
 */
export function numberBinding(agent: Agent | undefined, nickname?: string | null, routedTo?: string | null): NumberBinding {
  const agents = agent ? [{ agent_id: agent.retellAgentId, weight: 1 }] : [];
  const routed = agent !== undefined && typeof routedTo === 'string';
  return {
    inbound_agents: routed ? [] : agents,
    outbound_agents: agents,
    ...(nickname != null && { nickname }),
    ...(routedTo !== undefined && { inbound_webhook_url: routed ? routedTo : null }),
  };
}
const binding = numberBinding;

const taken = (error: unknown) => (error instanceof UniqueConstraintViolationException ? new ApiException(409, TAKEN) : error);

@Injectable()
export class PhoneNumbersService {
  private readonly purchases: ReturnType<typeof spendingLimits>['numberPurchases'];

  constructor(
    private readonly numbers: PhoneNumberRepository,
    private readonly agents: AgentRepository,
    private readonly em: EntityManager,
    private readonly gateway: RetellGateway,
    private readonly leases: EditLeases,
    private readonly events: EventsService,
    private readonly limiter: RateLimiter,
    @Inject(callsConfig.KEY) config: ConfigType<typeof callsConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {
    this.purchases = spendingLimits(config).numberPurchases;
  }

  /**
   * Buys a number at Retell bound to the agent. Buying costs money: a slot of the per-user cap is taken first, and
   * Retell's create is never retried. A number we could not record is released again (nothing half-written).
   */
  async buy(ownerId: number, agentId: number, dto: BuyPhoneNumberDto): Promise<PhoneNumber> {
    const agent = await this.agents.getActiveForOwner(ownerId, agentId);
    await this.limiter.take(this.purchases, ownerId);
    const bought = await this.gateway
      .buyNumber({ area_code: dto.areaCode, country_code: dto.countryCode, toll_free: dto.tollFree, ...binding(agent, dto.nickname) })
      .catch(async (error: unknown) => {
        if (!(error instanceof RetellFailure) || error.retellStatus !== undefined) await this.limiter.giveBack(this.purchases, ownerId);
        throw error;
      });
    return this.gateway.withUndo(async (undo) => {
      undo.push(bought.undo);
      const row = this.numbers.create({
        agent,
        phoneNumber: bought.number.phone_number,
        nickname: dto.nickname ?? null,
        numberType: bought.number.phone_number_type as PhoneNumberType,
      });
      await inTransaction(this.em, async (em) => {
        await em.persist(row).flush();
        await this.events.record(em, ownerId, 'phone_number.created', PhoneNumberResponseDto.fromEntity(row), { agentId: agent.id });
      }).catch((error: unknown) => {
        throw taken(error);
      });
      return row;
    });
  }

  /**
   * Imports a SIP number. The row is committed first: its UNIQUE index decides, so a number registered here by
   * anyone — or a concurrent import of the same one — is a 409 that never reaches Retell (where it would overwrite
   * the holder's configuration). If Retell refuses, the row is deleted again. No transaction waits on Retell.
   */
  async import(ownerId: number, agentId: number, dto: ImportPhoneNumberDto): Promise<PhoneNumber> {
    const agent = await this.agents.getActiveForOwner(ownerId, agentId);
    const row = this.numbers.create({ agent, phoneNumber: dto.phoneNumber, nickname: dto.nickname ?? null, numberType: 'custom' });
    await this.em.persist(row).flush().catch((error: unknown) => {
      throw taken(error);
    });
    try {
      await this.gateway.importNumber({
        phone_number: dto.phoneNumber,
        termination_uri: dto.terminationUri,
        sip_trunk_auth_username: dto.sipTrunkAuthUsername,
        sip_trunk_auth_password: dto.sipTrunkAuthPassword,
        ...binding(agent, dto.nickname),
      });
    } catch (error) {
      await this.em.remove(row).flush();
      throw error;
    }
    // The number is ours once Retell took it: announced then (a refused import was never a number of the tenant's).
    await inTransaction(this.em, (em) => this.events.record(em, ownerId, 'phone_number.created', PhoneNumberResponseDto.fromEntity(row), { agentId: agent.id }));
    return row;
  }

  list(ownerId: number, agentId: number | undefined, limit: number, cursor?: string): Promise<Page<PhoneNumber>> {
    return this.numbers.findPageForOwner(ownerId, agentId, PHONE_NUMBER_PAGES.request(limit, cursor));
  }

  async get(ownerId: number, id: number): Promise<PhoneNumber> {
    const number = await this.numbers.findForOwner(ownerId, id);
    if (!number) throw new ResourceNotFoundException('Phone number');
    return number;
  }

  /** Moves or (de)activates a number: Retell's binding first, our row once Retell accepted (under the number's lease). */
  async update(ownerId: number, id: number, dto: UpdatePhoneNumberDto): Promise<PhoneNumber> {
    await this.get(ownerId, id);
    return this.leases.run(phoneNumberLease(id), () =>
      this.gateway.withUndo(async (undo) => {
        const number = await this.numbers.findFreshForOwner(ownerId, id);
        if (!number) throw new ResourceNotFoundException('Phone number');
        const current = number.agent.getEntity();
        const target = dto.agentId === undefined ? current : await this.ownedAgent(ownerId, dto.agentId, 'agentId');
        const active = dto.isActive ?? number.isActive;
        if (active && !target.isActive) throw new ApiException(409, 'The agent is inactive; activate it first');
        const nickname = dto.nickname === undefined ? number.nickname : dto.nickname;
        // A routed number keeps asking this server (src/inbound-routing) whichever agent it moves to.
        const routedTo = (await this.em.count(InboundRouting, { phoneNumber: id })) > 0 ? inboundWebhookUrl(this.app.publicBaseUrl) : null;
        undo.push(
          await this.gateway.bindNumber(
            number.phoneNumber,
            binding(active ? target : undefined, nickname, routedTo),
            binding(number.isActive ? current : undefined, number.nickname, routedTo),
          ),
        );
        number.agent = ref(target);
        number.isActive = active;
        number.nickname = nickname ?? null;
        await inTransaction(this.em, async (em) => {
          await em.flush();
          // As stored (the set_updated_at trigger has the last word on updated_at), i.e. what GET returns.
          const saved = await em.findOneOrFail(PhoneNumber, { id }, { refresh: true });
          await this.events.record(em, ownerId, 'phone_number.updated', PhoneNumberResponseDto.fromEntity(saved), { agentId: target.id });
        });
        return number;
      }),
    );
  }

  /** Releases the number at Retell (we stop paying for it), then forgets it. */
  async release(ownerId: number, id: number): Promise<void> {
    await this.get(ownerId, id);
    await this.leases.run(phoneNumberLease(id), async () => {
      const number = await this.numbers.findFreshForOwner(ownerId, id);
      if (!number) throw new ResourceNotFoundException('Phone number');
      await this.gateway.releaseNumber(number.phoneNumber);
      await this.forget(ownerId, number);
    });
  }

  /**
   * Called before an agent is deleted, under the agent's lease: its numbers are released at Retell rather than left
   * unbound there, because their rows go with the agent (ON DELETE CASCADE) and a number nobody has a record of
   * would be paid for forever.
   */
  async releaseAllForAgent(ownerId: number, agentId: number, lease: Lease): Promise<void> {
    for (const number of await this.numbers.findAllForAgent(agentId)) {
      await lease.renew();
      await this.gateway.releaseNumber(number.phoneNumber);
      await this.forget(ownerId, number);
    }
  }

  /** Deletes the row of a number Retell released, with its event (its last state), in one transaction. */
  private async forget(ownerId: number, number: PhoneNumber): Promise<void> {
    await inTransaction(this.em, async (em) => {
      await em.remove(number).flush();
      await this.events.record(em, ownerId, 'phone_number.deleted', PhoneNumberResponseDto.fromEntity(number), { agentId: number.agent.id });
    });
  }

  private async ownedAgent(ownerId: number, agentId: number, field?: string): Promise<Agent> {
    const agent = await this.agents.findForOwner(ownerId, agentId);
    if (!agent) {
      if (field) throw new ApiException(404, 'Agent not found', { details: [{ field, messages: ['is not one of your agents'] }] });
      throw new ResourceNotFoundException('Agent');
    }
    return agent;
  }
}
