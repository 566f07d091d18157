// `npm run openapi`: writes openapi.json at the repository root from the application's own modules, without a
// database or Retell. Nest's preview mode registers the controllers and their routes but instantiates no provider,
// so nothing connects anywhere; the document is the one the running app serves at /docs-json (a test checks that).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module.js';
import { buildOpenApiDocument } from '../src/app.setup.js';
import { stableJson } from '../src/common/openapi/stable-json.js';

export const OPENAPI_PATH = resolve(import.meta.dirname, '..', 'openapi.json');

const app = await NestFactory.create<NestFastifyApplication>(
  AppModule.register({ databaseUrl: 'postgres://preview-mode-never-connects' }),
  new FastifyAdapter(),
  { preview: true, logger: false, abortOnError: false },
);
writeFileSync(OPENAPI_PATH, stableJson(await buildOpenApiDocument(app)));
await app.close();
console.log(`wrote ${OPENAPI_PATH}`);
