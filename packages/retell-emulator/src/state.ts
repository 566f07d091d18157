import type { Retell } from 'retell-sdk';
import type { SortKey } from './pagination.js';
import type { Scenario } from './scenarios.js';
import type { JsonObject } from './validation.js';
import type { Versioned } from './versioning.js';

export type CallView = Retell.PhoneCallResponse | Retell.WebCallResponse;
export type PhoneNumberView = Retell.PhoneNumberResponse;

/** An agent's configuration per version is kept as sent (minus server-controlled fields), like Retell echoes it. */
export interface StoredAgent extends Versioned<JsonObject> {
  /** Shown as `user_modified_timestamp` in list-agents. */
  user_modified_timestamp: number;
}

export type StoredLlm = Versioned<JsonObject>;

export interface StoredPhoneNumber {
  readonly seq: number;
  view: PhoneNumberView;
  /** Write-only at Retell: accepted on import/update, never returned. */
  sipAuthPassword?: string;
}

export interface StoredCall {
  readonly seq: number;
  readonly createdAt: number;
  /** Exactly what get-call returns. */
  call: CallView;
  readonly scenario: Scenario;
}

export interface ReadonlyEmulatorState {
  readonly agents: ReadonlyMap<string, StoredAgent>;
  readonly llms: ReadonlyMap<string, StoredLlm>;
  /** Keyed by E.164 number. */
  readonly phoneNumbers: ReadonlyMap<string, StoredPhoneNumber>;
  readonly calls: ReadonlyMap<string, StoredCall>;
}

/** Everything a Retell workspace holds, in memory. */
export class EmulatorState implements ReadonlyEmulatorState {
  readonly agents = new Map<string, StoredAgent>();
  readonly llms = new Map<string, StoredLlm>();
  readonly phoneNumbers = new Map<string, StoredPhoneNumber>();
  readonly calls = new Map<string, StoredCall>();
  /** create-phone-call `idempotency_key` → the call it created; Retell honours a key for one hour. */
  readonly idempotencyKeys = new Map<string, { callId: string; expiresAt: number }>();
  /** Sort positions of deleted items, so a `pagination_key` naming a deleted item still works. */
  readonly tombstones = new Map<string, SortKey>();
  private lastSeq = 0;

  nextSeq(): number {
    return ++this.lastSeq;
  }

  clear(): void {
    this.agents.clear();
    this.llms.clear();
    this.phoneNumbers.clear();
    this.calls.clear();
    this.idempotencyKeys.clear();
    this.tombstones.clear();
  }
}
