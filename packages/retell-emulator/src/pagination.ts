import { badRequest } from './http.js';
import type { JsonObject } from './validation.js';

export type SortOrder = 'ascending' | 'descending';

export interface PageRequest {
  limit: number;
  paginationKey?: string;
  sortOrder: SortOrder;
  /** Offset paging, which only list-calls offers (and never together with `pagination_key`). */
  skip?: number;
}

export interface Page<T> {
  items: T[];
  has_more: boolean;
  /** Present only when there is a next page: the key of the last item returned. */
  pagination_key?: string;
}

/** Retell's `LimitParam`: default 50, maximum 1000. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

function toPageRequest(limit: unknown, paginationKey: unknown, sortOrder: unknown): PageRequest {
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
    throw badRequest(`limit must be an integer between 1 and ${MAX_LIMIT}.`);
  }
  if (paginationKey !== undefined && (typeof paginationKey !== 'string' || paginationKey === '')) {
    throw badRequest('pagination_key must be a non-empty string.');
  }
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw badRequest('sort_order must be ascending or descending.');
  }
  return { limit: limit ?? DEFAULT_LIMIT, paginationKey, sortOrder: sortOrder ?? 'descending' };
}

/** For the GET lists and `POST /v2/list-agents`, which take paging in the query string. */
export function pageRequestFromQuery(query: URLSearchParams): PageRequest {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? undefined : /^\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
  return toPageRequest(limit, query.get('pagination_key') ?? undefined, query.get('sort_order') ?? undefined);
}

/** For `POST /v3/list-calls`, which takes paging in the body, including an offset (`skip`). */
export function pageRequestFromBody(body: JsonObject): PageRequest {
  const { skip } = body;
  if (skip === undefined) return toPageRequest(body.limit, body.pagination_key, body.sort_order);
  if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0) throw badRequest('skip must be a non-negative integer.');
  if (body.pagination_key !== undefined) throw badRequest('skip and pagination_key cannot be used together.');
  return { ...toPageRequest(body.limit, undefined, body.sort_order), skip };
}

/** `[primary, tie-breaker]`, e.g. `[start_timestamp, creation sequence]`. */
export type SortKey = readonly [number, number];

const compareKeys = (a: SortKey, b: SortKey): number => a[0] - b[0] || a[1] - b[1];

export interface PaginationKeys<T> {
  keyOf(item: T): string;
  sortKeyOf(item: T): SortKey;
  /**
   * Where a `pagination_key` sits in the order. It must also answer for items deleted since the previous page, so
   * that a "list a page, delete it, list the next page" loop keeps working.
   */
  cursorSortKey(paginationKey: string): SortKey | undefined;
}

/** Cursor pagination: the page starts right after the item named by `pagination_key`. */
export function paginate<T>(items: readonly T[], request: PageRequest, keys: PaginationKeys<T>): Page<T> {
  const direction = request.sortOrder === 'ascending' ? 1 : -1;
  let ordered = [...items].sort((a, b) => direction * compareKeys(keys.sortKeyOf(a), keys.sortKeyOf(b)));
  if (request.paginationKey !== undefined) {
    const cursor = keys.cursorSortKey(request.paginationKey);
    if (cursor === undefined) throw badRequest('pagination_key does not match any item.');
    ordered = ordered.filter((item) => direction * compareKeys(keys.sortKeyOf(item), cursor) > 0);
  }
  if (request.skip !== undefined) ordered = ordered.slice(request.skip);
  const pageItems = ordered.slice(0, request.limit);
  const hasMore = ordered.length > request.limit;
  const last = pageItems.at(-1);
  return hasMore && last !== undefined
    ? { items: pageItems, has_more: true, pagination_key: keys.keyOf(last) }
    : { items: pageItems, has_more: false };
}
