import { EntityRepository } from '@mikro-orm/postgresql';
import type { InboundRouting } from './inbound-routing.entity.js';

/** What answering one `call_inbound` needs, read in one statement: the number, its agents, its routing, the caller. */
export interface InboundAnswerRow {
  phone_number_id: number;
  number_active: boolean;
  user_id: number;
  agent_id: number;
  agent_retell_id: string;
  agent_active: boolean;
  routed: boolean;
  timezone: string | null;
  hours: Array<{ days: string[]; start: string; end: string }> | null;
  after_hours_action: 'agent' | 'reject' | null;
  after_hours_agent_id: number | null;
  after_hours_retell_id: string | null;
  after_hours_active: boolean | null;
  lookup_contacts: boolean | null;
  webhook_url: string | null;
  webhook_timeout_ms: number | null;
  webhook_secret: string | null;
  contact_id: number | null;
  contact_name: string | null;
  contact_variables: Record<string, string> | null;
  contact_blocked: boolean | null;
}

export class InboundRoutingRepository extends EntityRepository<InboundRouting> {
  findForOwner(ownerId: number, phoneNumberId: number): Promise<InboundRouting | null> {
    return this.findOne({ phoneNumber: phoneNumberId, user: ownerId }, { populate: ['afterHoursAgent'] });
  }

  /**
   * The fast path of an inbound call: the called number with its agent, its routing, the after-hours agent and —
   * when the routing looks contacts up — the owner's contact for the caller, in ONE statement over unique indexes.
   */
  async findAnswer(toNumber: string, fromNumber: string): Promise<InboundAnswerRow | undefined> {
    const [row] = await this.getEntityManager().execute<InboundAnswerRow[]>(
      `select p.id as phone_number_id, p.is_active as number_active, a.user_id, a.id as agent_id,
              a.retell_agent_id as agent_retell_id, a.is_active as agent_active, (r.id is not null) as routed,
              r.timezone, r.hours, r.after_hours_action, aa.id as after_hours_agent_id,
              aa.retell_agent_id as after_hours_retell_id, aa.is_active as after_hours_active, r.lookup_contacts,
              r.webhook_url, r.webhook_timeout_ms, r.webhook_secret,
              c.id as contact_id, c.name as contact_name, c.dynamic_variables as contact_variables, c.blocked as contact_blocked
         from phone_numbers p
         join agents a on a.id = p.agent_id
         left join inbound_routings r on r.phone_number_id = p.id
         left join agents aa on aa.id = r.after_hours_agent_id
         left join contacts c on r.lookup_contacts and c.user_id = a.user_id and c.phone_number = ?
        where p.phone_number = ?`,
      [fromNumber, toNumber],
    );
    return row;
  }

  /** The Retell id of one of the owner's active agents (what a tenant's webhook may name), else undefined. */
  async activeRetellAgentId(ownerId: number, agentId: number): Promise<string | undefined> {
    const [row] = await this.getEntityManager().execute<{ retell_agent_id: string }[]>(
      'select retell_agent_id from agents where id = ? and user_id = ? and is_active',
      [agentId, ownerId],
    );
    return row?.retell_agent_id;
  }
}
