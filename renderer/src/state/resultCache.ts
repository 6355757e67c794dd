// A bounded cache of finished reconstructions, keyed by (study, slice, mask, model), least recently
// used first out when the bytes held pass the bound. Pure (no Vue, no DOM): the scheduler in
// neighbours.ts fills it and session.ts reads it when the reader stops on a slice.

export interface ResultKey {
  studyId: string;
  slice: number;
  /** maskKey() of the mask (study.ts), 'as-acquired' for undersampled files. */
  mask: string;
  /** The model's sha256 (a different model is a different result). */
  model: string;
}

export const DEFAULT_RESULT_CACHE_BYTES = 256 * 1024 ** 2;

export function resultKeyString(k: ResultKey): string {
  return JSON.stringify([k.studyId, k.slice, k.mask, k.model]);
}

interface Held<T> {
  key: ResultKey;
  value: T;
  bytes: number;
}

export class ResultCache<T> {
  private readonly entries = new Map<string, Held<T>>();
  private held = 0;

  constructor(readonly maxBytes: number = DEFAULT_RESULT_CACHE_BYTES) {}

  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: ResultKey): boolean {
    return this.entries.has(resultKeyString(key));
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: ResultKey): T | undefined {
    const k = resultKeyString(key);
    const e = this.entries.get(k);
    if (!e) return undefined;
    this.entries.delete(k);
    this.entries.set(k, e);
    return e.value;
  }

  /** Keeps a value of `bytes`; older entries go until it fits. One larger than the bound is not kept. */
  set(key: ResultKey, value: T, bytes: number): boolean {
    const k = resultKeyString(key);
    this.remove(k);
    if (!(bytes >= 0) || bytes > this.maxBytes) return false;
    while (this.held + bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
    }
    this.entries.set(k, { key, value, bytes });
    this.held += bytes;
    return true;
  }

  /** Drops every entry of a study with this mask (any slice, any model); returns how many. */
  invalidate(studyId: string, mask: string): number {
    let n = 0;
    for (const [k, e] of [...this.entries]) {
      if (e.key.studyId === studyId && e.key.mask === mask) {
        this.remove(k);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private remove(k: string): void {
    const e = this.entries.get(k);
    if (!e) return;
    this.entries.delete(k);
    this.held -= e.bytes;
  }
}
