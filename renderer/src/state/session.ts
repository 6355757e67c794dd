// The reading session's facade: the action names the renderer (and other branches) always imported
// from here, re-exported from the stores by concern — study.ts, run.ts, viewport.ts, layout.ts —
// and from scheduler.ts, which connects them to the host and schedules the runs. `store` is the
// former single store as a read-only view, for code not yet moved to the stores.

import type { StudySummary } from '../../../app/contract/ipc';
import type { MaskSpec } from '../../../app/core/types';
import type { Transport } from '../bridge';
import type { WindowLevel, WindowPreset } from '../imaging/windowing';
import { studyState, type MaskSettings } from './study';
import { runState, type RunStatus } from './run';
import { viewState, type Tool } from './viewport';
import { closeDialog, layoutState, showDialog, type Layout } from './layout';

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

/**
 * The fields of the former single store, read through to the stores above, for code written
 * against it (other branches). Only the dialog flags can be set, and they go through layout.ts.
 * New code reads studyState / runState / viewState / layoutState.
 */
export interface LegacyStore {
  readonly wl: WindowLevel | null;
  readonly transport: Transport;
  readonly info: typeof studyState.info;
  readonly study: StudySummary | null;
  readonly slice: number;
  readonly version: number;
  readonly sliceKey: number;
  readonly busy: string;
  readonly error: string;
  readonly runId: string;
  readonly runStatus: RunStatus;
  readonly runMs: number;
  readonly executionProvider: string | null;
  readonly acceleration: number | null;
  readonly nSteps: number;
  readonly tSchedule: readonly number[];
  readonly received: number;
  readonly currentStep: number;
  readonly follow: boolean;
  readonly playing: boolean;
  readonly wlLocked: boolean;
  readonly invert: boolean;
  readonly scale: number | null;
  readonly translation: { readonly x: number; readonly y: number };
  readonly rotation: 0 | 90 | 180 | 270;
  readonly hflip: boolean;
  readonly vflip: boolean;
  readonly tool: Tool;
  readonly layout: Layout;
  readonly presets: readonly WindowPreset[];
  readonly appliedMask: MaskSpec | null;
  readonly mask: Readonly<MaskSettings>;
  helpOpen: boolean;
  modelCardOpen: boolean;
  exportOpen: boolean;
  studyBrowserOpen: boolean;
}

function legacyStore(): LegacyStore {
  const o = {} as LegacyStore;
  const from = (src: object, names: string[]): void => {
    for (const n of names) Object.defineProperty(o, n, { enumerable: true, get: () => (src as Record<string, unknown>)[n] });
  };
  from(studyState, ['transport', 'info', 'study', 'slice', 'sliceKey', 'busy', 'error', 'acceleration', 'appliedMask', 'mask']);
  from(runState, ['version', 'runId', 'runStatus', 'runMs', 'executionProvider', 'nSteps', 'tSchedule', 'received', 'currentStep', 'follow', 'playing']);
  from(viewState, ['wl', 'wlLocked', 'invert', 'scale', 'translation', 'rotation', 'hflip', 'vflip', 'tool', 'presets']);
  from(layoutState, ['layout']);
  const dialogs = { helpOpen: 'help', modelCardOpen: 'modelCard', exportOpen: 'export', studyBrowserOpen: 'studyBrowser' } as const;
  for (const [flag, name] of Object.entries(dialogs)) {
    Object.defineProperty(o, flag, {
      enumerable: true,
      get: () => layoutState[flag as keyof typeof dialogs],
      set: (v: boolean) => (v ? showDialog(name) : closeDialog(name)),
    });
  }
  return o;
}

/** @deprecated read studyState, runState, viewState and layoutState; change them through actions. */
export const store: LegacyStore = legacyStore();
