import { FieldErrors } from '../common/validation/json-rules.js';
import { MAX_TOOL_CONFIG_BYTES, referencedAgentIds, validateToolConfig } from './tool-config.rules.js';
import { RETELL_TOOL_TYPES, toRetellTool, type ToolType } from './tool-types.js';

const STRICT = { allowPrivate: false };

function problems(toolType: ToolType, config: unknown, policy = STRICT): Record<string, string[]> {
  const errors = new FieldErrors();
  validateToolConfig(toolType, config, 'toolConfig', errors, policy);
  return Object.fromEntries(errors.toArray().map(({ field, messages }) => [field, messages]));
}

describe('tool configuration rules', () => {
  it('knows exactly Retell’s 13 general tool types', () => {
    expect(RETELL_TOOL_TYPES).toHaveLength(13);
    expect(new Set(RETELL_TOOL_TYPES).size).toBe(13);
  });

  it.each(RETELL_TOOL_TYPES)('%s: requires a name matching Retell’s pattern and refuses unknown fields', (toolType) => {
    expect(problems(toolType, {})['toolConfig.name']).toEqual(['is required']);
    expect(problems(toolType, { name: 'has space' })['toolConfig.name']).toEqual(['must be 1-64 letters, digits, "_" or "-" (no spaces)']);
    expect(problems(toolType, { name: 'x'.repeat(65) })['toolConfig.name']).toContain('must be at most 64 characters');
    expect(problems(toolType, { name: 'ok', surprise: 1 })['toolConfig.surprise']).toEqual(['is not allowed']);
    expect(problems(toolType, 'not an object')).toEqual({ toolConfig: ['must be an object'] });
  });

  it.each<[ToolType, string[]]>([
    ['end_call', []],
    ['press_digit', []],
    ['bridge_transfer', []],
    ['cancel_transfer', []],
    ['transfer_call', ['transfer_destination', 'transfer_option']],
    ['check_availability_cal', ['cal_api_key', 'event_type_id']],
    ['book_appointment_cal', ['cal_api_key', 'event_type_id']],
    ['agent_swap', ['agent_id', 'post_call_analysis_setting']],
    ['send_sms', ['sms_content']],
    ['custom', ['url']],
    ['code', ['code']],
    ['extract_dynamic_variable', ['description', 'variables']],
    ['mcp', ['description']],
  ])('%s: requires %j besides the name', (toolType, required) => {
    const missing = Object.entries(problems(toolType, { name: 'n' }))
      .filter(([, messages]) => messages.includes('is required'))
      .map(([field]) => field.replace('toolConfig.', ''));
    expect(missing.sort()).toEqual([...required].sort());
  });

  it('checks nested shapes by their type', () => {
    expect(problems('transfer_call', { name: 'n', transfer_destination: { type: 'predefined' }, transfer_option: { type: 'cold_transfer' } })).toEqual({
      'toolConfig.transfer_destination.number': ['is required'],
    });
    expect(
      problems('transfer_call', {
        name: 'n',
        transfer_destination: { type: 'predefined', number: '{{manager_number}}' },
        transfer_option: { type: 'warm_transfer', private_handoff_option: { type: 'static_message', message: 'hi', prompt: 'no' } },
      }),
    ).toEqual({ 'toolConfig.transfer_option.private_handoff_option.prompt': ['is not allowed'] });
    expect(problems('send_sms', { name: 'n', sms_content: { type: 'template' } })).toEqual({ 'toolConfig.sms_content.template': ['is required'] });
    expect(problems('custom', { name: 'n', url: 'https://a.example.com', parameters: { type: 'array', properties: {} } })).toEqual({
      'toolConfig.parameters.type': ['must be one of: object'],
    });
  });

  it('accepts a Cal.com event type as a number or a dynamic variable, and IANA time zones', () => {
    expect(problems('book_appointment_cal', { name: 'n', cal_api_key: 'k', event_type_id: 12, timezone: 'Europe/Paris' })).toEqual({});
    expect(problems('book_appointment_cal', { name: 'n', cal_api_key: 'k', event_type_id: '{{id}}' })).toEqual({});
    expect(problems('book_appointment_cal', { name: 'n', cal_api_key: 'k', event_type_id: 'twelve' })).toEqual({
      'toolConfig.event_type_id': ['must be a positive integer or a {{dynamic_variable}}'],
    });
  });

  it('applies the public URL policy to custom tools, relaxed only in development', () => {
    expect(problems('custom', { name: 'n', url: 'https://127.0.0.1/x' })).toEqual({ 'toolConfig.url': ['must not point at a loopback address'] });
    expect(problems('custom', { name: 'n', url: 'http://localhost:4000/x' }, { allowPrivate: true })).toEqual({});
  });

  it('caps the size of a configuration', () => {
    expect(problems('code', { name: 'n', code: 'x'.repeat(MAX_TOOL_CONFIG_BYTES) })).toEqual({ toolConfig: [`must be at most ${MAX_TOOL_CONFIG_BYTES} bytes as JSON`] });
  });

  it('finds the Retell agents a tool points at', () => {
    expect(referencedAgentIds('agent_swap', { name: 'n', agent_id: 'a1' }, 'tools.0.toolConfig')).toEqual([{ field: 'tools.0.toolConfig.agent_id', agentId: 'a1' }]);
    expect(
      referencedAgentIds('transfer_call', { transfer_option: { type: 'agentic_warm_transfer', agentic_transfer_config: { transfer_agent: { agent_id: 'a2' } } } }, 'toolConfig'),
    ).toEqual([{ field: 'toolConfig.transfer_option.agentic_transfer_config.transfer_agent.agent_id', agentId: 'a2' }]);
    expect(referencedAgentIds('custom', { agent_id: 'ignored' }, 'toolConfig')).toEqual([]);
  });

  it('turns a stored tool into Retell’s general tool, its type winning over the configuration', () => {
    expect(toRetellTool({ toolType: 'end_call', toolConfig: { name: 'bye', type: 'custom' } })).toEqual({ name: 'bye', type: 'end_call' });
  });
});
