import type { Retell } from 'retell-sdk';
import { buildCallCost, buildTranscript, OUTCOMES, type ScenarioOutcome } from './scenarios.js';
import type { Cancel, TaskTracker } from './scheduler.js';
import type { EmulatorState, StoredCall } from './state.js';
import { isObject, type JsonObject } from './validation.js';
import { resolveVersion } from './versioning.js';

export type CallEvent = 'call_started' | 'call_ended' | 'call_analyzed';

export type TimingMode = 'fast' | 'human';

export interface StepDelays {
  /** Registered → picked up (or given up on). */
  ringMs: number;
  /** Picked up → hung up. */
  talkMs: number;
  /** Hung up → post-call analysis done. */
  analysisMs: number;
}

/** `fast` keeps a whole call under 50 ms for tests; `human` paces it like a short real call for demos. */
export const STEP_DELAYS: Readonly<Record<TimingMode, StepDelays>> = {
  fast: { ringMs: 5, talkMs: 20, analysisMs: 5 },
  human: { ringMs: 3_000, talkMs: 15_000, analysisMs: 5_000 },
};

export interface TimelineDeps {
  state: EmulatorState;
  tracker: TaskTracker;
  delays: StepDelays;
  now(): number;
  /** Where the recording and public-log URLs of a call point. */
  mediaBaseUrl(): string;
  /** Called after each step has updated the call, with the call as it now is. */
  emit(event: CallEvent, stored: StoredCall): void;
  /** Called once the call has nothing left to emit. */
  finished(stored: StoredCall): void;
}

type CallAnalysis = ScenarioOutcome['analysis'];

interface Ending {
  status: ScenarioOutcome['finalStatus'];
  reason: ScenarioOutcome['disconnectionReason'];
  analysis: CallAnalysis;
  /** Cut the scripted transcript short (a stopped call). */
  maxTurns?: number;
}

/** Retell's default `max_call_duration_ms` (1 hour). */
const DEFAULT_MAX_CALL_DURATION_MS = 3_600_000;

const STOPPED_ANALYSIS: CallAnalysis = {
  call_summary: 'The call was stopped through the API before it finished.',
  user_sentiment: 'Neutral',
  call_successful: false,
  in_voicemail: false,
};

/**
 * Plays each call through Retell's lifecycle: registered → `call_started` (ongoing) → `call_ended` (ended with
 * transcript, recording, cost) → `call_analyzed`. Calls that never connect skip `call_started`.
 */
export class CallTimeline {
  /** The next scheduled step of each live call, so `stop-call` can replace it. */
  private readonly nextStep = new Map<string, Cancel>();

  constructor(private readonly deps: TimelineDeps) {}

  begin(stored: StoredCall): void {
    this.schedule(stored, this.deps.delays.ringMs, () => this.pickUp(stored));
  }

  /** `stop-call`: ends a live call at once, with `manual_stopped`. */
  stop(stored: StoredCall): void {
    this.nextStep.get(stored.call.call_id)?.();
    this.nextStep.delete(stored.call.call_id);
    const connected = stored.call.call_status === 'ongoing';
    this.end(stored, {
      status: connected ? 'ended' : 'not_connected',
      reason: 'manual_stopped',
      analysis: connected ? STOPPED_ANALYSIS : { ...STOPPED_ANALYSIS, user_sentiment: 'Unknown' },
      maxTurns: 2,
    });
  }

  /**
   * Carries on with a call whose timeline was cut by a stop (its state came back from a state file): it resumes at
   * the step it had reached, as a call at Retell goes on while a client restarts. The next step waits at least a
   * ring delay, so the webhook receiver that starts alongside the emulator can come up first.
   */
  resume(stored: StoredCall): void {
    const { call } = stored;
    const outcome = OUTCOMES[stored.scenario];
    const minDelay = this.deps.delays.ringMs;
    if (call.call_status === 'registered') {
      this.schedule(stored, minDelay, () => this.pickUp(stored));
    } else if (call.call_status === 'ongoing') {
      const talkMs = outcome.lastsUntilMaxDuration ? this.maxDurationOf(stored) : this.deps.delays.talkMs;
      const remaining = call.start_timestamp! + talkMs - this.deps.now();
      this.schedule(stored, Math.max(remaining, minDelay), () => this.end(stored, this.endingOf(outcome), call.start_timestamp! + talkMs));
    } else if (call.call_analysis === undefined) {
      const stopped = call.disconnection_reason === 'manual_stopped';
      const analysis = !stopped ? outcome.analysis : call.start_timestamp !== undefined ? STOPPED_ANALYSIS : { ...STOPPED_ANALYSIS, user_sentiment: 'Unknown' as const };
      this.analyse(stored, analysis, minDelay);
    }
  }

  /** Forgets every live call; the tracker cancels their timers. */
  clear(): void {
    this.nextStep.clear();
  }

  private schedule(stored: StoredCall, delayMs: number, step: () => void): void {
    const callId = stored.call.call_id;
    this.nextStep.set(
      callId,
      this.deps.tracker.schedule(delayMs, () => {
        this.nextStep.delete(callId);
        step();
      }),
    );
  }

