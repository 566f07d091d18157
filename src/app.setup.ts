import helmet from '@fastify/helmet';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { createValidationPipe } from './common/errors/validation.js';
import { fastifyLoggerOptions, PinoNestLogger } from './common/logging/logging.js';
import { readAppConfig, type AppConfig } from './config/app.config.js';

/** Creates the application exactly as it runs in production; main.ts and the e2e tests both use it. */
export async function createApp(options: { databaseUrl: string }): Promise<NestFastifyApplication> {
  const config = readAppConfig();
  const adapter = new FastifyAdapter({
    ...fastifyLoggerOptions(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(options), adapter, {
    rawBody: true,
    bufferLogs: true,
    // Start-up errors are thrown to the caller (main.ts prints them; tests see them) instead of exiting.
    abortOnError: false,
  });
  await configureApp(app, config);
  return app;
}

export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  app.useLogger(new PinoNestLogger(fastify.log));
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  app.enableCors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  if (config.swaggerEnabled) {
    SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  }
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Retell Agents API')
    .setDescription(
      'Multi-tenant backend for AI voice agents on Retell AI. Authenticate with a bearer access token ' +
        '(POST /auth/login) or an API key in the `x-api-key` header (POST /api-keys).',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  applySecurity(document);
  return document;
}

/** Security follows the guard: public routes need nothing, JWT-only routes a bearer token, the rest either. */
function applySecurity(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const op = operation as Record<string, unknown>;
      if (op['x-public']) op.security = [];
      else if (op['x-jwt-only']) op.security = [{ bearer: [] }];
      else op.security = [{ bearer: [] }, { 'api-key': [] }];
      delete op['x-public'];
      delete op['x-jwt-only'];
    }
  }
}
