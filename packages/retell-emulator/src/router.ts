import { badRequest, type Reply } from './http.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteRequest {
  /** Decoded path parameters. `+` stays `+` (the SDK does not encode it) and `%2B` decodes to `+`. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The parsed JSON body; `{}` when the request had none. */
  body: Record<string, unknown>;
}

export type RouteHandler = (request: RouteRequest) => Reply | Promise<Reply>;

export interface Route {
  method: HttpMethod;
  /** An OpenAPI-style template such as `/get-agent/{agent_id}`, so routes read like Retell's reference. */
  path: string;
  handler: RouteHandler;
}

export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  segments: readonly string[];
}

const PARAM = /^\{(\w+)\}$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Malformed percent-encoding in path segment "${segment}".`);
  }
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => ({ route, segments: route.path.split('/') }));
  }

  /** `pathname` is the raw (still percent-encoded) path; parameters are decoded only after a template matches. */
  match(method: string, pathname: string): RouteMatch | undefined {
    const segments = pathname.split('/');
    for (const { route, segments: template } of this.routes) {
      if (route.method !== method || template.length !== segments.length) continue;
      const params = this.matchSegments(template, segments);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }

  private matchSegments(template: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
    const params: Record<string, string> = {};
    for (let i = 0; i < template.length; i++) {
      const name = PARAM.exec(template[i]!)?.[1];
      const segment = actual[i]!;
      if (name === undefined) {
        if (template[i] !== segment) return undefined;
      } else {
        if (segment === '') return undefined;
        params[name] = decodeSegment(segment);
      }
    }
    return params;
  }
}
