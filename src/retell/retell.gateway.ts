import { Injectable, Logger } from '@nestjs/common';
import Retell, { APIError } from 'retell-sdk';
import { ApiException } from '../common/errors/app-exceptions.js';
import { mapRetellError, retellMessage } from './retell-errors.js';
import { RetellConnection } from './retell-client.provider.js';
import { isTransient, withRetries } from './retell-ops.js';

/**
 * The retry policies, all of them. `ONCE`: creates that cost money or are not idempotent — a create that timed out
 * may have happened, and a blind retry would dial twice or make an orphan we hold no id for. Reads and idempotent
 * updates (which re-send a whole state) use the client's own retries (`RETELL_MAX_RETRIES`, `retry-after` capped).
 * Steps that must not be left half-done — an undo, a delete past the point of no return — are retried by
 * `withRetries` on top of single attempts, whatever `RETELL_MAX_RETRIES` says.
 */
const ONCE = { maxRetries: 0 } as const;

/** Something to run at Retell if a later step fails: delete what a create made, or re-send the previous state. */
export interface UndoStep {
  what: string;
  run(): Promise<unknown>;
}

/**
 * What kind of refusal a `RetellFailure` is, for callers that act on it: `concurrency_limit` — the workspace has as
 * many live calls as its limit (a create-phone-call/web-call 429 naming concurrency: nothing was dialled, try again when
 * a call ends); `rate_limited` — any other 429; `not_found` — Retell's 422 for an id it does not know; `other`.
 */
export type RetellFailureKind = 'concurrency_limit' | 'rate_limited' | 'not_found' | 'other';

/** Retell does not document the text of its concurrency 429; the emulator's and Retell's dashboards both say "concurrency". */
const CONCURRENCY_MESSAGE = /concurrency/i;

/** The retry hint for a concurrency refusal: a fast call ends in seconds, and the client should not hammer. */
const CONCURRENCY_RETRY_AFTER_SECONDS = 5;

/**
 * Retell failed or refused. Always our own envelope (502/503/504 with a retry hint, or a 400 where Retell judged the
 * client's input, or a 429 `workspace_concurrency` when the workspace is full); `notFound` is Retell's 422 for an id it
 * does not know, which some callers treat as "already gone".
 */
export class RetellFailure extends ApiException {
  readonly kind: RetellFailureKind;

  constructor(
    readonly retellStatus: number | undefined,
    envelope: { statusCode: number; message: string; retryAfterSeconds?: number; code?: string },
    kind?: RetellFailureKind,
  ) {
    super(envelope.statusCode, envelope.message, {
      ...(envelope.retryAfterSeconds !== undefined && { retryAfterSeconds: envelope.retryAfterSeconds }),
      ...(envelope.code !== undefined && { code: envelope.code }),
    });
    this.kind = kind ?? (retellStatus === 422 ? 'not_found' : retellStatus === 429 ? 'rate_limited' : 'other');
  }

  get notFound(): boolean {
    return this.retellStatus === 422;
  }

  /** The workspace is at its concurrency limit: nothing was dialled. */
  get concurrencyLimited(): boolean {
    return this.kind === 'concurrency_limit';
  }
}

interface Translation {
  /** Retell's 400 is the client's own input (a number request: area code, SIP host…): answered as our 400. */
  clientInput?: boolean;
  /** What to say when Retell no longer knows an id we hold. */
  notFound?: string;
  /** A call create: Retell's concurrency 429 is a `concurrency_limit` failure (our 429), not Retell trouble. */
  dial?: boolean;
}

/** create-phone-call's body: retell-sdk 5.66.1 does not type `idempotency_key` yet (Retell's OpenAPI rev 2026-10-04 has it). */
type PhoneCallParams = Retell.CallCreatePhoneCallParams & { idempotency_key?: string };

/**
 * A keyed dial may be retried: Retell answers a repeated key within an hour with the call it made, and dials nothing.
 * Retried on connection errors, timeouts, 408/409 and 5xx — where we cannot know whether Retell dialled — but not on
 * 429: a concurrency or rate refusal dialled nothing and is the caller's cue to back off, not to hammer.
 */
const KEYED_DIAL_ATTEMPTS = 3;
const isAmbiguous = (error: unknown): boolean => isTransient(error) && !(error instanceof APIError && error.status === 429);

function translate(error: unknown, how: Translation = {}): unknown {
  if (!(error instanceof APIError)) return error;
  const status = error.status;
  if (how.clientInput && status === 400) return new RetellFailure(status, { statusCode: 400, message: `Retell refused the request: ${retellMessage(error)}` });
  if (how.notFound && status === 422) return new RetellFailure(status, { statusCode: 502, message: how.notFound });
  if (how.dial && status === 429 && CONCURRENCY_MESSAGE.test(retellMessage(error))) {
    const retryAfter = Number(error.headers?.get('retry-after'));
    return new RetellFailure(
      status,
      {
        statusCode: 429,
        code: 'workspace_concurrency',
        message: 'All call lines are busy right now (the Retell workspace is at its concurrency limit); try again shortly',
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : CONCURRENCY_RETRY_AFTER_SECONDS,
      },
      'concurrency_limit',
    );
  }
  return new RetellFailure(status, mapRetellError(error));
}

