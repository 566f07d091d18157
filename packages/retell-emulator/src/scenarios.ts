import type { Retell } from 'retell-sdk';

export const SCENARIOS = ['completed', 'no_answer', 'busy', 'voicemail', 'error', 'long_call'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const isScenario = (value: unknown): value is Scenario => SCENARIOS.includes(value as Scenario);

/** Destination numbers ending in these digits pick a scenario; any other number picks `completed`. */
export const SCENARIO_BY_NUMBER_SUFFIX: Readonly<Record<string, Scenario>> = {
  '0001': 'no_answer',
  '0002': 'busy',
  '0003': 'voicemail',
  '0004': 'error',
  '0005': 'long_call',
};

export function scenarioForNumber(toNumber: string): Scenario {
  return SCENARIO_BY_NUMBER_SUFFIX[toNumber.slice(-4)] ?? 'completed';
}

type DisconnectionReason = NonNullable<Retell.PhoneCallResponse['disconnection_reason']>;
type CallAnalysis = Retell.PhoneCallResponse.CallAnalysis;
type Utterance = Retell.PhoneCallResponse.TranscriptObject;
type CallCost = Retell.PhoneCallResponse.CallCost;

export interface ScenarioOutcome {
  /** Whether the callee picks up. Retell sends no `call_started` for calls that never connect. */
  connects: boolean;
  /** Talk until the agent's `max_call_duration_ms` instead of the usual few seconds, so tests can stop a live call. */
  lastsUntilMaxDuration?: boolean;
  finalStatus: 'ended' | 'not_connected' | 'error';
  disconnectionReason: DisconnectionReason;
  analysis: Required<Pick<CallAnalysis, 'call_summary' | 'user_sentiment' | 'call_successful' | 'in_voicemail'>>;
  /** `{{opening}}` is replaced by the agent's begin message. */
  script: ReadonlyArray<{ role: 'agent' | 'user'; content: string }>;
}

const NOT_CONNECTED_ANALYSIS = (summary: string): ScenarioOutcome['analysis'] => ({
  call_summary: summary,
  user_sentiment: 'Unknown',
  call_successful: false,
  in_voicemail: false,
});

export const OUTCOMES: Readonly<Record<Scenario, ScenarioOutcome>> = {
  completed: {
    connects: true,
    finalStatus: 'ended',
    disconnectionReason: 'agent_hangup',
    analysis: {
      call_summary: 'The agent greeted the user, confirmed their appointment for tomorrow at 10 AM and ended the call politely.',
      user_sentiment: 'Positive',
      call_successful: true,
      in_voicemail: false,
    },
    script: [
      { role: 'agent', content: '{{opening}}' },
      { role: 'user', content: "Hi, I'd like to confirm my appointment for tomorrow." },
      { role: 'agent', content: 'Of course. You are booked for tomorrow at 10 AM. Is there anything else I can help with?' },
      { role: 'user', content: "No, that's all. Thank you!" },
      { role: 'agent', content: 'You are welcome. Have a great day, goodbye!' },
    ],
  },
  no_answer: {
    connects: false,
    finalStatus: 'not_connected',
    disconnectionReason: 'dial_no_answer',
    analysis: NOT_CONNECTED_ANALYSIS('The call was not answered.'),
    script: [],
  },
  busy: {
    connects: false,
    finalStatus: 'not_connected',
    disconnectionReason: 'dial_busy',
    analysis: NOT_CONNECTED_ANALYSIS('The line was busy.'),
    script: [],
  },
  voicemail: {
    connects: true,
    finalStatus: 'ended',
    disconnectionReason: 'voicemail_reached',
    analysis: {
      call_summary: 'The call reached voicemail; the agent left a short message asking for a call back.',
      user_sentiment: 'Neutral',
      call_successful: false,
      in_voicemail: true,
    },
    script: [{ role: 'agent', content: 'Hi, sorry I missed you. Please call us back when you have a moment. Goodbye!' }],
  },
  error: {
    connects: true,
    finalStatus: 'error',
    disconnectionReason: 'error_unknown',
    analysis: {
      call_summary: 'The call ended early because of an error.',
      user_sentiment: 'Unknown',
      call_successful: false,
      in_voicemail: false,
    },
    script: [{ role: 'agent', content: '{{opening}}' }],
  },
  long_call: {
    connects: true,
    lastsUntilMaxDuration: true,
    finalStatus: 'ended',
    disconnectionReason: 'max_duration_reached',
    analysis: {
      call_summary: 'The user kept the agent talking until the maximum call duration was reached.',
      user_sentiment: 'Neutral',
      call_successful: false,
      in_voicemail: false,
    },
    script: [
      { role: 'agent', content: '{{opening}}' },
      { role: 'user', content: 'I have quite a few questions, do you have some time?' },
      { role: 'agent', content: 'Of course, take all the time you need.' },
    ],
  },
};

/** Unassigned `{{variables}}` stay literal, as Retell's docs describe. */
function substitute(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (literal, name: string) => variables[name] ?? literal);
}

