import { FaultSpecError, parseFaultSpec, type ActiveFault, type FaultSpec } from './faults.js';
import { badRequest, created, noContent, ok, RawBody, RetellApiError, type Reply } from './http.js';
import type { Route } from './router.js';
import { isScenario, SCENARIOS, type Scenario } from './scenarios.js';
import type { CallView, ReadonlyEmulatorState } from './state.js';
import type { JsonObject } from './validation.js';
import type { WebhookBehaviour, WebhookDelivery } from './webhooks.js';

export interface InboundCallInput {
  /** The caller. */
  from_number: string;
  /** A number held by the emulator with `inbound_agents`. */
  to_number: string;
  scenario?: Scenario;
}

/** How an inbound call went: connected (the call, as created), or refused before any call existed. */
export type InboundOutcome = { outcome: 'connected'; call: CallView } | { outcome: 'refused'; call_id: string; reason: string };

/** Which calls a scenario override applies to: those to a number, or those run by an agent. */
export type ScenarioTarget = { to_number: string } | { agent_id: string };

export interface ConcurrencyReport {
  concurrency_limit: number;
  /** Calls `registered` or `ongoing` now. */
  current_concurrency: number;
  /** The most calls live at once since the last reset (of the emulator or of the peak). */
  peak_concurrency: number;
}

/** What the control API drives; `RetellEmulator` implements it. */
export interface EmulatorControls {
  readonly concurrency: ConcurrencyReport;
  setConcurrencyLimit(limit: number): void;
  resetPeakConcurrency(): void;
  setCallDurationMs(ms: number): void;
  readonly state: ReadonlyEmulatorState;
  readonly deliveries: readonly WebhookDelivery[];
  readonly faults: readonly ActiveFault[];
  reset(): void;
  injectFault(spec: FaultSpec): ActiveFault;
  clearFaults(): void;
  ringInbound(input: InboundCallInput): CallView;
  callInbound(input: InboundCallInput): Promise<InboundOutcome>;
  setWebhookBehaviour(behaviour: Partial<WebhookBehaviour>): WebhookBehaviour;
  setScenario(target: ScenarioTarget, scenario: Scenario): void;
  waitForIdle(): Promise<void>;
}

/** Emulator-only endpoints live under this prefix; they need no API key and must never be exposed publicly. */
export const CONTROL_PATH = '/__emulator';

/** A second of 8 kHz 16-bit mono silence: enough for audio players in demos to load the "recording". */
function silentWav(): Buffer {
  const sampleRate = 8000;
  const dataBytes = sampleRate * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([header, Buffer.alloc(dataBytes)]);
}

function parseInbound(body: JsonObject): InboundCallInput {
  const { from_number, to_number, scenario } = body;
  if (typeof from_number !== 'string' || typeof to_number !== 'string') throw badRequest('from_number and to_number are required.');
  if (scenario !== undefined && !isScenario(scenario)) throw badRequest(`scenario must be one of ${SCENARIOS.join(', ')}.`);
  return { from_number, to_number, ...(scenario !== undefined && { scenario }) };
}

function parseScenarioTarget(body: JsonObject): ScenarioTarget {
  if (typeof body.to_number === 'string') return { to_number: body.to_number };
  if (typeof body.agent_id === 'string') return { agent_id: body.agent_id };
  throw badRequest('Give to_number or agent_id.');
}

function snapshot(state: ReadonlyEmulatorState): JsonObject {
  return {
    agents: [...state.agents.values()],
    llms: [...state.llms.values()],
    phone_numbers: [...state.phoneNumbers.values()].map((stored) => stored.view),
    calls: [...state.calls.values()].map((stored) => ({ ...stored.call, emulator_scenario: stored.scenario })),
  };
}

