// Layout store: single or comparison layout, the contribution pane, which dialog is open.
// Components read `layoutState` (readonly) and change it only through the actions below.

import { reactive, readonly } from 'vue';

export type Layout = 'single' | 'compare';
export type DialogName = 'help' | 'modelCard' | 'export' | 'studyBrowser' | 'keySettings';

function initial() {
  return {
    layout: 'single' as Layout,
    /** A pane with the model contribution beside the step (single layout) / in the grid (compare). */
    showContribution: false,
    helpOpen: false,
    modelCardOpen: false,
    /** The DICOM export dialog (components/ExportDialog.vue; E, the Export button, File > Export DICOM…). */
    exportOpen: false,
    studyBrowserOpen: false,
    keySettingsOpen: false,
  };
}
type LayoutState = ReturnType<typeof initial>;

const state = reactive(initial());
export const layoutState: Readonly<LayoutState> = readonly(state);

const FLAG: Record<DialogName, Exclude<keyof LayoutState, 'layout' | 'showContribution'>> = {
  help: 'helpOpen',
  modelCard: 'modelCardOpen',
  export: 'exportOpen',
  studyBrowser: 'studyBrowserOpen',
  keySettings: 'keySettingsOpen',
};

/** Back to the first-start layout (tests: each starts from here). */
export function resetLayoutStore(): void {
  Object.assign(state, initial());
}

export function setLayout(l: Layout): void {
  state.layout = l;
}

export function toggleLayout(): void {
  state.layout = state.layout === 'single' ? 'compare' : 'single';
}

export function toggleContribution(): void {
  state.showContribution = !state.showContribution;
}

export function showDialog(name: DialogName): void {
  state[FLAG[name]] = true;
}

export function closeDialog(name: DialogName): void {
  state[FLAG[name]] = false;
}

export function toggleDialog(name: DialogName): void {
  state[FLAG[name]] = !state[FLAG[name]];
}

export function closeAllDialogs(): void {
  for (const name of Object.keys(FLAG) as DialogName[]) closeDialog(name);
}

/** True while a modal dialog is open: it handles its own keys (Esc, Tab); shortcuts wait. */
export function anyDialogOpen(): boolean {
  return (Object.keys(FLAG) as DialogName[]).some((n) => state[FLAG[n]]);
}
