import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, ref, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import Retell, { APIError } from 'retell-sdk';
import { Agent } from '../agents/agent.entity.js';
import { AgentRepository } from '../agents/agent.repository.js';
import { ApiException, ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import { decodeCursor, toPage, type Page } from '../common/pagination/page.dto.js';
import { EventsService } from '../events/events.service.js';
import { NO_RETRY } from '../retell/retell-client.provider.js';
import { isRetellNotFound, retellMessage } from '../retell/retell-errors.js';
import { deleteAtRetell, SINGLE_ATTEMPT, withRetries } from '../retell/retell-ops.js';
import type { BuyPhoneNumberDto, ImportPhoneNumberDto, UpdatePhoneNumberDto } from './dto/phone-number.dto.js';
import { PhoneNumberResponseDto } from './dto/phone-number.dto.js';
import { PhoneNumber, type PhoneNumberType } from './phone-number.entity.js';
import { PhoneNumberRepository } from './phone-number.repository.js';

const TAKEN = 'This phone number is already registered';

/** Inbound and outbound calls of the number go to one agent (Retell's weighted list with a single entry). */
function binding(agent: Agent | undefined) {
  const agents = agent ? [{ agent_id: agent.retellAgentId, weight: 1 }] : [];
  return { inbound_agents: agents, outbound_agents: agents };
}

@Injectable()
export class PhoneNumbersService {
  private readonly logger = new Logger(PhoneNumbersService.name);

  constructor(
    private readonly numbers: PhoneNumberRepository,
    private readonly agents: AgentRepository,
    private readonly em: EntityManager,
    private readonly retell: Retell,
    private readonly events: EventsService,
  ) {}

  /** Buys a number at Retell bound to the agent. Buying costs money: the SDK never retries it blindly. */
  async buy(ownerId: number, agentId: number, dto: BuyPhoneNumberDto): Promise<PhoneNumber> {
    const agent = await this.activeAgent(ownerId, agentId);
    const bought = await this.retell.phoneNumber
      .create(
        { area_code: dto.areaCode, country_code: dto.countryCode, toll_free: dto.tollFree, nickname: dto.nickname, ...binding(agent) },
        NO_RETRY,
      )
      .catch(refusedByRetell);
    const row = this.numbers.create({
      agent,
      phoneNumber: bought.phone_number,
      nickname: dto.nickname ?? null,
      numberType: bought.phone_number_type as PhoneNumberType,
    });
    try {
      await this.em.transactional(async (em) => {
        await em.persist(row).flush();
        await this.events.record(em, ownerId, 'phone_number.created', PhoneNumberResponseDto.fromEntity(row), { agentId: agent.id });
      });
    } catch (error) {
      // Nothing half-written: a number we could not record is released again.
      await withRetries(() => deleteAtRetell(() => this.retell.phoneNumber.delete(bought.phone_number, SINGLE_ATTEMPT))).catch((undo) =>
        this.logger.error({ msg: 'could not release a bought number after a failed insert', phoneNumber: bought.phone_number, err: String(undo) }),
      );
      throw error instanceof UniqueConstraintViolationException ? new ApiException(409, TAKEN) : error;
    }
    return row;
  }

  /**
   * Imports a SIP number. The row is inserted first, inside a transaction held across the Retell call: its UNIQUE
   * index makes a concurrent import of the same number wait and then fail with 409, so it never reaches Retell (where
   * it would overwrite the first holder's configuration). A Retell refusal rolls the row back.
   */
  async import(ownerId: number, agentId: number, dto: ImportPhoneNumberDto): Promise<PhoneNumber> {
    const agent = await this.activeAgent(ownerId, agentId);
    if (await this.numbers.count({ phoneNumber: dto.phoneNumber })) throw new ApiException(409, TAKEN);
    try {
      return await this.em.transactional(async (em) => {
        const row = em.create(PhoneNumber, { agent, phoneNumber: dto.phoneNumber, nickname: dto.nickname ?? null, numberType: 'custom' });
        await em.persist(row).flush();
        await this.retell.phoneNumber
          .import(
            {
              phone_number: dto.phoneNumber,
              termination_uri: dto.terminationUri,
              sip_trunk_auth_username: dto.sipTrunkAuthUsername,
              sip_trunk_auth_password: dto.sipTrunkAuthPassword,
              nickname: dto.nickname,
              ...binding(agent),
            },
            NO_RETRY,
          )
          .catch(refusedByRetell);
        await this.events.record(em, ownerId, 'phone_number.created', PhoneNumberResponseDto.fromEntity(row), { agentId: agent.id });
        return row;
      });
    } catch (error) {
      throw error instanceof UniqueConstraintViolationException ? new ApiException(409, TAKEN) : error;
    }
  }

  async list(ownerId: number, agentId: number | undefined, limit: number, cursor?: string): Promise<Page<PhoneNumberResponseDto>> {
    const after = decodeCursor(cursor, { id: 'number' });
    const rows = await this.numbers.findPageForOwner(ownerId, agentId, after?.id, limit + 1);
    return toPage(rows, limit, PhoneNumberResponseDto.fromEntity, (row) => ({ id: row.id }));
  }

  async get(ownerId: number, id: number): Promise<PhoneNumber> {
    const number = await this.numbers.findForOwner(ownerId, id);
    if (!number) throw new ResourceNotFoundException('Phone number');
    return number;
  }

  /** Moves or (de)activates a number: Retell's binding first, our row once Retell accepted. */
  async update(ownerId: number, id: number, dto: UpdatePhoneNumberDto): Promise<PhoneNumber> {
    const number = await this.get(ownerId, id);
    const target = dto.agentId === undefined ? number.agent.getEntity() : await this.ownedAgent(ownerId, dto.agentId, 'agentId');
    const active = dto.isActive ?? number.isActive;
    if (active && !target.isActive) throw new ApiException(409, 'The agent is inactive; activate it first');
    const nickname = dto.nickname === undefined ? number.nickname : dto.nickname;
    await this.retell.phoneNumber.update(number.phoneNumber, { ...binding(active ? target : undefined), nickname: nickname ?? undefined }).catch(refusedByRetell);
    number.agent = ref(target);
    number.isActive = active;
    number.nickname = nickname ?? null;
    await this.em.transactional(async (em) => {
      await em.flush();
      // As stored (the set_updated_at trigger has the last word on updated_at), i.e. what GET returns.
      const saved = await em.findOneOrFail(PhoneNumber, { id }, { refresh: true });
      await this.events.record(em, ownerId, 'phone_number.updated', PhoneNumberResponseDto.fromEntity(saved), { agentId: target.id });
    });
    return this.get(ownerId, id);
  }

  /** Releases the number at Retell (we stop paying for it), then forgets it. */
  async release(ownerId: number, id: number): Promise<void> {
    const number = await this.get(ownerId, id);
    await deleteAtRetell(() => this.retell.phoneNumber.delete(number.phoneNumber));
    await this.em.transactional(async (em) => {
      await em.remove(number).flush();
      await this.events.record(em, ownerId, 'phone_number.deleted', PhoneNumberResponseDto.fromEntity(number), { agentId: number.agent.id });
    });
  }

  /**
   * Called before an agent is deleted: its numbers are released at Retell rather than left unbound there, because
   * their rows go with the agent (ON DELETE CASCADE) and a number nobody has a record of would be paid for forever.
   */
  async releaseAllForAgent(ownerId: number, agentId: number): Promise<void> {
    for (const number of await this.numbers.findAllForAgent(agentId)) {
      await deleteAtRetell(() => this.retell.phoneNumber.delete(number.phoneNumber));
      await this.em.transactional(async (em) => {
        await em.remove(number).flush();
        await this.events.record(em, ownerId, 'phone_number.deleted', PhoneNumberResponseDto.fromEntity(number), { agentId });
      });
    }
  }

  private async ownedAgent(ownerId: number, agentId: number, field?: string): Promise<Agent> {
    const agent = await this.agents.findForOwner(ownerId, agentId);
    if (!agent) {
      if (field) throw new ApiException(404, 'Agent not found', { details: [{ field, messages: ['is not one of your agents'] }] });
      throw new ResourceNotFoundException('Agent');
    }
    return agent;
  }

  private async activeAgent(ownerId: number, agentId: number): Promise<Agent> {
    const agent = await this.ownedAgent(ownerId, agentId);
    if (!agent.isActive) throw new ApiException(409, 'The agent is inactive; activate it first');
    return agent;
  }
}

/** Retell's 400 on a number request is the client's input (bad area code, no numbers left, bad SIP host): a 400 here. */
function refusedByRetell(error: unknown): never {
  if (error instanceof APIError && error.status === 400) throw new ApiException(400, `Retell refused the request: ${retellMessage(error)}`);
  if (isRetellNotFound(error)) throw new ApiException(502, 'Retell no longer knows this phone number or agent');
  throw error;
}
