// Menu commands from the main process are checked before the page acts on them: every MenuCommand
// shape passes, anything else is refused with a reason.
import { describe, expect, it } from 'vitest';
import type { MenuCommand, StudySummary } from '../ipc';
import { parseMenuCommand, studySummaryProblem } from '../menu';

const study: StudySummary = {
  studyId: 'study-1',
  source: 'knee.h5',
  format: 'fastmri-h5',
  content: 'kspace',
  simulatedKspace: false,
  slices: 3,
  rows: 640,
  cols: 368,
  displayRows: 320,
  displayCols: 320,
  undersampled: false,
  hasReference: true,
  notes: ['a note'],
  pixelSpacingMm: [0.5, 0.5],
};

describe('parseMenuCommand', () => {
  it.each<MenuCommand>([
    { type: 'open-dialog' },
    { type: 'open-sample' },
    { type: 'export-dialog' },
    { type: 'study-opened', study },
    { type: 'view-action', action: 'rotate-cw' },
    { type: 'error', message: 'The file could not be read.' },
  ])('accepts %j as JSON text and as an object', (cmd) => {
    expect(parseMenuCommand(JSON.stringify(cmd))).toEqual(cmd);
    expect(parseMenuCommand(cmd)).toEqual(cmd);
  });

  it('drops fields a command does not have', () => {
    expect(parseMenuCommand('{"type":"open-sample","extra":1}')).toEqual({ type: 'open-sample' });
  });

  it.each([
    ['{not json', /not JSON/],
    ['[1,2]', /not an object/],
    ['null', /not an object/],
    [42, /not an object/],
    ['{"type":"format-disk"}', /"format-disk" is not a menu command/],
    ['{}', /no command type/],
    ['{"type":"view-action"}', /action id/],
    ['{"type":"view-action","action":"<script>"}', /action id/],
    ['{"type":"error","message":""}', /message/],
    [JSON.stringify({ type: 'error', message: 'x'.repeat(2001) }), /message/],
    ['{"type":"study-opened"}', /study must be an object/],
    [JSON.stringify({ type: 'study-opened', study: { ...study, studyId: '../x' } }), /studyId/],
    [JSON.stringify({ type: 'study-opened', study: { ...study, slices: 0 } }), /slices/],
    [JSON.stringify({ type: 'study-opened', study: { ...study, format: 'exe' } }), /format/],
    [JSON.stringify({ type: 'study-opened', study: { ...study, notes: 'x' } }), /notes/],
    [JSON.stringify({ type: 'study-opened', study: { ...study, pixelSpacingMm: [0.5, -1] } }), /pixelSpacingMm/],
  ])('refuses %s', (detail, reason) => {
    const r = parseMenuCommand(detail);
    expect(typeof r).toBe('string');
    expect(r).toMatch(reason);
  });

  it('knows a whole study summary', () => {
    expect(studySummaryProblem(study)).toBeNull();
    expect(studySummaryProblem({ ...study, hasReference: 'yes' })).toMatch(/hasReference/);
  });
});
