import { parseIsoDateTime } from '../validation/iso-date-time.js';
import { exceedsJsonDepth } from './json-body.js';
import { findUnstorableText, isStorableText, UNSTORABLE_MESSAGE } from './storable-text.js';

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, keeps pairs and other text', () => {
    for (const bad of ['\u0000', 'a\u0000', '\ud800', 'x\udc00', '\ud83d', '\ude00x', '🎧\ud800', '\udc00\ud800']) expect(isStorableText(bad)).toBe(false);
    for (const good of ['', 'plain', '🎧', 'ünïcode — ✓', '\ud83d\ude00', '\u0001\u001f']) expect(isStorableText(good)).toBe(true);
  });

  it('names every bad string by its dotted path, keys included, at any depth', () => {
    const value = { a: 'ok', b: ['fine', { c: 'x\u0000' }], ['k\ud800']: 1, d: { e: { f: '\udc00' } } };
    expect(findUnstorableText(value, '')).toEqual(
      expect.arrayContaining([
        { field: 'b.1.c', messages: [UNSTORABLE_MESSAGE] },
        { field: 'k\\ud800', messages: [UNSTORABLE_MESSAGE] },
        { field: 'd.e.f', messages: [UNSTORABLE_MESSAGE] },
      ]),
    );
    expect(findUnstorableText(value, '')).toHaveLength(3);
    expect(findUnstorableText({ 'x-custom': 'a\u0000b', host: 'example' }, 'headers')).toEqual([{ field: 'headers.x-custom', messages: [UNSTORABLE_MESSAGE] }]);
    expect(findUnstorableText(undefined, '')).toEqual([]);
  });

  it('walks deep values without recursion', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep, '')).toHaveLength(1);
  });
});

describe('JSON depth scan', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(exceedsJsonDepth(Buffer.from(nest(32)))).toBe(false);
    expect(exceedsJsonDepth(Buffer.from(nest(33)))).toBe(true);
    expect(exceedsJsonDepth(Buffer.from(`{"a":"${'['.repeat(100)}","b":"\\"${'{'.repeat(100)}"}`))).toBe(false);
    expect(exceedsJsonDepth(Buffer.from(`{"a":{"b":{"c":[]}}}`), 3)).toBe(true);
    expect(exceedsJsonDepth(Buffer.from(`{"a":{"b":{"c":1}}}`), 3)).toBe(false);
    expect(exceedsJsonDepth(Buffer.from(nest(1_000_000)))).toBe(true);
  });
});

describe('ISO 8601 date-times', () => {
  it('accepts RFC 3339 date-times PostgreSQL and Date both hold, as the same instant Date.parse gives', () => {
    for (const value of ['2026-01-31T09:30:00Z', '2026-01-31T10:30:00.123+01:00', '2024-02-29T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-01-01T00:00:00.123456-05:30']) {
      expect(parseIsoDateTime(value)?.getTime()).toBe(Date.parse(value));
    }
  });

  it('refuses other spellings, impossible dates and years outside 0001-9999', () => {
    for (const value of ['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '20260101', '20260101T000000Z', '2026-W01', '2026-001', '2026-01-01', '2026-01-01T00:00:00', '2026-01-01 00:00:00Z', '2025-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T00:00:00+24:00', '0000-01-01T00:00:00Z', '9999-12-31T23:00:00-14:00', '0001-01-01T00:00:00+00:01', ' 2026-01-01T00:00:00Z', 'now', '', 42, null]) {
      expect([value, parseIsoDateTime(value)]).toEqual([value, undefined]);
    }
  });
});
