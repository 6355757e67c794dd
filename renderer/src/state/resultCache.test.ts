// The result cache: LRU by bytes, invalidation by study and mask, oversize values refused.
import { describe, expect, it } from 'vitest';
import { ResultCache, type ResultKey } from './resultCache';

const key = (slice: number, mask = 'm4', studyId = 's1', model = 'abc'): ResultKey => ({ studyId, slice, mask, model });

describe('ResultCache', () => {
  it('evicts the least recently used entries when the bytes pass the bound', () => {
    const c = new ResultCache<string>(100);
    c.set(key(0), 'a', 40);
    c.set(key(1), 'b', 40);
    expect(c.get(key(0))).toBe('a'); // 0 is now the most recent
    c.set(key(2), 'c', 40); // 120 > 100: slice 1 goes
    expect(c.has(key(1))).toBe(false);
    expect(c.get(key(0))).toBe('a');
    expect(c.get(key(2))).toBe('c');
    expect(c.bytes).toBe(80);
    expect(c.size).toBe(2);
  });

  it('tells keys apart by slice, mask, study and model', () => {
    const c = new ResultCache<string>(1000);
    c.set(key(0), 'base', 1);
    expect(c.get(key(1))).toBeUndefined();
    expect(c.get(key(0, 'm8'))).toBeUndefined();
    expect(c.get(key(0, 'm4', 's2'))).toBeUndefined();
    expect(c.get(key(0, 'm4', 's1', 'other'))).toBeUndefined();
    expect(c.get(key(0))).toBe('base');
  });

  it('replaces a value under the same key without counting it twice', () => {
    const c = new ResultCache<string>(100);
    c.set(key(0), 'a', 60);
    c.set(key(0), 'b', 70);
    expect(c.bytes).toBe(70);
    expect(c.get(key(0))).toBe('b');
  });

  it('does not keep a value larger than the whole bound, and keeps the others', () => {
    const c = new ResultCache<string>(100);
    c.set(key(0), 'a', 50);
    expect(c.set(key(1), 'huge', 101)).toBe(false);
    expect(c.has(key(1))).toBe(false);
    expect(c.get(key(0))).toBe('a');
  });

  it('invalidates one study and mask only', () => {
    const c = new ResultCache<string>(1000);
    c.set(key(0), 'a', 10);
    c.set(key(1), 'b', 10);
    c.set(key(0, 'm8'), 'c', 10);
    c.set(key(0, 'm4', 's2'), 'd', 10);
    expect(c.invalidate('s1', 'm4')).toBe(2);
    expect([c.has(key(0)), c.has(key(1)), c.has(key(0, 'm8')), c.has(key(0, 'm4', 's2'))]).toEqual([false, false, true, true]);
    expect(c.bytes).toBe(20);
  });
});
