import { newPhoneCall, pickWeightedAgent, resolveAgent, storeCall, type CallExtras, type ResolvedAgent } from './call-factory.js';
import { controlRoutes, type ConcurrencyReport, type EmulatorControls, type InboundCallInput, type InboundOutcome, type ScenarioTarget } from './control.js';
import { FaultInjector, type ActiveFault, type FaultSpec } from './faults.js';
import { agentRoutes } from './handlers/agents.js';
import { callRoutes } from './handlers/calls.js';
import { concurrencyRoutes, DEFAULT_CONCURRENCY_LIMIT } from './handlers/concurrency.js';
import type { HandlerContext } from './handlers/context.js';
import { llmRoutes } from './handlers/llms.js';
import { phoneNumberRoutes } from './handlers/phone-numbers.js';
import { voiceRoutes } from './handlers/voices.js';
import { RetellApiError } from './http.js';
import { Router } from './router.js';
import { scenarioForNumber, type Scenario } from './scenarios.js';
import { TaskTracker } from './scheduler.js';
import { StateFile } from './persistence.js';
import { EmulatorServer } from './server.js';
import { newCallId } from './ids.js';
import { EmulatorState, type CallView, type ReadonlyEmulatorState, type StoredCall, type StoredPhoneNumber } from './state.js';
import { CallTimeline, STEP_DELAYS, type CallEvent, type StepDelays, type TimingMode } from './timeline.js';
import { checkE164, type JsonObject } from './validation.js';
import { resolveVersion, toVersionRef } from './versioning.js';
import { WebhookDispatcher, type WebhookBehaviour, type WebhookDelivery } from './webhooks.js';

export type { ActiveFault, FaultSpec } from './faults.js';
export type { ConcurrencyReport, InboundCallInput, InboundOutcome, ScenarioTarget } from './control.js';
export { CONCURRENCY_LIMIT_MESSAGE, DEFAULT_CONCURRENCY_LIMIT } from './handlers/concurrency.js';
export { RetellApiError } from './http.js';
export { EmulatorStateError } from './persistence.js';
export { SCENARIOS, SCENARIO_BY_NUMBER_SUFFIX, type Scenario } from './scenarios.js';
export type { CallView, ReadonlyEmulatorState } from './state.js';
export type { CallEvent, TimingMode } from './timeline.js';
export type { WebhookBehaviour, WebhookDelivery } from './webhooks.js';

export interface RetellEmulatorOptions {
  /** The only Bearer key accepted, and the key webhooks are signed with (as Retell signs with your API key). */
  apiKey: string;
  /** The dashboard's account-level webhook URL: used for agents without their own `webhook_url`. */
  accountWebhookUrl?: string;
  /** `fast` (default) for tests, `human` for demos. */
  timing?: TimingMode;
  /** Webhook timeout for agents without `webhook_timeout_ms`; Retell's is 10 s. */
  webhookTimeoutMs?: number;
  /** Per-attempt timeout of a number's inbound webhook (`call_inbound`); Retell's is 10 s. */
  inboundWebhookTimeoutMs?: number;
  /** Request and delivery traces come at `debug`; what an operator must see (a failed state write) at `warn`. */
  logger?: (message: string, level: 'debug' | 'warn') => void;
  /**
   * Keep the workspace (agents and their versions, LLMs, numbers, calls and so their recordings) in this folder, so
   * it survives a restart: loaded by `start()`, written shortly after every change and by `stop()`. Unset: memory
   * only. One emulator per folder at a time (a lock file holds the owner's pid).
   */
  stateDir?: string;
  /**
   * The workspace's concurrency limit (default 20, Retell's pay-as-you-go default): create-phone-call and
   * create-web-call answer 429 while this many calls are `registered` or `ongoing`, and dial nothing.
   */
  concurrencyLimit?: number;
  /**
   * How long a connected call talks, in ms (from `call_started` to `call_ended`), overriding the timing's own
   * (`fast` 20 ms, `human` 15 s). A call is live for its ring delay (`fast` 5 ms) plus this. For benches.
   */
  callDurationMs?: number;
}

/** Retell's default `webhook_events` for voice agents. */
const DEFAULT_WEBHOOK_EVENTS: readonly CallEvent[] = ['call_started', 'call_ended', 'call_analyzed'];
const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** Retell does not document its backoff; these keep tests fast and demos plausible. */
function checkConcurrencyLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0 || limit > 100_000) throw new Error(`concurrencyLimit must be an integer from 0 to 100000, got ${limit}.`);
  return limit;
}

