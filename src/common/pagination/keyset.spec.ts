import { RawQueryFragment } from '@mikro-orm/postgresql';
import { ValidationFailedException } from '../errors/app-exceptions.js';
import { Keyset } from './keyset.js';
import { encodeCursor } from './page.dto.js';

const byCreation = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });
const byId = new Keyset('asc', { voiceId: { type: 'string', property: 'voice_id' } });

describe('Keyset', () => {
  it('decodes a cursor into typed values, dates as Date', () => {
    const request = byCreation.request(10, encodeCursor({ createdAt: '2026-01-02T03:04:05.678Z', id: 7 }));
    expect(request.limit).toBe(10);
    expect(request.after).toEqual({ createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 7 });
    expect(byCreation.request(10, undefined)).toEqual({ limit: 10 });
  });

  it('refuses a forged cursor with a 400 naming the cursor', () => {
    for (const forged of [encodeCursor({ createdAt: 'yesterday', id: 1 }), encodeCursor({ id: 1 }), 'not-json']) {
      const error = (() => {
        try {
          byCreation.request(10, forged);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationFailedException);
      expect((error as ValidationFailedException).getResponse()).toMatchObject({ statusCode: 400, details: [{ field: 'cursor', messages: ['is not a valid cursor'] }] });
    }
  });

  it('starts after the cursor with one row comparison on the root alias', () => {
    const condition = byCreation.after(byCreation.request(10, encodeCursor({ createdAt: '2026-01-02T03:04:05.678Z', id: 7 })));
    const [key] = Object.getOwnPropertySymbols(condition);
    const fragment = RawQueryFragment.getKnownFragment(key!)!;
    expect(fragment.sql).toBe('([::alias::].created_at, [::alias::].id) < (?, ?)');
    expect(fragment.params).toEqual(['2026-01-02T03:04:05.678Z', 7]);
    expect(Object.getOwnPropertySymbols(byCreation.after({ limit: 10 }))).toEqual([]);
    expect(byCreation.orderBy).toEqual({ createdAt: 'desc', id: 'desc' });
  });

  it('builds a page from limit + 1 rows, with the cursor of the last row shown', () => {
    const rows = [3, 2, 1].map((id) => ({ id, createdAt: new Date(Date.UTC(2026, 0, id)) }));
    const request = byCreation.request(2, undefined);
    expect(byCreation.fetchSize(request)).toBe(3);
    const page = byCreation.page(rows, request);
    expect(page.items.map((row) => row.id)).toEqual([3, 2]);
    expect(byCreation.request(2, page.nextCursor!).after).toEqual({ createdAt: rows[1]!.createdAt, id: 2 });
    // Exactly `limit` rows left: no promise of a page that would be empty.
    expect(byCreation.page(rows.slice(0, 2), request).nextCursor).toBeNull();
  });

  it('applies the same order to a list in memory, ties broken by the next key', () => {
    const after = byCreation.request(10, encodeCursor({ createdAt: '2026-01-02T00:00:00.000Z', id: 5 }));
    const at = (day: number, id: number) => ({ createdAt: new Date(Date.UTC(2026, 0, day)), id });
    expect([at(1, 9), at(2, 4), at(2, 5), at(2, 6), at(3, 1)].map((row) => byCreation.follows(row, after))).toEqual([true, true, false, false, false]);
    const voices = byId.request(10, encodeCursor({ voiceId: 'b' }));
    expect(['a', 'b', 'c'].map((voice_id) => byId.follows({ voice_id }, voices))).toEqual([false, false, true]);
    expect(byId.page([{ voice_id: 'c' }, { voice_id: 'd' }], byId.request(1, undefined)).nextCursor).toBe(encodeCursor({ voiceId: 'c' }));
  });
});