  private pickUp(stored: StoredCall): void {
    const outcome = OUTCOMES[stored.scenario];
    const ending = this.endingOf(outcome);
    if (!outcome.connects) {
      this.end(stored, ending);
      return;
    }
    Object.assign(stored.call, { call_status: 'ongoing', start_timestamp: this.deps.now() });
    this.deps.emit('call_started', stored);
    const talkMs = outcome.lastsUntilMaxDuration ? this.maxDurationOf(stored) : this.deps.delays.talkMs;
    this.schedule(stored, talkMs, () => this.end(stored, ending, stored.call.start_timestamp! + talkMs));
  }

  /**
   * `talkedUntil`: when the talk time ran out. A timer may fire a millisecond before the clock shows it has passed, so
   * a call that talked its full time never reports less.
   */
  private end(stored: StoredCall, ending: Ending, talkedUntil = 0): void {
    const { call } = stored;
    const now = Math.max(this.deps.now(), talkedUntil);
    const connected = call.start_timestamp !== undefined;
    const durationMs = connected ? now - call.start_timestamp! : 0;
    Object.assign(call, {
      call_status: ending.status,
      end_timestamp: now,
      duration_ms: durationMs,
      disconnection_reason: ending.reason,
      call_cost: buildCallCost(durationMs, call.call_type === 'phone_call'),
    });
    this.deps.state.callFinished(call.call_id);
    if (connected) Object.assign(call, this.recordingOf(stored, durationMs, ending.maxTurns));
    this.deps.emit('call_ended', stored);
    this.analyse(stored, ending.analysis, this.deps.delays.analysisMs);
  }

  private analyse(stored: StoredCall, analysis: CallAnalysis, delayMs: number): void {
    this.schedule(stored, delayMs, () => {
      const custom = stored.call.start_timestamp !== undefined ? this.customAnalysis(stored) : undefined;
      stored.call.call_analysis = { ...analysis, ...(custom && { custom_analysis_data: custom }) };
      this.deps.emit('call_analyzed', stored);
      this.deps.finished(stored);
    });
  }

  /**
   * A value of the declared type for each of the agent's `post_call_analysis_data` fields (string, a choice of the
   * enum, boolean, number), the same for the same call and field. Retell fills none for calls that did not connect.
   */
  private customAnalysis(stored: StoredCall): Record<string, string | number | boolean> | undefined {
    const agent = this.deps.state.agents.get(stored.call.agent_id);
    const fields = agent && resolveVersion(agent, stored.call.agent_version)?.config.post_call_analysis_data;
    if (!Array.isArray(fields) || fields.length === 0) return undefined;
    const data: Record<string, string | number | boolean> = {};
    for (const field of fields) {
      if (!isObject(field) || typeof field.name !== 'string') continue;
      const seed = [...`${stored.call.call_id}:${field.name}`].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
      if (field.type === 'boolean') data[field.name] = seed % 2 === 0;
      else if (field.type === 'number') data[field.name] = 1 + (seed % 10);
      else if (field.type === 'enum' && Array.isArray(field.choices) && field.choices.length > 0) data[field.name] = String(field.choices[seed % field.choices.length]);
      else data[field.name] = `Emulated ${field.name.replace(/_/g, ' ')}`;
    }
    return data;
  }

  private endingOf(outcome: ScenarioOutcome): Ending {
    return { status: outcome.finalStatus, reason: outcome.disconnectionReason, analysis: outcome.analysis };
  }

  private recordingOf(stored: StoredCall, durationMs: number, maxTurns: number | undefined): Partial<Retell.PhoneCallResponse> {
    const { call } = stored;
    const media = `${this.deps.mediaBaseUrl()}/__emulator/media/${call.call_id}`;
    const transcript = buildTranscript({
      outcome: OUTCOMES[stored.scenario],
      agentName: call.agent_name,
      beginMessage: this.beginMessageOf(stored),
      variables: call.retell_llm_dynamic_variables ?? {},
      durationMs,
      maxTurns,
    });
    return {
      ...transcript,
      transcript_with_tool_calls: transcript.transcript_object,
      recording_url: `${media}/recording.wav`,
      recording_multi_channel_url: `${media}/recording_multichannel.wav`,
      public_log_url: `${media}/public_log.txt`,
    };
  }

  private agentConfigOf(stored: StoredCall): JsonObject | undefined {
    const agent = this.deps.state.agents.get(stored.call.agent_id);
    return agent && resolveVersion(agent, stored.call.agent_version)?.config;
  }

  private maxDurationOf(stored: StoredCall): number {
    const configured = this.agentConfigOf(stored)?.max_call_duration_ms;
    return typeof configured === 'number' ? configured : DEFAULT_MAX_CALL_DURATION_MS;
  }

  /** The Retell LLM's `begin_message`, which opens the scripted conversation when set. */
  private beginMessageOf(stored: StoredCall): string | undefined {
    const engine = this.agentConfigOf(stored)?.response_engine;
    if (!isObject(engine) || engine.type !== 'retell-llm' || typeof engine.llm_id !== 'string') return undefined;
    const llm = this.deps.state.llms.get(engine.llm_id);
    const config: JsonObject | undefined = llm && resolveVersion(llm, typeof engine.version === 'number' ? engine.version : 'latest')?.config;
    return typeof config?.begin_message === 'string' && config.begin_message !== '' ? config.begin_message : undefined;
  }
}