function checkCallDuration(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > 7_200_000) throw new Error(`callDurationMs must be an integer from 0 to 7200000, got ${ms}.`);
  return ms;
}

const WEBHOOK_RETRY_DELAY_MS: Readonly<Record<TimingMode, (retry: number) => number>> = {
  fast: (retry) => 5 * retry,
  human: (retry) => 1000 * 2 ** (retry - 1),
};

/**
 * A local stand-in for the Retell API, answering exactly the paths `retell-sdk` 5.66.1 calls. Pass `start()`'s URL
 * as the SDK's `baseURL`. Calls play through scripted timelines and send signed webhooks; faults can be injected.
 */
export class RetellEmulator implements EmulatorControls {
  private readonly store = new EmulatorState();
  private readonly tracker: TaskTracker;
  private readonly faultInjector = new FaultInjector();
  private readonly webhooks: WebhookDispatcher;
  private readonly timeline: CallTimeline;
  private readonly server: EmulatorServer;
  /** Keys `number:<E.164>` and `agent:<agent_id>`. */
  private readonly scenarioOverrides = new Map<string, Scenario>();
  private baseUrl: string | undefined;
  private readonly stateFile: StateFile | undefined;
  private concurrencyLimitNow: number;
  /** The timeline reads these at each step, so a change applies to the next step scheduled. */
  private readonly delays: StepDelays;

