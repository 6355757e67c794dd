// One mask rule (app/masks/spec.ts) for every caller: the generator, the IPC/HTTP validation and the
// renderer's form must accept and refuse exactly the same specifications.
import { describe, expect, it } from 'vitest';
import { parseMaskSpec as contractParse } from '../../contract/ipc';
import { makeColumnMask } from '../cartesian';
import { MASK_LIMITS, defaultCenterFraction, maskSpecProblem } from '../spec';

const ok = { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 } as const;
const cases: [string, unknown][] = [
  ['valid', ok],
  ['equispaced 8×', { ...ok, kind: 'equispaced', acceleration: 8, centerFraction: 0.04 }],
  ['largest acceleration', { ...ok, acceleration: MASK_LIMITS.accelerationMax, centerFraction: 1 / MASK_LIMITS.accelerationMax }],
  ['acceleration above the limit', { ...ok, acceleration: MASK_LIMITS.accelerationMax + 1, centerFraction: 0.001 }],
  ['acceleration below 1', { ...ok, acceleration: 0.5 }],
  ['acceleration NaN', { ...ok, acceleration: Number.NaN }],
  ['centre fraction 0', { ...ok, centerFraction: 0 }],
  ['centre larger than 1/R', { ...ok, centerFraction: 0.5 }],
  ['largest seed', { ...ok, seed: MASK_LIMITS.seedMax }],
  ['seed above uint32', { ...ok, seed: MASK_LIMITS.seedMax + 1 }],
  ['negative seed', { ...ok, seed: -1 }],
  ['fractional seed', { ...ok, seed: 1.5 }],
  ['unknown kind', { ...ok, kind: 'poisson' }],
  ['not an object', 42],
];

describe('mask specification rule', () => {
  it.each(cases)('%s: generator, contract and form agree', (_name, spec) => {
    const problem = maskSpecProblem(spec);
    const parsed = contractParse(spec);
    expect(typeof parsed === 'string').toBe(problem !== null);
    if (problem) expect(parsed).toBe(problem);
    if (typeof spec === 'object') {
      const build = () => makeColumnMask(spec as never, 320);
      if (problem) expect(build).toThrow(problem);
      else expect(build().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  });

  it('refusals are one plain sentence', () => {
    for (const [, spec] of cases) {
      const p = maskSpecProblem(spec);
      if (p) expect(p).toMatch(/^[A-Z][^\n]*\.$/);
    }
  });

  it("default centre fraction follows fastMRI's 0.08 at 4×, 0.04 at 8×", () => {
    expect(defaultCenterFraction(4)).toBeCloseTo(0.08, 12);
    expect(defaultCenterFraction(8)).toBeCloseTo(0.04, 12);
    expect(maskSpecProblem({ ...ok, acceleration: 64, centerFraction: defaultCenterFraction(64) })).toBeNull();
  });
});
