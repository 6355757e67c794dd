// mulberry32: a small, fast, well-mixed 32-bit PRNG (Tommy Ettinger's constants). Masks only need
// reproducibility for a given seed, not NumPy compatibility: the same seed always gives the same
// mask in the app, the CLI and the bench.

/** Returns a function giving uniform floats in [0, 1) for the 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
