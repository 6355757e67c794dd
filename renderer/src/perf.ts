// User-timing marks the UI bench reads (bench/ui.ts): when the reader changed the step or the slice
// (`flat:input:step|slice`) and when each pane drew afterwards (`flat:drawn:<pane>`, detail = the
// image id drawn). Marks are written only for a few renders after an input, and each input clears
// the previous ones, so a long session keeps a short timeline.

const MAX_DRAWN_PER_INPUT = 16;
let drawnLeft = 0;

function timing(): Performance | null {
  return typeof performance !== 'undefined' && typeof performance.mark === 'function' ? performance : null;
}

export function markInput(what: 'step' | 'slice'): void {
  const p = timing();
  if (!p) return;
  for (const m of p.getEntriesByType('mark')) if (m.name.startsWith('flat:')) p.clearMarks(m.name);
  p.mark(`flat:input:${what}`);
  drawnLeft = MAX_DRAWN_PER_INPUT;
}

export function markDrawn(pane: string, imageId: string): void {
  const p = timing();
  if (!p || drawnLeft <= 0) return;
  drawnLeft--;
  p.mark(`flat:drawn:${pane}`, { detail: imageId });
}
