import type { OpenAPIObject } from '@nestjs/swagger';

const EXAMPLES = new Map<string, object>();

/**
 * One example for a whole request body, for DTOs whose fields' own examples would not make a valid request together
 * (Swagger UI puts every field's example into the body it sends): alternatives such as `model` / `s2sModel`, or an
 * optional field that must name one of the caller's own resources. Swagger UI uses a schema's `example` as is.
 */
export function ApiSchemaExample(example: object): ClassDecorator {
  return (target) => {
    EXAMPLES.set(target.name, example);
  };
}

export function applySchemaExamples(document: OpenAPIObject): void {
  for (const [name, example] of EXAMPLES) {
    const schema = document.components?.schemas?.[name];
    if (schema && !('$ref' in schema)) schema.example = example;
  }
}
