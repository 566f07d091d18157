import type { Opt } from '@mikro-orm/postgresql';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

export type WebhookEventOutcome = 'applied' | 'unknown_agent' | 'agent_mismatch' | 'ignored';

/**
 * Every verified webhook Retell sent us, raw (not in the seed; see docs/schema.md). Duplicates are recognised by
 * `dedupe_key` and not stored twice; a call can be rebuilt from its events.
 */
@Entity({ tableName: 'retell_webhook_events' })
export class WebhookEvent {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 50 })
  event!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Index()
  retellCallId?: string | null;

  /** `call_id:event` for lifecycle events (Retell's advice), plus a body hash for events that legitimately repeat. */
  @Property({ type: 'string', length: 200, unique: true })
  dedupeKey!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'string', length: 20 })
  outcome!: WebhookEventOutcome;

  /** What had to be cleaned or dropped to store the event (NUL, lone surrogates, values out of range), by path. */
  @Property({ type: 'json', nullable: true })
  anomalies?: string[] | null;

  /** The exact bytes received, kept only when `anomalies` is set (the stored payload is then the cleaned one). */
  @Property({ type: 'blob', nullable: true, lazy: true })
  rawBody?: Buffer | null;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  receivedAt: Date & Opt = new Date();
}
