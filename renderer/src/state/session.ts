// The reading session's facade: the action names the renderer (and other branches) always imported
// from here, re-exported from the stores by concern — study.ts, run.ts, viewport.ts, layout.ts —
// and from scheduler.ts, which connects them to the host and schedules the runs. New code imports
// the stores themselves.

export type { MaskSettings, MaskSettings as MaskForm } from './study';
export type { RunStatus, StepEntry } from './run';
export type { Tool } from './viewport';
export type { Layout } from './layout';
export { dismissError, maskProblem, maskSpec, prefetchedSlices, showError, sliceImages } from './study';
export { allSteps, setStep, startCine, stepBy, stepEntry, stopCine, togglePlay } from './run';
export { setWindow } from './viewport';
export {
  applyMask,
  autoWindowNow,
  cancelRun,
  connectedApi,
  currentImage,
  deletePreset,
  dicomPreset,
  flatApi,
  handleMenuCommand,
  holdBackgroundRuns,
  init,
  loadSlice,
  onStepShown,
  onViewAction,
  openDialog,
  openFiles,
  openSample,
  releaseWhenJobEnds,
  resetSession,
  resetView,
  resumeNeighbours,
  runAgain,
  saveCurrentAsPreset,
  setSlice,
  showOpenedStudy,
  sliceBy,
  startRun,
} from './scheduler';