export interface TranscriptInput {
  outcome: ScenarioOutcome;
  agentName: string | undefined;
  beginMessage: string | undefined;
  variables: Readonly<Record<string, string>>;
  durationMs: number;
  /** Cut the script short (a stopped call). */
  maxTurns?: number;
}

/** The transcript as text and as `transcript_object`, words spread evenly over the call's duration. */
export function buildTranscript(input: TranscriptInput): { transcript: string; transcript_object: Utterance[] } {
  const opening = input.beginMessage ?? `Hello, this is ${input.agentName ?? 'your assistant'}. How can I help you today?`;
  const turns = input.outcome.script
    .slice(0, input.maxTurns)
    .map((turn) => ({ role: turn.role, content: substitute(turn.content.replace('{{opening}}', opening), input.variables) }));
  const wordCount = turns.reduce((count, turn) => count + turn.content.split(/\s+/).length, 0);
  const secondsPerWord = input.durationMs / 1000 / Math.max(wordCount, 1);
  let clock = 0;
  const transcript_object = turns.map(({ role, content }) => ({
    role,
    content,
    words: content.split(/\s+/).map((word) => {
      const start = clock;
      clock += secondsPerWord;
      return { word, start: round(start), end: round(clock) };
    }),
  }));
  const transcript = turns.map(({ role, content }) => `${role === 'agent' ? 'Agent' : 'User'}: ${content}\n`).join('');
  return { transcript, transcript_object };
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Per-second prices in cents, roughly Retell's list prices (voice engine ~7¢/min, LLM ~1.5¢/min, telephony 1.5¢/min). */
const UNIT_PRICES_CENTS_PER_SECOND = {
  retell_voice_engine: 0.1167,
  retell_llm: 0.025,
  telephony: 0.025,
} as const;

export function buildCallCost(durationMs: number, isPhoneCall: boolean): CallCost {
  const seconds = Math.ceil(durationMs / 1000);
  const products = (Object.keys(UNIT_PRICES_CENTS_PER_SECOND) as Array<keyof typeof UNIT_PRICES_CENTS_PER_SECOND>).filter(
    (product) => isPhoneCall || product !== 'telephony',
  );
  const product_costs = products.map((product) => ({
    product,
    unit_price: UNIT_PRICES_CENTS_PER_SECOND[product],
    cost: round(UNIT_PRICES_CENTS_PER_SECOND[product] * seconds, 4),
  }));
  return {
    product_costs,
    total_duration_seconds: seconds,
    total_duration_unit_price: round(products.reduce((sum, product) => sum + UNIT_PRICES_CENTS_PER_SECOND[product], 0), 4),
    combined_cost: round(product_costs.reduce((sum, item) => sum + item.cost, 0), 4),
  };
}
