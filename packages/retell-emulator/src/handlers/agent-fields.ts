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

/** `language` is one locale (`en-US`), a list of them, or the legacy `multi`; the locale list itself drifts, so only the shape is checked. */
export function checkLanguage(value: unknown): void {
  const isLocale = (item: unknown): boolean => typeof item === 'string' && /^[a-z]{2,3}-[A-Za-z0-9]{2,4}$/.test(item);
  if (value === undefined || value === 'multi' || isLocale(value)) return;
  if (Array.isArray(value) && value.length > 0 && value.every(isLocale)) return;
  throw badRequest('language must be a locale such as en-US, a list of locales, or "multi".');
}

export function checkVoice(voiceId: unknown, field: string): void {
  if (typeof voiceId === 'string' && !findVoice(voiceId)) throw badRequest(`${field} "${voiceId}" is not a known voice.`);
}
