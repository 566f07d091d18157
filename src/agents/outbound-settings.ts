import type Retell from 'retell-sdk';

/** Retell's `Language` enum (OpenAPI rev 2026-10-04 and retell-sdk 5.66.1): one locale per agent here. */
export const RETELL_LANGUAGES = [
  'en-US', 'en-IN', 'en-GB', 'en-AU', 'en-NZ', 'de-DE', 'es-ES', 'es-419', 'hi-IN', 'fr-FR', 'fr-CA', 'ja-JP', 'pt-PT', 'pt-BR',
  'zh-CN', 'ru-RU', 'it-IT', 'ko-KR', 'nl-NL', 'nl-BE', 'pl-PL', 'tr-TR', 'vi-VN', 'ro-RO', 'bg-BG', 'ca-ES', 'th-TH', 'da-DK',
  'fi-FI', 'el-GR', 'hu-HU', 'id-ID', 'no-NO', 'sk-SK', 'sv-SE', 'lt-LT', 'lv-LV', 'cs-CZ', 'ms-MY', 'af-ZA', 'ar-SA', 'az-AZ',
  'bs-BA', 'cy-GB', 'fa-IR', 'fil-PH', 'gl-ES', 'he-IL', 'hr-HR', 'hy-AM', 'is-IS', 'kk-KZ', 'kn-IN', 'mk-MK', 'mr-IN', 'ne-NP',
  'sl-SI', 'sr-RS', 'sw-KE', 'ta-IN', 'ur-IN', 'yue-CN', 'uk-UA',
] as const;
export type RetellLanguage = (typeof RETELL_LANGUAGES)[number];

/** Retell's bounds for `max_call_duration_ms`: 1 min to 2 h (default 1 h). */
export const MAX_CALL_DURATION_MS = { min: 60_000, max: 7_200_000, retellDefault: 3_600_000 } as const;
/**
 * `end_call_after_silence_ms`: Retell's minimum is 10 s (default 10 min) and it documents no maximum; ours is 2 h,
 * the longest call there can be.
 */
export const END_CALL_AFTER_SILENCE_MS = { min: 10_000, max: 7_200_000, retellDefault: 600_000 } as const;
export const VOICEMAIL_TEXT_MAX = 1000;

export const VOICEMAIL_ACTIONS = ['hangup', 'leave_message'] as const;

/** What to do on reaching voicemail: hang up, or leave `text` (Retell's `static_text` action). */
export type VoicemailSetting = { action: 'hangup' } | { action: 'leave_message'; text: string };

/** An agent's outbound settings as stored; null = Retell's default (en-US, 1 h, 10 min, no voicemail detection). */
export interface OutboundSettings {
  language: RetellLanguage | null;
  maxCallDurationMs: number | null;
  endCallAfterSilenceMs: number | null;
  voicemail: VoicemailSetting | null;
}

export const OUTBOUND_KEYS = ['language', 'maxCallDurationMs', 'endCallAfterSilenceMs', 'voicemail'] as const;

function voicemailOption(voicemail: VoicemailSetting | null): Retell.AgentUpdateParams['voicemail_option'] {
  if (!voicemail) return null;
  return voicemail.action === 'hangup' ? { action: { type: 'hangup' } } : { action: { type: 'static_text', text: voicemail.text } };
}

/** The settings as Retell's agent fields; `complete` spells out Retell's defaults for the unset ones (an update must reset them). */
export function toRetellOutbound(settings: OutboundSettings, complete: boolean): Partial<Retell.AgentUpdateParams> {
  const fields: Partial<Retell.AgentUpdateParams> = {};
  if (settings.language !== null || complete) fields.language = settings.language ?? 'en-US';
  if (settings.maxCallDurationMs !== null || complete) fields.max_call_duration_ms = settings.maxCallDurationMs ?? MAX_CALL_DURATION_MS.retellDefault;
  if (settings.endCallAfterSilenceMs !== null || complete) fields.end_call_after_silence_ms = settings.endCallAfterSilenceMs ?? END_CALL_AFTER_SILENCE_MS.retellDefault;
  if (settings.voicemail !== null || complete) fields.voicemail_option = voicemailOption(settings.voicemail);
  return fields;
}

/** Keeps only the documented keys of a validated voicemail setting. */
export function storedVoicemail(value: { action: string; text?: string }): VoicemailSetting {
  return value.action === 'hangup' ? { action: 'hangup' } : { action: 'leave_message', text: value.text! };
}
