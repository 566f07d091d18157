import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Checks response bodies against the response schemas of Retell's OpenAPI document (3.0.3, the copy beside this
 * file), with ajv. Shared by the emulator's tests and the app's tests that talk to the emulator.
 */

type Json = Record<string, unknown>;

const SPEC_FILE = fileURLToPath(new URL('../retell-openapi.yaml', import.meta.url));

const isJsonObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * OpenAPI 3.0 schemas are almost JSON Schema draft 7; two keywords differ: `nullable: true`, and boolean
 * `exclusiveMinimum`/`exclusiveMaximum` that modify `minimum`/`maximum`. `example` and `x-*` are left for ajv to
 * ignore (it runs with `strict: false`).
 *
 * `oneOf` becomes `anyOf`: Retell's alternatives overlap without a discriminator (every voice `AgentResponse` is also
 * a valid `ChatAgentResponse`), so "exactly one" would reject correct bodies. A body matching none still fails.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isJsonObject(node)) return node;
  const schema: Json = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key === 'oneOf' ? 'anyOf' : key, toJsonSchema(value)]),
  );
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[exclusive] !== 'boolean') continue;
    if (schema[exclusive] === true) schema[exclusive] = schema[bound];
    else delete schema[exclusive];
    if (schema[exclusive] !== undefined) delete schema[bound];
  }
  if (schema.nullable !== true) return schema;
  delete schema.nullable;
  // With a $ref or a combinator the type lives elsewhere, so null has to be offered as an alternative.
  if (['$ref', 'allOf', 'oneOf', 'anyOf'].some((key) => key in schema) || typeof schema.type !== 'string') {
    return { anyOf: [schema, { type: 'null' }] };
  }
  schema.type = [schema.type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  return schema;
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

interface PathTemplate {
  template: string;
  pattern: RegExp;
  /** Literal templates win over parameterised ones that also match. */
  literal: boolean;
}

class OpenApiDocument {
  private readonly doc: Json;
  private readonly ajv: Ajv;
  private readonly templates: PathTemplate[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(specFile: string) {
    this.doc = toJsonSchema(parse(readFileSync(specFile, 'utf8'))) as Json;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    // ajv-formats is CommonJS; under Node's ESM interop its plugin function is the default export's `default`.
    addFormatsModule.default(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(this.doc, 'retell-openapi');
    this.templates = Object.keys(this.doc.paths as Json)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
        literal: !template.includes('{'),
      }))
      .sort((a, b) => Number(b.literal) - Number(a.literal));
  }

  /** `/get-agent/abc` → `/get-agent/{agent_id}`; a template is returned as is. */
  templateFor(method: string, path: string): string | undefined {
    const paths = this.doc.paths as Record<string, Json>;
    if (paths[path]?.[method.toLowerCase()]) return path;
    return this.templates.find(({ template, pattern }) => pattern.test(path) && paths[template]![method.toLowerCase()])?.template;
  }

  /** The JSON pointer of a response, following `$ref`s to `components/responses`. */
  responsePointer(method: string, template: string, status: number): string | undefined {
    const operationPointer = `/paths/${escapePointer(template)}/${method.toLowerCase()}`;
    const responses = this.at(`${operationPointer}/responses`);
    if (!isJsonObject(responses) || !(String(status) in responses)) return undefined;
    const response = responses[String(status)];
    return isJsonObject(response) && typeof response.$ref === 'string'
      ? response.$ref.slice(1)
      : `${operationPointer}/responses/${status}`;
  }

  at(pointer: string): unknown {
    return pointer
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, segment) => (isJsonObject(node) ? node[segment] : undefined), this.doc);
  }

  validator(schemaPointer: string): ValidateFunction {
    let validate = this.validators.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.getSchema(`retell-openapi#${schemaPointer}`);
      if (!validate) throw new Error(`No schema at ${schemaPointer}`);
      this.validators.set(schemaPointer, validate);
    }
    return validate;
  }
}

let document: OpenApiDocument | undefined;
const openApi = (): OpenApiDocument => (document ??= new OpenApiDocument(SPEC_FILE));

function schemaErrors(validate: ValidateFunction, value: unknown, label: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${label}: ${error.instancePath || '(root)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
}

/** The OpenAPI path template of a request (`/get-agent/abc` → `/get-agent/{agent_id}`), if Retell has the operation. */
export function operationTemplate(method: string, path: string): string | undefined {
  return openApi().templateFor(method, path);
}

/**
 * Every way a response differs from Retell's OpenAPI document; empty when it conforms. `path` may be concrete
 * (`/get-agent/abc`) or a template (`/get-agent/{agent_id}`). `body` is the parsed JSON, or `undefined` when empty.
 * Error statuses an operation does not list are checked against Retell's common error envelope.
 */
export function responseViolations(method: string, path: string, status: number, body: unknown): string[] {
  const spec = openApi();
  const label = `${method.toUpperCase()} ${path} ${status}`;
  const template = spec.templateFor(method, path);
  if (!template) return [`${label}: no such operation in Retell's OpenAPI document`];
  const violations: string[] = [];
  if (status >= 400 && !(isJsonObject(body) && body.status === 'error' && typeof body.message === 'string')) {
    violations.push(`${label}: error bodies must be {status: "error", message}, got ${JSON.stringify(body)}`);
  }
  const pointer = spec.responsePointer(method, template, status) ?? (status >= 400 ? '/components/responses/BadRequest' : undefined);
  if (!pointer) return [...violations, `${label}: status ${status} is not documented for ${method.toUpperCase()} ${template}`];
  const schemaPointer = `${pointer}/content/application~1json/schema`;
  if (spec.at(schemaPointer) === undefined) {
    return body === undefined ? violations : [...violations, `${label}: documented without a body, got ${JSON.stringify(body)}`];
  }
  return [...violations, ...schemaErrors(spec.validator(schemaPointer), body, label)];
}

/** Throws, listing every violation, unless the response conforms. */
export function expectResponseConforms(method: string, path: string, status: number, body: unknown): void {
  const violations = responseViolations(method, path, status, body);
  if (violations.length > 0) throw new Error(`Response does not conform to Retell's OpenAPI document:\n${violations.join('\n')}`);
}

/** Throws unless `value` matches `components.schemas[schemaName]` (e.g. a webhook's `call` against `V2CallResponse`). */
export function expectSchemaConforms(schemaName: string, value: unknown): void {
  const violations = schemaErrors(openApi().validator(`/components/schemas/${escapePointer(schemaName)}`), value, schemaName);
  if (violations.length > 0) throw new Error(`Value does not conform to ${schemaName}:\n${violations.join('\n')}`);
}

/**
 * A `fetch` for the SDK's `fetch` option that checks every response it passes on and reports violations (it cannot
 * throw: the SDK would take that for a network error and retry).
 */
export function conformanceFetch(onViolation: (violation: string) => void, baseFetch: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const text = await response.clone().text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      onViolation(`${method} ${url.pathname} ${response.status}: body is not JSON: ${text.slice(0, 200)}`);
      return response;
    }
    responseViolations(method, url.pathname, response.status, body).forEach(onViolation);
    return response;
  };
}
