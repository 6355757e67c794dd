// The FLAT reconstruction pipeline: model cards, the onnxruntime engine, slice preparation, display helpers.
export { loadModelCard, readVerifiedModel, sha256Hex, type ModelCard, type ModelFile } from './card';
export {
  createEngine,
  availableProviders,
  PROVIDER_ORDER,
  type Engine,
  type EngineOptions,
  type ExecutionProviderName,
  type ReconResult,
  type StepCallback,
} from './engine';
export { prepareSlice, toPlanar, fromPlanar, coilsToPlanar, planarToCoils, type PreparedSlice } from './prepare';
export { acsBox, estimateMaps, displayImage, coilImages, maxRss, rssImage, worstCoilResidual } from './coils';
export { magnitude, centreCrop, quantile } from './display';
export {
  referenceSlice,
  volumeMax,
  imageMetrics,
  trajectoryMetrics,
  croppedMagnitude,
  stateOf,
  type RealImage,
  type TrajectoryMetrics,
} from './evaluate';
