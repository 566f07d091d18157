import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Type as TransformType } from 'class-transformer';
import { ValidationFailedException } from '../errors/app-exceptions.js';
import { isIsoDateTime } from '../validation/iso-date-time.js';

export const MAX_PAGE_SIZE = 100;

/** The one pagination contract: keyset pages in each list's fixed order (see Keyset), with an opaque cursor. */
export class PageQueryDto {
  /** Page size, 1 to 100. @example 20 */
  // Optional for callers (it has a default) although the class always holds a number.
  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 20;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A response class per item type, so the OpenAPI document describes each list exactly. */
export function PageOf<T>(item: Type<T>) {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page.' })
    nextCursor: string | null;
  }
  Object.defineProperty(PageOfItems, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageOfItems;
}

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export type CursorField = 'string' | 'number' | 'date';

/**
 * Decodes a cursor and checks each key has the expected type (`date`: an ISO 8601 date-time PostgreSQL can hold, see parseIsoDateTime); a forged or stale
 * cursor is a 400, never a database error.
 */
export function decodeCursor<K extends Record<string, CursorField>>(
  cursor: string | undefined,
  shape: K,
): { [P in keyof K]: K[P] extends 'number' ? number : string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const [key, type] of Object.entries(shape)) {
      const field = value[key];
      const ok =
        type === 'date'
          ? isIsoDateTime(field)
          : typeof field === type && (type !== 'number' || Number.isSafeInteger(field));
      if (!ok) throw new Error(key);
    }
    return value as never;
  } catch {
    throw new ValidationFailedException([{ field: 'cursor', messages: ['is not a valid cursor'] }]);
  }
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only says whether another page exists
 * (`rows.length === limit` would promise a page that may be empty).
 */
export function toPage<E, D>(rows: E[], limit: number, toDto: (row: E) => D, cursorOf: (row: E) => Record<string, string | number>): Page<D> {
  const items = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { items: items.map(toDto), nextCursor: hasMore ? encodeCursor(cursorOf(items[items.length - 1])) : null };
}

/** A service's page of rows as the controller's page of DTOs. */
export function mapPage<E, D>(page: Page<E>, toDto: (row: E) => D): Page<D> {
  return { items: page.items.map(toDto), nextCursor: page.nextCursor };
}