/** The emulator-only control API (no Retell auth). Never expose it beyond the machine running the tests or demo. */
export function controlRoutes(emulator: EmulatorControls): Route[] {
  const media = (callId: string, file: string): Reply => {
    const stored = emulator.state.calls.get(callId);
    if (!stored) throw new RetellApiError(404);
    if (file === 'recording.wav' || file === 'recording_multichannel.wav') return ok(new RawBody('audio/wav', silentWav()));
    if (file === 'public_log.txt') return ok(new RawBody('text/plain; charset=utf-8', stored.call.transcript ?? ''));
    throw new RetellApiError(404);
  };

  return [
    {
      method: 'POST',
      path: `${CONTROL_PATH}/reset`,
      handler: () => {
        emulator.reset();
        return noContent();
      },
    },
    {
      method: 'POST',
      path: `${CONTROL_PATH}/faults`,
      handler: ({ body }) => {
        try {
          return created(emulator.injectFault(parseFaultSpec(body)));
        } catch (error) {
          if (error instanceof FaultSpecError) throw badRequest(error.message);
          throw error;
        }
      },
    },
    { method: 'GET', path: `${CONTROL_PATH}/faults`, handler: () => ok(emulator.faults) },
    {
      method: 'DELETE',
      path: `${CONTROL_PATH}/faults`,
      handler: () => {
        emulator.clearFaults();
        return noContent();
      },
    },
    {
      // 201 with the call once it is connected (after the number's inbound webhook answered, if it has one); 200
      // with `{ refused: true, call_id, reason }` when the call was refused and so never created.
      method: 'POST',
      path: `${CONTROL_PATH}/inbound-calls`,
      handler: async ({ body }) => {
        const outcome = await emulator.callInbound(parseInbound(body));
        return outcome.outcome === 'connected' ? created(outcome.call) : ok({ refused: true, call_id: outcome.call_id, reason: outcome.reason });
      },
    },
    {
      method: 'POST',
      path: `${CONTROL_PATH}/webhook-behaviour`,
      handler: ({ body }) => {
        for (const key of ['duplicate', 'outOfOrder'] as const) {
          if (body[key] !== undefined && typeof body[key] !== 'boolean') throw badRequest(`${key} must be a boolean.`);
        }
        return ok(emulator.setWebhookBehaviour(body as Partial<WebhookBehaviour>));
      },
    },
    {
      method: 'POST',
      path: `${CONTROL_PATH}/scenarios`,
      handler: ({ body }) => {
        if (!isScenario(body.scenario)) throw badRequest(`scenario must be one of ${SCENARIOS.join(', ')}.`);
        emulator.setScenario(parseScenarioTarget(body), body.scenario);
        return noContent();
      },
    },
    { method: 'GET', path: `${CONTROL_PATH}/concurrency`, handler: () => ok(emulator.concurrency) },
    {
      method: 'POST',
      path: `${CONTROL_PATH}/concurrency`,
      handler: ({ body }) => {
        const { concurrency_limit: limit, reset_peak: resetPeak } = body;
        if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 0 || (limit as number) > 100_000)) {
          throw badRequest('concurrency_limit must be an integer from 0 to 100000.');
        }
        if (resetPeak !== undefined && typeof resetPeak !== 'boolean') throw badRequest('reset_peak must be a boolean.');
        if (limit !== undefined) emulator.setConcurrencyLimit(limit as number);
        if (resetPeak === true) emulator.resetPeakConcurrency();
        return ok(emulator.concurrency);
      },
    },
    {
      method: 'POST',
      path: `${CONTROL_PATH}/timing`,
      handler: ({ body }) => {
        const ms = body.call_duration_ms;
        if (!Number.isInteger(ms) || (ms as number) < 0 || (ms as number) > 7_200_000) throw badRequest('call_duration_ms must be an integer from 0 to 7200000.');
        emulator.setCallDurationMs(ms as number);
        return ok({ call_duration_ms: ms });
      },
    },
    { method: 'GET', path: `${CONTROL_PATH}/state`, handler: () => ok(snapshot(emulator.state)) },
    { method: 'GET', path: `${CONTROL_PATH}/deliveries`, handler: () => ok(emulator.deliveries) },
    {
      method: 'POST',
      path: `${CONTROL_PATH}/wait-for-idle`,
      handler: async () => {
        await emulator.waitForIdle();
        return noContent();
      },
    },
    { method: 'GET', path: `${CONTROL_PATH}/media/{call_id}/{file}`, handler: ({ params }) => media(params.call_id!, params.file!) },
  ];
}
