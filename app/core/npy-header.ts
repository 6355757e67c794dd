// The header of a NumPy .npy file is a Python dict literal, e.g.
//   {'descr': '<c8', 'fortran_order': False, 'shape': (2, 256, 256), }
// It is untrusted text (up to 4 GB in format 2/3), so it is read by one linear scan — never by
// backtracking regular expressions (a `\(([^)]*)\)` search is quadratic on 116 k repeats of
// "'shape': (" without a closing parenthesis). Only string, True/False/None, integer and tuple
// values are understood; anything else ends the parse.

export interface NpyHeaderFields {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Largest header text read at all (NumPy itself writes a few hundred bytes). */
export const NPY_MAX_HEADER = 1 << 20;

type Value = string | boolean | null | number | number[];

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.i++;
    }
  }

  eat(ch: string): boolean {
    this.ws();
    if (this.s[this.i] === ch) {
      this.i++;
      return true;
    }
    return false;
  }

  string(): string | undefined {
    this.ws();
    const q = this.s[this.i];
    if (q !== "'" && q !== '"') return undefined;
    const end = this.s.indexOf(q, this.i + 1); // no escapes in dtype strings or keys
    if (end < 0) return undefined;
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }

  int(): number | undefined {
    this.ws();
    const start = this.i;
    while (this.i < this.s.length && this.i - start < 20) {
      const c = this.s.charCodeAt(this.i);
      if (c < 48 || c > 57) break;
      this.i++;
    }
    if (this.i === start) return undefined;
    if (this.s[this.i] === 'L') this.i++; // Python 2 long suffix
    return Number(this.s.slice(start, this.s[this.i - 1] === 'L' ? this.i - 1 : this.i));
  }

  word(): string {
    this.ws();
    const start = this.i;
    while (this.i < this.s.length && this.i - start < 8 && /[A-Za-z]/.test(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }

  value(): Value | undefined {
    this.ws();
    const c = this.s[this.i];
    if (c === "'" || c === '"') return this.string();
    if (c === '(') {
      this.i++;
      const out: number[] = [];
      for (;;) {
        if (this.eat(')')) return out;
        const n = this.int();
        if (n === undefined) return undefined;
        out.push(n);
        if (this.eat(')')) return out;
        if (!this.eat(',')) return undefined;
      }
    }
    if (c !== undefined && c >= '0' && c <= '9') return this.int();
    const w = this.word();
    if (w === 'True') return true;
    if (w === 'False') return false;
    if (w === 'None') return null;
    return undefined;
  }
}

/** The three fields NumPy requires, or undefined when the text is not such a dict. */
export function parseNpyHeaderText(text: string): NpyHeaderFields | undefined {
  if (text.length > NPY_MAX_HEADER) return undefined;
  const sc = new Scanner(text);
  if (!sc.eat('{')) return undefined;
  const fields = new Map<string, Value>();
  for (;;) {
    if (sc.eat('}')) break;
    const key = sc.string();
    if (key === undefined || !sc.eat(':')) return undefined;
    const v = sc.value();
    if (v === undefined) return undefined;
    fields.set(key, v);
    if (sc.eat('}')) break;
    if (!sc.eat(',')) return undefined;
  }
  const descr = fields.get('descr');
  const fortran = fields.get('fortran_order');
  const shape = fields.get('shape');
  if (typeof descr !== 'string' || typeof fortran !== 'boolean' || !Array.isArray(shape)) return undefined;
  return { descr, fortranOrder: fortran, shape };
}
