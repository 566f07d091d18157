import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager, ref } from '@mikro-orm/postgresql';
import type { Agent } from '../agents/agent.entity.js';
import { AgentRepository } from '../agents/agent.repository.js';
import { ApiException, ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import { EditLeases, phoneNumberLease } from '../common/limits/edit-leases.js';
import { publicUrlProblem } from '../common/urls/public-url.js';
import { appConfig } from '../config/app.config.js';
import { webhooksConfig } from '../config/jobs.config.js';
import { PhoneNumberRepository } from '../phone-numbers/phone-number.repository.js';
import { numberBinding } from '../phone-numbers/phone-numbers.service.js';
import { RetellGateway } from '../retell/retell.gateway.js';
import { newSigningSecret } from '../webhook-endpoints/webhook-secrets.js';
import { WebhookSigner } from '../webhook-endpoints/webhook-signer.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, type PutInboundRoutingDto } from './dto/inbound-routing.dto.js';
import { InboundRouting } from './inbound-routing.entity.js';
import { InboundRoutingRepository } from './inbound-routing.repository.js';
import { inboundWebhookUrl } from './inbound-url.js';

@Injectable()
export class InboundRoutingService {
  constructor(
    private readonly routings: InboundRoutingRepository,
    private readonly numbers: PhoneNumberRepository,
    private readonly agents: AgentRepository,
    private readonly em: EntityManager,
    private readonly gateway: RetellGateway,
    private readonly leases: EditLeases,
    private readonly signer: WebhookSigner,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(webhooksConfig.KEY) private readonly webhooks: ConfigType<typeof webhooksConfig>,
  ) {}

  async get(ownerId: number, phoneNumberId: number): Promise<InboundRouting> {
    if (!(await this.numbers.findForOwner(ownerId, phoneNumberId))) throw new ResourceNotFoundException('Phone number');
    const routing = await this.routings.findForOwner(ownerId, phoneNumberId);
    if (!routing) throw new ResourceNotFoundException('Inbound routing');
    return routing;
  }

  /**
   * Sets (or replaces) the number's routing. Everything is checked first (agents are the caller's, the URL passes the
   * partner-webhook policy); then, under the number's edit lease, Retell is pointed at this server — only when the
   * routing is new — and the row is written; a failed write undoes Retell's change. Returns the signing secret when
   * this call made one (first `webhookUrl`, or `rotateSecret`).
   */
  async put(ownerId: number, phoneNumberId: number, dto: PutInboundRoutingDto): Promise<{ routing: InboundRouting; signingSecret?: string }> {
    if (!(await this.numbers.findForOwner(ownerId, phoneNumberId))) throw new ResourceNotFoundException('Phone number');
    const afterHoursAgent = dto.afterHours.action === 'agent' ? await this.ownedActiveAgent(ownerId, dto.afterHours.agentId!) : null;
    if (dto.rotateSecret && dto.webhookUrl === undefined) {
      throw new ApiException(400, 'Invalid rotateSecret', { details: [{ field: 'rotateSecret', messages: ['rotateSecret needs a webhookUrl (the secret signs its requests)'] }] });
    }
    if (dto.webhookUrl !== undefined) {
      const problem = publicUrlProblem(dto.webhookUrl, { allowPrivate: this.webhooks.allowPrivate });
      if (problem) throw new ApiException(400, 'Invalid webhookUrl', { details: [{ field: 'webhookUrl', messages: [`webhookUrl ${problem}`] }] });
    }
    return this.leases.run(phoneNumberLease(phoneNumberId), () =>
      this.gateway.withUndo(async (undo) => {
        const number = await this.numbers.findFreshForOwner(ownerId, phoneNumberId);
        if (!number) throw new ResourceNotFoundException('Phone number');
        const existing = await this.em.findOne(InboundRouting, { phoneNumber: phoneNumberId }, { populate: ['webhookSecret'], refresh: true });
        if (!existing) {
          const agent = number.isActive ? number.agent.getEntity() : undefined;
          undo.push(
            await this.gateway.bindNumber(
              number.phoneNumber,
              numberBinding(agent, number.nickname, inboundWebhookUrl(this.app.publicBaseUrl)),
              numberBinding(agent, number.nickname, null),
            ),
          );
        }
        let signingSecret: string | undefined;
        let sealed: string | null = null;
        if (dto.webhookUrl !== undefined) {
          if (dto.rotateSecret || !existing?.webhookSecret) {
            signingSecret = newSigningSecret();
            sealed = this.signer.seal(signingSecret);
          } else {
            sealed = existing.webhookSecret;
          }
        }
        const routing = existing ?? this.em.create(InboundRouting, { phoneNumber: number, user: ownerId, timezone: dto.timezone, hours: [], afterHoursAction: 'reject' });
        Object.assign(routing, {
          timezone: dto.timezone,
          hours: dto.hours.map((range) => ({ days: [...new Set(range.days)], start: range.start, end: range.end })),
          afterHoursAction: dto.afterHours.action,
          afterHoursAgent: afterHoursAgent ? ref(afterHoursAgent) : null,
          lookupContacts: dto.lookupContacts ?? true,
          webhookUrl: dto.webhookUrl ?? null,
          webhookTimeoutMs: dto.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
          webhookSecret: sealed,
        });
        await this.em.persist(routing).flush();
        // As stored (the set_updated_at trigger has the last word on updated_at), i.e. what GET returns.
        const saved = await this.em.findOneOrFail(InboundRouting, { id: routing.id }, { refresh: true, populate: ['afterHoursAgent'] });
        return { routing: saved, ...(signingSecret !== undefined && { signingSecret }) };
      }),
    );
  }

  /** Back to the plain binding: Retell's inbound agent is the number's agent again, and Retell stops asking us. */
  async remove(ownerId: number, phoneNumberId: number): Promise<void> {
    await this.get(ownerId, phoneNumberId);
    await this.leases.run(phoneNumberLease(phoneNumberId), () =>
      this.gateway.withUndo(async (undo) => {
        const number = await this.numbers.findFreshForOwner(ownerId, phoneNumberId);
        if (!number) throw new ResourceNotFoundException('Phone number');
        const routing = await this.em.findOne(InboundRouting, { phoneNumber: phoneNumberId }, { refresh: true });
        if (!routing) throw new ResourceNotFoundException('Inbound routing');
        const agent = number.isActive ? number.agent.getEntity() : undefined;
        undo.push(
          await this.gateway.bindNumber(
            number.phoneNumber,
            numberBinding(agent, number.nickname, null),
            numberBinding(agent, number.nickname, inboundWebhookUrl(this.app.publicBaseUrl)),
          ),
        );
        await this.em.remove(routing).flush();
      }),
    );
  }

  /** Another tenant's agent is answered like a missing one (404, naming the field), as for phone numbers. */
  private async ownedActiveAgent(ownerId: number, agentId: number): Promise<Agent> {
    const agent = await this.agents.findForOwner(ownerId, agentId);
    if (!agent) throw new ApiException(404, 'Agent not found', { details: [{ field: 'afterHours.agentId', messages: ['is not one of your agents'] }] });
    if (!agent.isActive) throw new ApiException(409, 'The after-hours agent is inactive; activate it first');
    return agent;
  }
}
