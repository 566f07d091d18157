import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Per (user, agent, UTC quarter hour, disconnection reason): the sums analytics reads. Written only by the
 * `calls_events_and_rollups` trigger (migrations), which subtracts a call row's old contribution and adds its new one,
 * so each call counts once however its events arrive. No foreign keys: when an agent or user is deleted, its calls'
 * DELETE triggers bring these rows to zero, and a key to a row being deleted in the same statement would fail.
 */
@Entity({ tableName: 'call_rollups' })
export class CallRollup {
  @PrimaryKey({ type: 'integer' })
  userId!: number;

  /** Start of the quarter hour (UTC) of the call's start (its creation when it never started). */
  @PrimaryKey({ type: 'datetime', columnType: 'timestamp' })
  bucket!: Date;

  @PrimaryKey({ type: 'integer' })
  agentId!: number;

  /** '' when the call has none (yet). */
  @PrimaryKey({ type: 'string', length: 64 })
  disconnectionReason!: string;

  @Property({ type: 'integer' })
  calls!: number;

  @Property({ type: 'integer' })
  connectedCalls!: number;

  /** Calls with a duration, for the average. */
  @Property({ type: 'integer' })
  durationCalls!: number;

  @Property({ type: 'bigint' })
  durationSeconds!: string;

  @Property({ type: 'integer' })
  successfulCalls!: number;

  @Property({ type: 'integer' })
  unsuccessfulCalls!: number;

  @Property({ type: 'integer' })
  sentimentPositive!: number;

  @Property({ type: 'integer' })
  sentimentNegative!: number;

  @Property({ type: 'integer' })
  sentimentNeutral!: number;

  @Property({ type: 'integer' })
  sentimentUnknown!: number;

  /** Sum of `call_cost.combined_cost` (cents). */
  @Property({ type: 'decimal', columnType: 'numeric' })
  combinedCost!: string;
}
