import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The one route that takes a body other than JSON. */
export const CSV_ROUTES = new Set(['/contacts/import']);

const isCsv = (contentType: string | undefined) => /^text\/csv\s*(;|$)/i.test(contentType ?? '');

export function isCsvRequest(request: FastifyRequest): boolean {
  return isCsv(request.headers['content-type']);
}

/**
 * `text/csv` on the routes in CSV_ROUTES: the body is handed on unread, as the request stream, so the route parses it
 * as it arrives (csv-parse) instead of Fastify buffering it whole. Any other route answers 415 for it.
 */
export function registerCsvBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('text/csv', (request, payload, done) => {
    if (!CSV_ROUTES.has(request.routeOptions.url ?? '')) return done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }), undefined);
    done(null, payload);
  });
}
