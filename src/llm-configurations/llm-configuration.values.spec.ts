import { FieldErrors } from '../common/validation/json-rules.js';
import { EMPTY_LLM_VALUES, mergeLlmValues, toRetellLlmFields, type LlmValues } from './llm-configuration.values.js';
import { RETELL_S2S_MODELS, RETELL_TEXT_MODELS } from './retell-models.js';
import type { CreateLlmConfigurationDto } from './dto/llm-configuration.dto.js';

const STRICT = { allowPrivate: false };
const TEXT: LlmValues = { ...EMPTY_LLM_VALUES, model: 'gpt-4.1', temperature: 0.3, generalPrompt: 'p' };
const S2S: LlmValues = { ...EMPTY_LLM_VALUES, s2sModel: 'gpt-realtime' };

function merge(current: LlmValues, dto: CreateLlmConfigurationDto): { values: LlmValues; errors: Record<string, string[]> } {
  const errors = new FieldErrors();
  const values = mergeLlmValues(current, dto, 'llm', errors, STRICT);
  return { values, errors: Object.fromEntries(errors.toArray().map(({ field, messages }) => [field, messages])) };
}

describe('LLM configuration values', () => {
  it.each<[string, LlmValues, CreateLlmConfigurationDto, Partial<LlmValues> | string]>([
    ['a new text model', EMPTY_LLM_VALUES, { model: 'gpt-4.1' }, { model: 'gpt-4.1', s2sModel: null }],
    ['a new speech model', EMPTY_LLM_VALUES, { s2sModel: 'gpt-realtime' }, { model: null, s2sModel: 'gpt-realtime' }],
    ['neither model', EMPTY_LLM_VALUES, { temperature: 1 }, 'one of model or s2sModel is required'],
    ['both models', EMPTY_LLM_VALUES, { model: 'gpt-4.1', s2sModel: 'gpt-realtime' }, 'set either model or s2sModel, not both'],
    ['switching text → speech with one field', TEXT, { s2sModel: 'gpt-realtime-mini' }, { model: null, s2sModel: 'gpt-realtime-mini' }],
    ['switching speech → text with one field', S2S, { model: 'claude-4.5-haiku' }, { model: 'claude-4.5-haiku', s2sModel: null }],
    ['switching with both fields, one null', TEXT, { model: null, s2sModel: 'gpt-realtime' }, { model: null, s2sModel: 'gpt-realtime' }],
    ['clearing the only model', TEXT, { model: null }, 'one of model or s2sModel is required'],
    ['a speech model next to an existing text model named again', TEXT, { model: 'gpt-4.1', s2sModel: 'gpt-realtime' }, 'set either model or s2sModel, not both'],
    ['an unrelated change', TEXT, { highPriority: true }, { model: 'gpt-4.1', temperature: 0.3, highPriority: true, generalPrompt: 'p' }],
    ['clearing the prompt', TEXT, { generalPrompt: null }, { generalPrompt: null }],
  ])('%s', (_case, current, dto, expected) => {
    const { values, errors } = merge(current, dto);
    if (typeof expected === 'string') expect(errors).toEqual({ 'llm.model': [expected] });
    else {
      expect(errors).toEqual({});
      expect(values).toMatchObject(expected);
    }
  });

  it('checks MCP servers: public https URLs, unique names, string headers', () => {
    const { values, errors } = merge(TEXT, {
      mcps: [
        { name: 'a', url: 'https://mcp.example.com', headers: { Authorization: 'Bearer x' }, timeoutMs: 5000 },
        { name: 'a', url: 'https://[::1]/mcp' },
        { name: 'b', url: 'https://b.example.com', queryParams: { n: 1 as unknown as string } },
      ],
    });
    expect(errors).toEqual({
      'llm.mcps.1.name': ['must be unique among the MCP servers'],
      'llm.mcps.1.url': ['must not point at a loopback address'],
      'llm.mcps.2.queryParams.n': ['must be a string'],
    });
    expect(values.mcps![0]).toEqual({ name: 'a', url: 'https://mcp.example.com', headers: { Authorization: 'Bearer x' }, timeout_ms: 5000 });
  });

  it('sends Retell every field it owns, both model fields included', () => {
    expect(toRetellLlmFields(S2S)).toEqual({
      model: null,
      s2s_model: 'gpt-realtime',
      model_temperature: 0,
      model_high_priority: false,
      general_prompt: null,
      begin_message: null,
      mcps: null,
    });
  });

  it('keeps one list per kind of model, without duplicates', () => {
    expect(new Set(RETELL_TEXT_MODELS).size).toBe(RETELL_TEXT_MODELS.length);
    expect(new Set(RETELL_S2S_MODELS).size).toBe(RETELL_S2S_MODELS.length);
    expect(RETELL_TEXT_MODELS.filter((model) => (RETELL_S2S_MODELS as readonly string[]).includes(model))).toEqual([]);
  });
});
