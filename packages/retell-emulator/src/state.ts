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

/** The workspace as written to a state file: plain JSON, one array per map. */
export interface SavedState {
  lastSeq: number;
  agents: StoredAgent[];
  llms: StoredLlm[];
  phoneNumbers: StoredPhoneNumber[];
  calls: StoredCall[];
  idempotencyKeys: Array<[string, { callId: string; expiresAt: number }]>;
  tombstones: Array<[string, SortKey]>;
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
  /** Calls counting against the workspace's concurrency: `registered` or `ongoing` (kept by storeCall and the timeline). */
  readonly liveCallIds = new Set<string>();
  /** The most calls live at once since the last reset (or `resetPeak`): what a test asserts a dialer never exceeded. */
  peakConcurrency = 0;
  private lastSeq = 0;

  /** A call became live (created or rung in). */
  callStarted(callId: string): void {
    this.liveCallIds.add(callId);
    if (this.liveCallIds.size > this.peakConcurrency) this.peakConcurrency = this.liveCallIds.size;
  }

  /** A call reached a final status. */
  callFinished(callId: string): void {
    this.liveCallIds.delete(callId);
  }

  resetPeak(): void {
    this.peakConcurrency = this.liveCallIds.size;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  /** A copy-free view for `JSON.stringify`; the caller must serialise it before the state changes again. */
  save(): SavedState {
    return {
      lastSeq: this.lastSeq,
      agents: [...this.agents.values()],
      llms: [...this.llms.values()],
      phoneNumbers: [...this.phoneNumbers.values()],
      calls: [...this.calls.values()],
      idempotencyKeys: [...this.idempotencyKeys],
      tombstones: [...this.tombstones],
    };
  }

  /** Replaces everything with a saved workspace. */
  restore(saved: SavedState): void {
    this.clear();
    this.lastSeq = saved.lastSeq;
    for (const agent of saved.agents) this.agents.set(agent.id, agent);
    for (const llm of saved.llms) this.llms.set(llm.id, llm);
    for (const number of saved.phoneNumbers) this.phoneNumbers.set(number.view.phone_number, number);
    for (const call of saved.calls) {
      this.calls.set(call.call.call_id, call);
      if (call.call.call_status === 'registered' || call.call.call_status === 'ongoing') this.callStarted(call.call.call_id);
    }
    for (const [key, value] of saved.idempotencyKeys) this.idempotencyKeys.set(key, value);
    for (const [key, value] of saved.tombstones) this.tombstones.set(key, value);
  }

  clear(): void {
    this.agents.clear();
    this.llms.clear();
    this.phoneNumbers.clear();
    this.calls.clear();
    this.idempotencyKeys.clear();
    this.tombstones.clear();
    this.liveCallIds.clear();
    this.peakConcurrency = 0;
  }
}
