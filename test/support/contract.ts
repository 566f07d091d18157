import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

/** The response a test received, whatever client made the request. */
export interface ReceivedResponse {
  method: string;
  url: string;
  status: number;
  contentType: string | undefined;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  rawText: string;
}

/**
 * Checks responses against the OpenAPI document the app serves: the documented status, and the body against that
 * status's schema. The schemas are made strict first (OpenAPI 3.0 `nullable` turned into JSON Schema, objects closed
 * with `additionalProperties: false`) so that a leaked or renamed field fails the test that received it.
 */
export class ContractChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { method: string; template: string; pattern: RegExp; params: number; operation: Operation }[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: OpenAPIObject) {
    // ajv-formats is CommonJS; under Node's ESM interop its plugin function is the default export's `default`.
    addFormatsModule.default(this.ajv);
    const schemas = strictSchemas((document.components?.schemas ?? {}) as Record<string, unknown>);
    this.ajv.addSchema({ $id: 'openapi', components: { schemas } });
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
        const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
        this.routes.push({ method, template, pattern, params: (template.match(/\{/g) ?? []).length, operation: operation as Operation });
      }
    }
    // A literal segment wins over a parameter (`/phone-numbers/import` before `/phone-numbers/{id}`).
    this.routes.sort((a, b) => a.params - b.params);
  }

  /** Throws an Error describing every way the response differs from the document; routes it does not list are left alone. */
  check(response: ReceivedResponse): void {
    const path = new URL(response.url, 'http://x').pathname;
    const method = response.method.toLowerCase();
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) return;
    const where = `${method.toUpperCase()} ${route.template} → ${response.status}`;
    const documented = route.operation.responses[String(response.status)];
    if (!documented) {
      throw new Error(`OpenAPI drift: ${where} is not a documented response (documented: ${Object.keys(route.operation.responses).join(', ')})`);
    }
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) {
      if (response.rawText !== '') throw new Error(`OpenAPI drift: ${where} is documented without a body but returned ${response.rawText.slice(0, 200)}`);
      return;
    }
    if (!response.contentType?.includes('application/json')) {
      throw new Error(`OpenAPI drift: ${where} is documented as application/json but returned ${response.contentType ?? 'no content type'}`);
    }
    let validate = this.validators.get(where);
    if (!validate) {
      validate = this.ajv.compile(strictSchema(schema));
      this.validators.set(where, validate);
    }
    this.assertValid(validate, response.body, where);
  }

  private assertValid(validate: ValidateFunction, body: unknown, where: string): void {
    if (validate(body)) return;
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
    throw new Error(`OpenAPI drift: ${where} body does not match the document:\n  ${problems.join('\n  ')}\nbody: ${JSON.stringify(body).slice(0, 1000)}`);
  }
}

function strictSchemas(schemas: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, strictSchema(schema)]));
}

/** OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a null alternative; objects with properties are closed. */
function strictSchema(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null) return input as Record<string, unknown>;
  const schema: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  if (typeof schema.$ref === 'string') schema.$ref = schema.$ref.replace(/^#/, 'openapi#');
  if (schema.properties) {
    schema.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, unknown>).map(([k, v]) => [k, strictSchema(v)]));
    if (schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  if (typeof schema.additionalProperties === 'object') schema.additionalProperties = strictSchema(schema.additionalProperties);
  if (schema.items) schema.items = strictSchema(schema.items);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) schema[key] = (schema[key] as unknown[]).map(strictSchema);
  }
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string') {
      schema.type = [schema.type, 'null'];
      if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
    } else {
      return { anyOf: [schema, { type: 'null' }] };
    }
  }
  return schema;
}
