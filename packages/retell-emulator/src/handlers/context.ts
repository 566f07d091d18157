import type { Scenario } from '../scenarios.js';
import type { EmulatorState, StoredCall } from '../state.js';

/** What the route handlers need from the emulator, kept narrow so handlers stay plain functions over state. */
export interface HandlerContext {
  readonly state: EmulatorState;
  /** Signs web-call access tokens. */
  readonly apiKey: string;
  now(): number;
  /** The workspace's concurrency limit now (the `concurrencyLimit` option, changeable through the control API). */
  concurrencyLimit(): number;
  /** The scenario a new call plays (control-API overrides first, then the destination number's digits). */
  scenarioFor(target: { agentId: string; toNumber?: string }): Scenario;
  /** Hands a freshly created call to its timeline. */
  beginCall(stored: StoredCall): void;
  /** Ends a live call now (`stop-call`). */
  stopCall(stored: StoredCall): void;
}
