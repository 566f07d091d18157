import { badRequest } from '../http.js';
import type { FieldRules, JsonObject } from '../validation.js';
import { findVoice } from '../voices-catalogue.js';

/** The agent fields the emulator checks, and the values Retell reports for those a new agent leaves unset. */

export const WEBHOOK_EVENTS = [
  'call_started',
  'call_ended',
  'call_analyzed',
  'transcript_updated',
  'transfer_started',
  'transfer_bridged',
  'transfer_cancelled',
  'transfer_ended',
] as const;

/** Ranges from the SDK 5.66.1 doc comments; fields without a rule are stored as sent. */
export const AGENT_RULES: FieldRules = {
  agent_name: { kind: 'string', nullable: true },
  version_title: { kind: 'string', nullable: true },
  version_description: { kind: 'string', nullable: true },
  voice_id: { kind: 'string' },
  voice_model: { kind: 'string', nullable: true },
  fallback_voice_ids: { kind: 'stringArray', nullable: true },
  voice_temperature: { kind: 'number', min: 0, max: 2 },
  voice_speed: { kind: 'number', min: 0.5, max: 2 },
  volume: { kind: 'number', min: 0, max: 2 },
  responsiveness: { kind: 'number', min: 0, max: 1 },
  interruption_sensitivity: { kind: 'number', min: 0, max: 1 },
  enable_backchannel: { kind: 'boolean' },
  backchannel_frequency: { kind: 'number', min: 0, max: 1 },
  backchannel_words: { kind: 'stringArray', nullable: true },
  reminder_trigger_ms: { kind: 'number', min: 0 },
  reminder_max_count: { kind: 'integer', min: 0 },
  ambient_sound: { kind: 'string', nullable: true },
  ambient_sound_volume: { kind: 'number', min: 0, max: 2 },
  webhook_url: { kind: 'string', nullable: true },
  webhook_events: { kind: 'array', nullable: true },
  webhook_timeout_ms: { kind: 'integer', min: 1 },
  boosted_keywords: { kind: 'stringArray', nullable: true },
  data_storage_setting: { kind: 'enum', values: ['everything', 'everything_except_pii', 'basic_attributes_only'] },
  data_storage_retention_days: { kind: 'integer', min: 1, max: 730, nullable: true },
  opt_in_signed_url: { kind: 'boolean' },
  end_call_after_silence_ms: { kind: 'integer', min: 10_000 },
  max_call_duration_ms: { kind: 'integer', min: 60_000, max: 7_200_000 },
  begin_message_delay_ms: { kind: 'integer', min: 0, max: 5000 },
  ring_duration_ms: { kind: 'integer', min: 5000, max: 300_000 },
  stt_mode: { kind: 'enum', values: ['fast', 'accurate', 'custom'] },
  vocab_specialization: { kind: 'enum', values: ['general', 'medical'] },
  denoising_mode: { kind: 'enum', values: ['no-denoise', 'noise-cancellation', 'noise-and-background-speech-cancellation'] },
  allow_user_dtmf: { kind: 'boolean' },
  timezone: { kind: 'string', nullable: true },
  post_call_analysis_data: { kind: 'array', nullable: true },
  pronunciation_dictionary: { kind: 'array', nullable: true },
  voicemail_option: { kind: 'object', nullable: true },
  ivr_option: { kind: 'object', nullable: true },
  user_dtmf_options: { kind: 'object', nullable: true },
  pii_config: { kind: 'object' },
};

/** The values Retell reports for settings a new agent leaves unset (SDK doc comments). */
export const AGENT_DEFAULTS: JsonObject = {
  language: 'en-US',
  voice_temperature: 1,
  voice_speed: 1,
  volume: 1,
  responsiveness: 1,
  interruption_sensitivity: 1,
  enable_backchannel: false,
  max_call_duration_ms: 3_600_000,
  end_call_after_silence_ms: 600_000,
  data_storage_setting: 'everything',
  opt_in_signed_url: false,
};

/** Read-only in responses; a client echoing a fetched agent back must not be able to overwrite them. */
export const SERVER_FIELDS = ['agent_id', 'version', 'is_published', 'base_version', 'last_modification_timestamp', 'version_title', 'version_description'];

/** Retell's `Language` enum (OpenAPI rev 2026-10-04, the same 63 locales as retell-sdk 5.66.1). */
export const RETELL_LANGUAGES: ReadonlySet<string> = new Set(
  ('en-US en-IN en-GB en-AU en-NZ de-DE es-ES es-419 hi-IN fr-FR fr-CA ja-JP pt-PT pt-BR zh-CN ru-RU it-IT ko-KR nl-NL nl-BE ' +
    'pl-PL tr-TR vi-VN ro-RO bg-BG ca-ES th-TH da-DK fi-FI el-GR hu-HU id-ID no-NO sk-SK sv-SE lt-LT lv-LV cs-CZ ms-MY af-ZA ' +
    'ar-SA az-AZ bs-BA cy-GB fa-IR fil-PH gl-ES he-IL hr-HR hy-AM is-IS kk-KZ kn-IN mk-MK mr-IN ne-NP sl-SI sr-RS sw-KE ta-IN ' +
    'ur-IN yue-CN uk-UA').split(' '),
);

/** `language` is one of Retell's locales, a non-empty list of them, or the deprecated scalar `multi` (never inside the list). */
export function checkLanguage(value: unknown): void {
  const isLocale = (item: unknown): boolean => typeof item === 'string' && RETELL_LANGUAGES.has(item);
  if (value === undefined || value === 'multi' || isLocale(value)) return;
  if (Array.isArray(value) && value.length > 0 && value.every(isLocale)) return;
  throw badRequest('language must be one of Retell\'s locales (such as en-US), a list of them, or "multi".');
}

/**
 * `voicemail_option`: null (no detection) or `{action, detection_prompt?}`, where `action` is `{type:'hangup'}`,
 * `{type:'static_text'|'prompt', text}` or `{type:'bridge_transfer', …}` (OpenAPI `VoicemailAction`).
 */
export function checkVoicemailOption(value: unknown): void {
  if (value === undefined || value === null) return;
  const fail = (why: string): never => {
    throw badRequest(`voicemail_option ${why}.`);
  };
  if (typeof value !== 'object' || Array.isArray(value)) fail('must be an object or null');
  const { action, detection_prompt: prompt } = value as JsonObject;
  if (prompt !== undefined && prompt !== null && (typeof prompt !== 'string' || prompt.length > 2000)) fail('detection_prompt must be a string of at most 2000 characters');
  if (typeof action !== 'object' || action === null || Array.isArray(action)) return fail('needs an action');
  const { type, text } = action as JsonObject;
  if (type === 'hangup' || type === 'bridge_transfer') return;
  if (type !== 'static_text' && type !== 'prompt') fail('action.type must be hangup, static_text, prompt or bridge_transfer');
  if (typeof text !== 'string') fail(`action.text is required for ${String(type)}`);
}

export function checkVoice(voiceId: unknown, field: string): void {
  if (typeof voiceId === 'string' && !findVoice(voiceId)) throw badRequest(`${field} "${voiceId}" is not a known voice.`);
}
