import type { Retell } from 'retell-sdk';
import { arrayOf, byType, FieldErrors, join, object, oneOf, str, type FieldSpec } from '../common/validation/json-rules.js';

export type PostCallAnalysisType = 'string' | 'enum' | 'boolean' | 'number';

export interface PostCallAnalysisField {
  type: PostCallAnalysisType;
  name: string;
  description: string;
  choices?: string[];
}

export interface PostCallAnalysis {
  fields: PostCallAnalysisField[];
  model?: string;
}

type SdkAnalysisModel = NonNullable<Retell.AgentCreateParams['post_call_analysis_model']>;

/** Retell's models for post-call analysis, copied from retell-sdk (the checks below fail to compile when they drift). */
export const POST_CALL_ANALYSIS_MODELS = [
  'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5.1', 'gpt-5.2', 'gpt-5.4',
  'gpt-5.4-mini', 'gpt-5.4-nano', 'gpt-5.5', 'gpt-5.6-terra', 'gpt-5.6-luna', 'claude-4.5-sonnet', 'claude-4.6-sonnet',
  'claude-5-sonnet', 'claude-4.5-haiku', 'gemini-3.0-flash', 'gemini-3.1-flash-lite', 'gemini-3.5-flash',
  'gemini-3.5-flash-lite', 'gemini-3.6-flash',
] as const satisfies readonly SdkAnalysisModel[];
type ExpectNone<T extends never> = T;
export type AnalysisModelsCoverTheSdk = ExpectNone<Exclude<SdkAnalysisModel, (typeof POST_CALL_ANALYSIS_MODELS)[number]>>;
export type AnalysisUpdateTakesTheSameModels = ExpectNone<
  Exclude<NonNullable<Retell.AgentUpdateParams['post_call_analysis_model']>, (typeof POST_CALL_ANALYSIS_MODELS)[number]>
>;

export const MAX_ANALYSIS_FIELDS = 50;

/** Names become keys of the call's `custom_analysis_data`. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const common: Record<string, FieldSpec> = {
  name: { rule: str({ min: 1, max: 64, pattern: NAME, patternMessage: 'must be 1 to 64 letters, digits, _ or -' }), required: true },
  description: { rule: str({ min: 1, max: 2000 }), required: true },
};
const choices = arrayOf(str({ min: 1, max: 200 }), { min: 1, max: 50 });

const rule = object({
  fields: {
    rule: arrayOf(
      byType({
        string: common,
        boolean: common,
        number: common,
        enum: { ...common, choices: { rule: choices, required: true } },
      }),
      { max: MAX_ANALYSIS_FIELDS },
    ),
    required: true,
  },
  model: { rule: oneOf(...POST_CALL_ANALYSIS_MODELS) },
});

/** Checks a `postCallAnalysis` value field by field, like tool configurations: names unique, enums with choices. */
export function checkPostCallAnalysis(value: unknown, path: string, errors: FieldErrors): void {
  rule(value, path, errors);
  const fields = (value as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(fields)) return;
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    const name = (field as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    if (seen.has(name)) errors.add(join(join(join(path, 'fields'), index), 'name'), 'must be unique among the analysis fields');
    seen.add(name);
    const list = (field as { choices?: unknown }).choices;
    if (Array.isArray(list) && new Set(list).size !== list.length) errors.add(join(join(join(path, 'fields'), index), 'choices'), 'must not repeat a choice');
  });
}

/** The agent fields Retell takes for it; `null` clears both. */
export function toRetellAnalysis(analysis: PostCallAnalysis | null): Pick<Retell.AgentCreateParams, 'post_call_analysis_data' | 'post_call_analysis_model'> {
  if (!analysis) return { post_call_analysis_data: null, post_call_analysis_model: null };
  return {
    post_call_analysis_data: analysis.fields.map((field) =>
      field.type === 'enum'
        ? { type: 'enum', name: field.name, description: field.description, choices: field.choices ?? [] }
        : { type: field.type, name: field.name, description: field.description },
    ),
    post_call_analysis_model: (analysis.model as SdkAnalysisModel | undefined) ?? null,
  };
}
