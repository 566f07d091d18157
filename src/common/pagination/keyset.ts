import { raw } from '@mikro-orm/postgresql';
import { decodeCursor, toPage, type CursorField, type Page } from './page.dto.js';

type KeyValue<T extends CursorField> = T extends 'number' ? number : T extends 'date' ? Date : string;

/** Where a page starts: the sort key of the last row of the previous page. */
export type KeysetPosition<S extends Record<string, CursorField>> = { [K in keyof S]: KeyValue<S[K]> };

/** A validated page request: a bad cursor was already refused (400) when it was made. */
export interface PageRequest<S extends Record<string, CursorField>> {
  limit: number;
  after?: KeysetPosition<S>;
}

/** The page request of a given keyset, e.g. `PageRequestOf<typeof AGENT_PAGES>`. */
export type PageRequestOf<K> = K extends Keyset<infer S> ? PageRequest<S> : never;

interface KeyField<T extends CursorField> {
  type: T;
  /** The column in SQL lists. */
  column?: string;
  /** The row's property holding the value, when it is not the cursor key (e.g. Retell's `voice_id`). */
  property?: string;
}

/**
 * The one keyset pagination: rows ordered by a unique sort key (e.g. `created_at desc, id desc`), a page starting
 * strictly after the previous page's last row, its position carried in the opaque cursor (`{ createdAt, id }`).
 * In SQL the start is a row comparison, `(created_at, id) < (?, ?)`, never `created_at < ? or (created_at = ? and
 * id < ?)`: PostgreSQL turns the row comparison into the start of an index range, while the OR form is only a
 * filter, so an index scan reads (and discards) every newer row first — measured by `npm run bench` on the call
 * history at ~900,000 rows deep. Every key of one list sorts in the same direction, which the row comparison needs.
 */
export class Keyset<S extends Record<string, CursorField>> {
  private readonly keys: (keyof S & string)[];

  constructor(
    private readonly direction: 'asc' | 'desc',
    private readonly fields: { [K in keyof S]: KeyField<S[K]> },
  ) {
    this.keys = Object.keys(fields);
  }

  /** Decodes the cursor (a forged or stale one is a 400, never a database error). */
  request(limit: number, cursor: string | undefined): PageRequest<S> {
    const shape = Object.fromEntries(this.keys.map((key) => [key, this.fields[key].type])) as unknown as S;
    const decoded = decodeCursor(cursor, shape) as Record<string, string | number> | undefined;
    if (!decoded) return { limit };
    const after = Object.fromEntries(
      this.keys.map((key) => [key, this.fields[key].type === 'date' ? new Date(decoded[key]!) : decoded[key]]),
    );
    return { limit, after: after as KeysetPosition<S> };
  }

  /** The SQL order, for `find`'s `orderBy` or a QueryBuilder's `orderBy`. */
  get orderBy(): Record<string, 'asc' | 'desc'> {
    return Object.fromEntries(this.keys.map((key) => [key, this.direction]));
  }

  /** Rows to fetch: one more than the page, so the extra one says whether another page exists. */
  fetchSize(request: PageRequest<S>): number {
    return request.limit + 1;
  }

  /**
   * The condition for rows after the cursor, to spread into a `find` or `andWhere` filter (empty on the first page).
   * Columns are qualified with the query's root alias, so joins (a phone number's agent) cannot make them ambiguous.
   */
  after(request: PageRequest<S>): Record<symbol, []> {
    const { after } = request;
    if (!after) return {};
    const condition = raw((alias) => this.afterSql(request, alias)!.sql, this.afterSql(request, '')!.values);
    return { [condition]: [] };
  }

  /**
   * The same condition for a hand-written statement: `(alias.created_at, alias.id) < (?, ?)` and its values, or
   * undefined on the first page.
   */
  afterSql(request: PageRequest<S>, alias: string): { sql: string; values: unknown[] } | undefined {
    const { after } = request;
    if (!after) return undefined;
    const columns = this.keys.map((key) => `${alias}.${this.fields[key].column ?? key}`);
    const op = this.direction === 'desc' ? '<' : '>';
    return {
      sql: `(${columns.join(', ')}) ${op} (${columns.map(() => '?').join(', ')})`,
      values: this.keys.map((key) => sqlValue(after[key])),
    };
  }

  /** The order for a hand-written statement: `alias.created_at desc, alias.id desc`. */
  orderBySql(alias: string): string {
    return this.keys.map((key) => `${alias}.${this.fields[key].column ?? key} ${this.direction}`).join(', ');
  }

  /** The same condition for a list held in memory (sorted by the same key). */
  follows(row: object, request: PageRequest<S>): boolean {
    const { after } = request;
    if (!after) return true;
    for (const key of this.keys) {
      const a = comparable(this.valueOf(row, key));
      const b = comparable(after[key]);
      if (a !== b) return this.direction === 'desc' ? a < b : a > b;
    }
    return false;
  }

  /** The page of `fetchSize` fetched rows, with the cursor of its last row when more follow. */
  page<R extends object>(rows: R[], request: PageRequest<S>): Page<R> {
    return toPage(rows, request.limit, (row) => row, (row) =>
      Object.fromEntries(this.keys.map((key) => [key, cursorValue(this.valueOf(row, key))])),
    );
  }

  private valueOf(row: object, key: keyof S & string): unknown {
    return (row as Record<string, unknown>)[this.fields[key].property ?? key];
  }
}

/** Dates go to PostgreSQL as UTC ISO strings: the columns are `timestamp` holding UTC (a Date would be sent local). */
function sqlValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function cursorValue(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new Error(`keyset value of type ${typeof value} cannot be put in a cursor`);
}

function comparable(value: unknown): string | number {
  return value instanceof Date ? value.getTime() : (value as string | number);
}