/** Voice agent binding of a number: inbound and outbound calls go to one agent (or none: unanswered). */
export interface NumberBinding {
  inbound_agents: Array<{ agent_id: string; weight: number }>;
  outbound_agents: Array<{ agent_id: string; weight: number }>;
  nickname?: string;
  /** Where Retell asks, per inbound call, which agent answers (`call_inbound`); null clears it. */
  inbound_webhook_url?: string | null;
}

/**
 * The only code that calls `retell-sdk`: one method per intent. Each method owns its retry policy, translates Retell's
 * errors into ours, and hands back the undo step of what it did, so services only compose intents.
 */
@Injectable()
export class RetellGateway {
  private readonly logger = new Logger('Retell');

  constructor(
    private readonly retell: Retell,
    private readonly connection: RetellConnection,
  ) {}

  private async call<T>(op: () => Promise<T>, how?: Translation): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw translate(error, how);
    }
  }

  /** A delete where "already gone" (Retell's 422 for unknown ids) counts as done. */
  private async remove(op: () => Promise<unknown>, retried: boolean): Promise<'deleted' | 'already gone'> {
    const attempt = async () => {
      try {
        await op();
        return 'deleted' as const;
      } catch (error) {
        if (error instanceof APIError && error.status === 422) return 'already gone' as const;
        throw error;
      }
    };
    return this.call(() => (retried ? withRetries(attempt) : attempt()));
  }

  // ---- LLMs -------------------------------------------------------------------------------------------------------

  async createLlm(params: Retell.LlmCreateParams): Promise<{ llmId: string; undo: UndoStep }> {
    const llm = await this.call(() => this.retell.llm.create(params, ONCE));
    return { llmId: llm.llm_id, undo: { what: `delete Retell LLM ${llm.llm_id}`, run: () => this.deleteLlm(llm.llm_id) } };
  }

  /** Sends the LLM's whole state we own (idempotent); the undo sends `previous` back. */
  async updateLlm(llmId: string, fields: Retell.LlmUpdateParams, previous: Retell.LlmUpdateParams): Promise<UndoStep> {
    await this.call(() => this.retell.llm.update(llmId, fields));
    return { what: `restore Retell LLM ${llmId}`, run: () => this.retell.llm.update(llmId, previous, ONCE) };
  }

  /** Retell replaces `general_tools` as a unit: the agent's complete list, every time. */
  replaceTools(llmId: string, tools: Retell.LlmUpdateParams['general_tools'], previous: Retell.LlmUpdateParams['general_tools']): Promise<UndoStep> {
    return this.updateLlm(llmId, { general_tools: tools }, { general_tools: previous });
  }

  retrieveLlm(llmId: string): Promise<Retell.LlmResponse> {
    return this.call(() => this.retell.llm.retrieve(llmId));
  }

  deleteLlm(llmId: string): Promise<'deleted' | 'already gone'> {
    return this.remove(() => this.retell.llm.delete(llmId, { force_delete: true }, ONCE), true);
  }

  // ---- Agents -----------------------------------------------------------------------------------------------------

  async createAgent(params: Retell.AgentCreateParams): Promise<{ agent: Retell.AgentResponse; undo: UndoStep }> {
    const agent = await this.call(() => this.retell.agent.create(params, ONCE));
    return { agent, undo: { what: `delete Retell agent ${agent.agent_id}`, run: () => this.remove(() => this.retell.agent.delete(agent.agent_id, ONCE), true) } };
  }

  async updateAgent(agentId: string, fields: Retell.AgentUpdateParams, previous?: Retell.AgentUpdateParams): Promise<{ agent: Retell.AgentResponse; undo: UndoStep }> {
    const agent = await this.call(() => this.retell.agent.update(agentId, fields));
    const undo = { what: `restore Retell agent ${agentId}`, run: async () => (previous ? this.retell.agent.update(agentId, previous, ONCE) : undefined) };
    return { agent, undo };
  }

  retrieveAgent(agentId: string): Promise<Retell.AgentResponse> {
    return this.call(() => this.retell.agent.retrieve(agentId));
  }

  publishAgent(agentId: string, params: Retell.AgentPublishParams): Promise<void> {
    return this.call(() => this.retell.agent.publish(agentId, params));
  }

  /** Deleting an agent on a client's request: one try (with the client's retries); the client may send it again. */
  deleteAgent(agentId: string): Promise<'deleted' | 'already gone'> {
    return this.remove(() => this.retell.agent.delete(agentId), false);
  }

  // ---- Phone numbers ----------------------------------------------------------------------------------------------

  /** Buying costs money: never retried. The undo releases the number again. */
  async buyNumber(params: Retell.PhoneNumberCreateParams): Promise<{ number: Retell.PhoneNumberResponse; undo: UndoStep }> {
    const number = await this.call(() => this.retell.phoneNumber.create(params, ONCE), { clientInput: true, notFound: NUMBER_GONE });
    return { number, undo: this.releaseStep(number.phone_number) };
  }

  async importNumber(params: Retell.PhoneNumberImportParams): Promise<{ number: Retell.PhoneNumberResponse; undo: UndoStep }> {
    const number = await this.call(() => this.retell.phoneNumber.import(params, ONCE), { clientInput: true, notFound: NUMBER_GONE });
    return { number, undo: this.releaseStep(number.phone_number) };
  }

  /** Points the number at an agent (or at none). The undo restores `previous`. */
  async bindNumber(phoneNumber: string, binding: NumberBinding, previous: NumberBinding): Promise<UndoStep> {
    await this.call(() => this.retell.phoneNumber.update(phoneNumber, binding), { clientInput: true, notFound: NUMBER_GONE });
    return { what: `restore the binding of ${phoneNumber}`, run: () => this.retell.phoneNumber.update(phoneNumber, previous, ONCE) };
  }

  releaseNumber(phoneNumber: string): Promise<'deleted' | 'already gone'> {
    return this.remove(() => this.retell.phoneNumber.delete(phoneNumber), false);
  }

  private releaseStep(phoneNumber: string): UndoStep {
    return { what: `release ${phoneNumber}`, run: () => this.remove(() => this.retell.phoneNumber.delete(phoneNumber, ONCE), true) };
  }

  // ---- Calls ------------------------------------------------------------------------------------------------------

  /**
   * Dials. Without an idempotency key never retried (a retried create could place a second call). With one
   * (`idempotency_key`, 5–255 of `[A-Za-z0-9_-]`, one per attempt) it is retried up to 3 times on failures that leave
   * unknown whether Retell dialled (see `isAmbiguous`): Retell answers a key it has seen within the hour with the call
   * it made. A full workspace is a `RetellFailure` with `kind: 'concurrency_limit'` (`concurrencyLimited`).
   */
  placePhoneCall(params: Retell.CallCreatePhoneCallParams, options: { idempotencyKey?: string } = {}): Promise<Retell.PhoneCallResponse> {
    const { idempotencyKey } = options;
    if (idempotencyKey === undefined) return this.call(() => this.retell.call.createPhoneCall(params, ONCE), { dial: true });
    const body: PhoneCallParams = { ...params, idempotency_key: idempotencyKey };
    return this.call(() => withRetries(() => this.retell.call.createPhoneCall(body, ONCE), KEYED_DIAL_ATTEMPTS, isAmbiguous), { dial: true });
  }

  createWebCall(params: Retell.CallCreateWebCallParams): Promise<Retell.CreateWebCallResponse> {
    return this.call(() => this.retell.call.createWebCall(params, ONCE), { dial: true });
  }

  /** The workspace's concurrency limit and its live calls now (a read: the client's retries). */
  async getConcurrency(): Promise<{ limit: number; current: number }> {
    const report = await this.call(() => this.retell.concurrency.retrieve());
    return { limit: report.concurrency_limit ?? 0, current: report.current_concurrency ?? 0 };
  }

  retrieveCall(callId: string): Promise<Retell.CallResponse> {
    return this.call(() => this.retell.call.retrieve(callId), { notFound: 'Retell no longer has this call' });
  }

  // ---- Voices and webhooks ----------------------------------------------------------------------------------------

  listVoices(): Promise<Retell.VoiceListResponse> {
    return this.call(() => this.retell.voice.list());
  }

  /** Retell's scheme: HMAC-SHA256 over the raw body + timestamp, keyed with the API key; at most 5 minutes old. */
  async verifyWebhook(rawBody: string, signature: string): Promise<boolean> {
    return Retell.verify(rawBody, this.connection.apiKey, signature).catch(() => false);
  }

  // ---- Composition ------------------------------------------------------------------------------------------------

  /**
   * Runs undo steps newest first, each retried; one that still fails is logged with what it was (an orphan at Retell
   * to clean up by hand) and never hides the error that caused the undo.
   */
  async undo(steps: UndoStep[]): Promise<void> {
    for (const step of [...steps].reverse()) {
      try {
        await withRetries(() => step.run());
      } catch (error) {
        this.logger.error({ msg: `could not undo at Retell: ${step.what}`, err: error instanceof Error ? error.message : String(error) });
      }
    }
    steps.length = 0;
  }

  /** `work` collects undo steps; if it throws, they run (newest first) and the error goes on. */
  async withUndo<T>(work: (undo: UndoStep[]) => Promise<T>): Promise<T> {
    const steps: UndoStep[] = [];
    try {
      return await work(steps);
    } catch (error) {
      await this.undo(steps);
      throw error;
    }
  }
}

const NUMBER_GONE = 'Retell no longer knows this phone number or agent';
