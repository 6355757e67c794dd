import { describe, expect, it } from 'vitest';
import { parseReconArgs } from '../args';

describe('recon CLI arguments', () => {
  it('defaults: 4x random mask, seed 0, centre fraction 0.08 (0.04 at 8x), model flat', () => {
    const a = parseReconArgs(['--input', 'x.h5', '--out', 'o']);
    expect(a.mask).toEqual({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 });
    expect(a.model).toBe('flat');
    expect([a.json, a.allSteps]).toEqual([false, false]);
    const b = parseReconArgs(['--input=x.h5', '--out=o', '--acceleration', '8', '--mask', 'equispaced', '--seed', '7']);
    expect(b.mask).toEqual({ kind: 'equispaced', acceleration: 8, centerFraction: 0.04, seed: 7 });
    const c = parseReconArgs(['--input', 'x', '--out', 'o', '--acceleration', '8', '--center-fraction', '0.1', '--slices', '2,0,2', '--json', '--all-steps']);
    expect(c.mask.centerFraction).toBe(0.1);
    expect(c.slices).toEqual([2, 0]);
    expect([c.json, c.allSteps]).toEqual([true, true]);
  });

  it.each([
    [['--out', 'o'], /--input is required/],
    [['--input', 'x'], /--out is required/],
    [['--input', 'x', '--out', 'o', '--acceleration', 'four'], /must be a number/],
    [['--input', 'x', '--out', 'o', '--mask', 'poisson'], /random or equispaced/],
    [['--input', 'x', '--out', 'o', '--slices', '1,a'], /comma-separated/],
    [['--input', 'x', '--out', 'o', '--seed', '-1'], /--seed/],
    [['--input', 'x', '--out', 'o', '--mask-file'], /needs a value/],
    [['--input', 'x', '--out', 'o', '--bogus'], /Unknown option/],
  ])('%j is refused with a plain sentence', (argv, pattern) => {
    expect(() => parseReconArgs(argv)).toThrow(expect.objectContaining({ code: 'invalid-request', message: expect.stringMatching(pattern) }));
  });
});
