import type { Retell } from 'retell-sdk';

/**
 * The one list of model names we accept, copied from retell-sdk's own enumerations. The type checks below fail to
 * compile when an SDK upgrade adds, renames or drops a model, so the list cannot silently drift from the SDK.
 */
type SdkTextModel = NonNullable<Retell.LlmCreateParams['model']>;
type SdkS2sModel = NonNullable<Retell.LlmCreateParams['s2s_model']>;

export const RETELL_TEXT_MODELS = [
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'gpt-5.1',
  'gpt-5.2',
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.4-nano',
  'gpt-5.5',
  'gpt-5.6-terra',
  'gpt-5.6-luna',
  'claude-4.5-sonnet',
  'claude-4.6-sonnet',
  'claude-5-sonnet',
  'claude-4.5-haiku',
  'gemini-3.0-flash',
  'gemini-3.1-flash-lite',
  'gemini-3.5-flash',
  'gemini-3.5-flash-lite',
  'gemini-3.6-flash',
] as const satisfies readonly SdkTextModel[];

export const RETELL_S2S_MODELS = [
  'gpt-realtime-2.1',
  'gpt-realtime-2.1-mini',
  'gpt-realtime-2',
  'gpt-realtime-1.5',
  'gpt-realtime',
  'gpt-realtime-mini',
] as const satisfies readonly SdkS2sModel[];

export type RetellTextModel = (typeof RETELL_TEXT_MODELS)[number];
export type RetellS2sModel = (typeof RETELL_S2S_MODELS)[number];

/** Compiles only when `T` is `never`, i.e. when the SDK has no model our list lacks. */
type ExpectNone<T extends never> = T;
export type TextModelsCoverTheSdk = ExpectNone<Exclude<SdkTextModel, RetellTextModel>>;
export type S2sModelsCoverTheSdk = ExpectNone<Exclude<SdkS2sModel, RetellS2sModel>>;
// Updates take the same names as creates.
export type UpdateTakesTheSameModels = ExpectNone<Exclude<NonNullable<Retell.LlmUpdateParams['model']>, RetellTextModel>>;
