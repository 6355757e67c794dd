// Undersampling masks: retrospective 1D Cartesian masks and mask files.
export {
  makeMask,
  makeColumnMask,
  columnMaskToPlane,
  defaultCenterFraction,
  samplingFraction,
  assertMaskSpec,
} from './cartesian';
export { loadMaskFile, parseMaskNpy, maskFileToPlane, type MaskFile } from './maskFile';
export { mulberry32 } from './prng';
export { MASK_KINDS, MASK_LIMITS, maskSpecProblem, parseMaskSpec } from './spec';
