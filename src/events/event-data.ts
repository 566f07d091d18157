import type { EntityManager } from '@mikro-orm/postgresql';
import { Call } from '../calls/call.entity.js';
import { CallDetailResponseDto } from '../calls/dto/call.dto.js';

/**
 * A call event's `data`: the `calls` row the trigger saved (`to_jsonb(NEW)`, column names and PostgreSQL values),
 * mapped by MikroORM exactly as a read of the row would be and turned into what `GET /calls/:id` returns, through
 * the one DTO definition. JSON round-trip, so dates are the same ISO strings the API sends.
 */
export function callEventData(em: EntityManager, snapshot: Record<string, unknown>): Record<string, unknown> {
  const fork = em.fork({ clear: true });
  const call = fork.map(Call, snapshot);
  return JSON.parse(JSON.stringify(CallDetailResponseDto.fromEntity(call))) as Record<string, unknown>;
}

/** `data` as stored, or materialised from the call snapshot when the relay has not done it yet. */
export function eventData(em: EntityManager, event: { type: string; data?: Record<string, unknown> | null; snapshot?: Record<string, unknown> | null }) {
  if (event.data) return event.data;
  if (event.snapshot && event.type.startsWith('call.')) return callEventData(em, event.snapshot);
  return {};
}