  constructor(private readonly options: RetellEmulatorOptions) {
    if (!options.apiKey) throw new Error('RetellEmulator needs an apiKey.');
    const timing = options.timing ?? 'fast';
    this.concurrencyLimitNow = checkConcurrencyLimit(options.concurrencyLimit ?? DEFAULT_CONCURRENCY_LIMIT);
    this.delays = { ...STEP_DELAYS[timing] };
    if (options.callDurationMs !== undefined) this.delays.talkMs = checkCallDuration(options.callDurationMs);
    const logger = options.logger ?? (() => undefined);
    const log = (message: string): void => logger(message, 'debug');
    this.tracker = new TaskTracker((error) => log(`background task failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    this.webhooks = new WebhookDispatcher({ apiKey: options.apiKey, tracker: this.tracker, retryDelayMs: WEBHOOK_RETRY_DELAY_MS[timing], log });
    this.timeline = new CallTimeline({
      state: this.store,
      tracker: this.tracker,
      delays: this.delays,
      now: Date.now,
      mediaBaseUrl: () => this.baseUrl ?? 'http://127.0.0.1',
      emit: (event, stored) => {
        this.changed();
        this.emit(event, stored);
      },
      finished: (stored) => this.webhooks.release(stored.call.call_id),
    });
    const ctx: HandlerContext = {
      state: this.store,
      apiKey: options.apiKey,
      // Read at each use (not the function captured), so a test can move the clock past the idempotency window.
      now: () => Date.now(),
      concurrencyLimit: () => this.concurrencyLimitNow,
      scenarioFor: (target) => this.scenarioFor(target),
      beginCall: (stored) => this.timeline.begin(stored),
      stopCall: (stored) => this.timeline.stop(stored),
    };
    const api = new Router([
      ...agentRoutes(ctx),
      ...llmRoutes(ctx),
      ...phoneNumberRoutes(ctx),
      ...callRoutes(ctx),
      ...voiceRoutes(),
      ...concurrencyRoutes(ctx),
    ]);
    this.server = new EmulatorServer({
      apiKey: options.apiKey,
      api,
      control: new Router(controlRoutes(this)),
      faults: this.faultInjector,
      log,
      changed: () => this.changed(),
    });
    this.stateFile = options.stateDir === undefined ? undefined : new StateFile(options.stateDir, (message) => logger(message, 'warn'));
  }

  /**
   * Listens (port 0 = any free port) and resolves with the base URL, e.g. `http://127.0.0.1:41234`. With a
   * `stateDir`, the saved workspace is loaded first and calls that were still in progress carry on.
   */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const saved = this.stateFile && this.openStateFile(this.stateFile);
    try {
      this.baseUrl = await this.server.listen(port, host);
    } catch (error) {
      this.stateFile?.close();
      throw error;
    }
    for (const stored of saved?.calls ?? []) this.timeline.resume(stored);
    return this.baseUrl;
  }

  /** Closes every socket and cancels every pending step and delivery; with a `stateDir`, writes the workspace. */
  async stop(): Promise<void> {
    this.cancelActivity();
    await Promise.all([this.server.close(), this.tracker.whenIdle()]);
    this.stateFile?.close();
    this.baseUrl = undefined;
  }

  /**
   * Back to an empty workspace: state (and so the peak concurrency), faults, scenario overrides, webhook switches and
   * pending timelines. The concurrency limit and call duration stay as set.
   */
  reset(): void {
    this.cancelActivity();
    this.store.clear();
    this.faultInjector.clear();
    this.scenarioOverrides.clear();
    this.webhooks.behaviour = { duplicate: false, outOfOrder: false };
    this.changed();
  }

  /** Agents, LLMs, phone numbers and calls as stored, for assertions such as "nothing was left behind at Retell". */
  get state(): ReadonlyEmulatorState {
    return this.store;
  }

  /** Every webhook delivery attempt since the last reset, in order. */
  get deliveries(): readonly WebhookDelivery[] {
    return this.webhooks.deliveries;
  }

  get faults(): readonly ActiveFault[] {
    return this.faultInjector.active;
  }

  /** Makes the next `times` (default 1) requests matching `method` and the `path` prefix fail as described. */
  injectFault(spec: FaultSpec): ActiveFault {
    return this.faultInjector.inject(spec);
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  setWebhookBehaviour(behaviour: Partial<WebhookBehaviour>): WebhookBehaviour {
    this.webhooks.behaviour = { ...this.webhooks.behaviour, ...behaviour };
    return this.webhooks.behaviour;
  }

  /** Makes calls to a number, or calls run by an agent, play `scenario` whatever the number's digits say. */
  setScenario(target: ScenarioTarget, scenario: Scenario): void {
    this.scenarioOverrides.set('to_number' in target ? `number:${target.to_number}` : `agent:${target.agent_id}`, scenario);
  }

  /** The workspace's concurrency: its limit, the calls live now, and the most live at once since the last reset. */
  get concurrency(): ConcurrencyReport {
    return { concurrency_limit: this.concurrencyLimitNow, current_concurrency: this.store.liveCallIds.size, peak_concurrency: this.store.peakConcurrency };
  }

  /** Changes the workspace's concurrency limit; calls already live go on (as at Retell when a limit is lowered). */
  setConcurrencyLimit(limit: number): void {
    this.concurrencyLimitNow = checkConcurrencyLimit(limit);
  }

  /** Starts a new peak measurement from the calls live now. */
  resetPeakConcurrency(): void {
    this.store.resetPeak();
  }

  /** How long connected calls created from now on talk (see the `callDurationMs` option). */
  setCallDurationMs(ms: number): void {
    this.delays.talkMs = checkCallDuration(ms);
  }

  /** Resolves once no call step and no webhook delivery is pending. */
  waitForIdle(): Promise<void> {
    return this.tracker.whenIdle();
  }

  /**
   * Simulates someone calling one of the emulator's numbers: one of its `inbound_agents` (by weight) answers and
   * the call plays through the same timeline as outbound calls, with `direction: 'inbound'`. Numbers with an
   * `inbound_webhook_url` must be rung with `callInbound` (Retell asks the webhook first).
   */
  ringInbound(input: InboundCallInput): CallView {
    const number = this.store.phoneNumbers.get(input.to_number);
    if (!number) throw new RetellApiError(422);
    if (number.view.inbound_webhook_url) throw new RetellApiError(409, `${input.to_number} has an inbound_webhook_url: ring it with callInbound().`);
    const agents = number.view.inbound_agents ?? [];
    if (agents.length === 0) throw new RetellApiError(422, `${input.to_number} has no inbound agent to answer the call.`);
    checkE164(input.from_number, 'from_number');
    return this.connectInbound(input, number, pickWeightedAgent(this.store, agents), {}, newCallId());
  }

  /**
   * An inbound call as Retell places it: without an \`inbound_webhook_url\`, as \`ringInbound\`. With one, Retell POSTs
   * \`call_inbound\` (signed, 10 s per attempt, retried up to 3 times) while the call rings, then honours the answer:
   * \`override_agent_id\` (and version) picks the agent, \`dynamic_variables\` and \`metadata\` go on the call; no
   * \`override_agent_id\` leaves the number's inbound agents, and with none the call is refused (no call is created).
   * When every attempt fails, the number's inbound agents answer, or the call is refused if it has none.
   */
  async callInbound(input: InboundCallInput): Promise<InboundOutcome> {
    const number = this.store.phoneNumbers.get(input.to_number);
    if (!number) throw new RetellApiError(422);
    const url = number.view.inbound_webhook_url;
    if (!url) return { outcome: 'connected', call: this.ringInbound(input) };
    const fromNumber = checkE164(input.from_number, 'from_number');
    const agents = number.view.inbound_agents ?? [];
    const callId = newCallId();
    const first = agents[0];
    const answer = await this.webhooks.askInbound(
      url,
      {
        call_inbound: {
          ...(first && { agent_id: first.agent_id, ...(first.agent_version !== undefined && { agent_version: first.agent_version }) }),
          from_number: fromNumber,
          to_number: number.view.phone_number,
          call_id: callId,
        },
      },
      this.options.inboundWebhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    );
    const refused = (reason: string): InboundOutcome => ({ outcome: 'refused', call_id: callId, reason });
    if (!answer) return agents.length > 0 ? this.inboundWith(input, number, pickWeightedAgent(this.store, agents), {}, callId) : refused('inbound_webhook_failed');
    const reply = answer.call_inbound;
    const fields: JsonObject = typeof reply === 'object' && reply !== null && !Array.isArray(reply) ? (reply as JsonObject) : {};
    const extras: CallExtras = {};
    const variables = fields.dynamic_variables;
    if (variables !== undefined && variables !== null) {
      const valid = typeof variables === 'object' && !Array.isArray(variables) && Object.values(variables).every((value) => typeof value === 'string');
      if (!valid) return refused('dynamic_variables must be an object of strings');
      extras.retell_llm_dynamic_variables = variables as Record<string, string>;
    }
    if (fields.metadata !== undefined && fields.metadata !== null) extras.metadata = fields.metadata;
    if (typeof fields.override_agent_id === 'string') {
      let resolved;
      try {
        resolved = resolveAgent(this.store, fields.override_agent_id, toVersionRef(fields.override_agent_version, 'override_agent_version'));
      } catch {
        return refused('override_agent_id is not an agent of this workspace');
      }
      return this.inboundWith(input, number, resolved, extras, callId);
    }
    if (agents.length === 0) return refused('rejected');
    return this.inboundWith(input, number, pickWeightedAgent(this.store, agents), extras, callId);
  }

  private inboundWith(input: InboundCallInput, number: StoredPhoneNumber, resolved: ResolvedAgent, extras: CallExtras, callId: string): InboundOutcome {
    return { outcome: 'connected', call: this.connectInbound(input, number, resolved, extras, callId) };
  }

  private connectInbound(input: InboundCallInput, number: StoredPhoneNumber, resolved: ResolvedAgent, extras: CallExtras, callId: string): CallView {
    const fromNumber = checkE164(input.from_number, 'from_number');
    const call = { ...newPhoneCall({ resolved, direction: 'inbound', retellNumber: number, from_number: fromNumber, to_number: number.view.phone_number, extras }), call_id: callId };
    const scenario = input.scenario ?? this.scenarioFor({ agentId: resolved.agent.id });
    this.timeline.begin(storeCall(this.store, call, scenario, Date.now()));
    this.changed();
    return call;
  }

  private scenarioFor({ agentId, toNumber }: { agentId: string; toNumber?: string }): Scenario {
    return (
      (toNumber !== undefined ? this.scenarioOverrides.get(`number:${toNumber}`) : undefined) ??
      this.scenarioOverrides.get(`agent:${agentId}`) ??
      (toNumber !== undefined ? scenarioForNumber(toNumber) : 'completed')
    );
  }

  /** Routes an event to the agent's webhook (else the account's), if the agent subscribes to it. */
  private emit(event: CallEvent, stored: StoredCall): void {
    const agent = this.store.agents.get(stored.call.agent_id);
    const config: JsonObject = (agent && resolveVersion(agent, stored.call.agent_version)?.config) ?? {};
    const url = typeof config.webhook_url === 'string' ? config.webhook_url : this.options.accountWebhookUrl;
    const events = Array.isArray(config.webhook_events) ? config.webhook_events : DEFAULT_WEBHOOK_EVENTS;
    if (url === undefined || !events.includes(event)) return;
    const timeoutMs = typeof config.webhook_timeout_ms === 'number' ? config.webhook_timeout_ms : (this.options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS);
    this.webhooks.send({ url, timeoutMs }, event, stored.call);
  }

  private openStateFile(stateFile: StateFile) {
    stateFile.lock();
    try {
      const saved = stateFile.load();
      if (saved) this.store.restore(saved);
      return saved;
    } catch (error) {
      stateFile.close();
      throw error;
    }
  }

  /** Something in the workspace changed: have it written soon (calls within a short window share one write). */
  private changed(): void {
    this.stateFile?.changed(() => this.store.save());
  }

  private cancelActivity(): void {
    this.tracker.cancelScheduled();
    this.timeline.clear();
    this.webhooks.reset();
    this.server.releaseHeld();
  }
}
