// The studies open in the data plane (id → Study) and what the renderer sees of them: summaries,
// the zero-filled image and reference of a slice (display crop), the mask columns, and the
// prepared inputs of a run. Parsing happens in the reader thread (reader.ts), masks in app/masks,
// preparation (one inverse FFT) in app/recon, here on the data-plane process's main thread.

import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { SliceImages, StudySummary } from '../../app/contract/ipc';
import { FlatError } from '../../app/core/errors';
import type { MaskSpec, Study } from '../../app/core/types';
import type { StudyInput } from '../../app/formats';
import { columnMaskToPlane, makeColumnMask, samplingFraction } from '../../app/masks';
import { centreCrop, magnitude } from '../../app/recon/display';
import { referenceSlice, type RealImage } from '../../app/recon/evaluate';
import { prepareSlice } from '../../app/recon/prepare';
import { studyUnits } from '../../app/recon/units';
import { toDisplayUnits } from '../../app/display/units';
import type { RunJob } from './ort-protocol';

export const SAMPLE_FILE = 'colin27_fastmri_singlecoil.h5';

/** fastMRI's standard 4× random mask: used when a fully sampled study comes without a mask. */
export const DEFAULT_MASK: MaskSpec = { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 };

export interface StudyServiceOptions {
  sampleDir: string;
  /** Parses an input (the reader thread in the data plane; tests may read in-line). */
  read: (input: StudyInput) => Promise<Study>;
  /** Oldest studies are closed beyond this many (they can be large). */
  maxOpen?: number;
}

interface OpenStudy {
  id: string;
  study: Study;
  summary: StudySummary;
  /** Files or folders it was read from (never written into); none for uploaded bytes. */
  inputPaths: string[];
}

interface MaskChoice {
  plane: Uint8Array;
  columns: Uint8Array | null;
  acceleration: number | null;
}

export class StudyService {
  private readonly studies = new Map<string, OpenStudy>();
  private readonly sampleDir: string;
  private readonly maxOpen: number;
  private readonly read: (input: StudyInput) => Promise<Study>;

  constructor(options: StudyServiceOptions) {
    this.sampleDir = options.sampleDir;
    this.read = options.read;
    this.maxOpen = Math.max(1, options.maxOpen ?? 6);
  }

  samplePath(): string {
    const preferred = path.join(this.sampleDir, SAMPLE_FILE);
    if (existsSync(preferred)) return preferred;
    const h5 = existsSync(this.sampleDir) ? readdirSync(this.sampleDir).filter((f) => f.endsWith('.h5')).sort() : [];
    if (h5.length === 0) throw new FlatError('io', 'The bundled sample study is missing from this installation.');
    return path.join(this.sampleDir, h5[0]!);
  }

  async openSample(options: { studyId?: string } = {}): Promise<StudySummary> {
    const p = this.samplePath();
    return this.add(await this.read({ path: p }), [p], options.studyId);
  }

  /**
   * Files or a folder by path. `name` replaces the shown source (staged uploads); `inputPaths`
   * are the paths exports must never write into (default: `paths`; none for staged uploads);
   * `studyId` re-opens a study under its old id (after a restart of this process).
   */
  async openPaths(paths: string[], options: { name?: string; inputPaths?: string[]; studyId?: string } = {}): Promise<StudySummary> {
    if (paths.length === 0) throw new FlatError('invalid-request', 'No file was chosen.');
    const study = await this.read(paths.length === 1 ? { path: paths[0]! } : { paths });
    if (options.name) study.source = options.name;
    return this.add(study, options.inputPaths ?? paths, options.studyId);
  }

  has(studyId: string): boolean {
    return this.studies.has(studyId);
  }

  summary(studyId: string): StudySummary {
    return this.get(studyId).summary;
  }

  /** The loaded study itself (read-only use: export source metadata and geometry, PACS send). */
  study(studyId: string): Study {
    return this.get(studyId).study;
  }

  /** Files or folders the study was read from. */
  inputPaths(studyId: string): string[] {
    return [...this.get(studyId).inputPaths];
  }

  /** The mask a run of this study uses, in words (DICOM provenance). */
  maskDescription(studyId: string, mask?: MaskSpec): string {
    const { study } = this.get(studyId);
    const what = study.acquiredMask
      ? 'as acquired'
      : (() => {
          const s = mask ?? DEFAULT_MASK;
          return `${s.kind} 1D mask, ${s.acceleration}x, centre fraction ${s.centerFraction}, seed ${s.seed}`;
        })();
    return study.simulatedKspace ? `${what} (simulated k-space)` : what;
  }

  close(studyId: string): void {
    this.studies.delete(studyId);
  }

  getSlice(studyId: string, slice: number, mask?: MaskSpec): SliceImages {
    const { study, summary } = this.get(studyId);
    this.checkSlice(study, slice);
    const m = this.maskFor(study, mask);
    const prepared = prepareSlice(study, slice, m.plane);
    const { rows, cols } = study.kspace;
    const shown = centreCrop(magnitude(prepared.zeroFilled), rows, cols, summary.displayRows, summary.displayCols);
    const reference = this.displayReference(study, slice, summary);
    // shown in the study's display units (both arrays are owned here)
    const scale = studyUnits(study).scale;
    toDisplayUnits(shown.data, scale);
    if (reference) toDisplayUnits(reference.data, scale);
    return {
      studyId,
      slice,
      rows: shown.rows,
      cols: shown.cols,
      zeroFilled: shown.data,
      ...(reference ? { reference: reference.data } : {}),
      maskColumns: m.columns,
      acceleration: m.acceleration,
    };
  }

  /** Everything the worker needs for one run (typed arrays are copied to it). */
  prepareRun(studyId: string, slice: number, mask?: MaskSpec): Omit<RunJob, 'runId'> {
    const { study, summary } = this.get(studyId);
    this.checkSlice(study, slice);
    const m = this.maskFor(study, mask);
    const prepared = prepareSlice(study, slice, m.plane);
    const reference = this.displayReference(study, slice, summary);
    return {
      studyId,
      slice,
      acceleration: m.acceleration,
      prepared,
      ...(reference ? { reference } : {}),
      display: { rows: summary.displayRows, cols: summary.displayCols },
      displayScale: studyUnits(study).scale,
    };
  }

  // --- internals --------------------------------------------------------------------------

  private get(studyId: string): OpenStudy {
    const s = this.studies.get(studyId);
    if (!s) throw new FlatError('invalid-request', 'That study is not open (it may have been closed); please open it again.');
    return s;
  }

  private checkSlice(study: Study, slice: number): void {
    if (slice >= study.kspace.slices) {
      throw new FlatError('invalid-request', `Slice ${slice} does not exist; the study has ${study.kspace.slices} slice(s).`);
    }
  }

  private add(study: Study, inputPaths: string[], studyId?: string): StudySummary {
    const id = studyId && /^st-[0-9a-f]{16}$/.test(studyId) ? studyId : `st-${randomBytes(8).toString('hex')}`;
    this.studies.delete(id);
    const summary = summarize(id, study);
    this.studies.set(id, { id, study, summary, inputPaths });
    while (this.studies.size > this.maxOpen) this.studies.delete(this.studies.keys().next().value!);
    return summary;
  }

  private maskFor(study: Study, spec?: MaskSpec): MaskChoice {
    const { rows, cols } = study.kspace;
    if (study.acquiredMask) {
      const columns = columnsOf(study.acquiredMask, rows, cols);
      const f = samplingFraction(study.acquiredMask);
      return { plane: study.acquiredMask, columns, acceleration: f > 0 ? 1 / f : null };
    }
    const s = spec ?? DEFAULT_MASK;
    const columns = makeColumnMask(s, cols);
    return { plane: columnMaskToPlane(columns, rows), columns, acceleration: s.acceleration };
  }

  private displayReference(study: Study, slice: number, summary: StudySummary): RealImage | undefined {
    const ref = referenceSlice(study, slice);
    if (!ref) return undefined;
    if (ref.rows < summary.displayRows || ref.cols < summary.displayCols) return undefined;
    const c = centreCrop(ref.data, ref.rows, ref.cols, summary.displayRows, summary.displayCols);
    // Own the pixels: referenceSlice may return a view into the whole stack.
    return { rows: c.rows, cols: c.cols, data: c.data === ref.data ? Float32Array.from(ref.data) : c.data };
  }
}

/** The columns of a 2D mask when it is a 1D column mask (every row alike), else null. */
export function columnsOf(plane: Uint8Array, rows: number, cols: number): Uint8Array | null {
  const first = plane.subarray(0, cols);
  for (let r = 1; r < rows; r++) {
    const row = plane.subarray(r * cols, (r + 1) * cols);
    for (let c = 0; c < cols; c++) if ((row[c] ? 1 : 0) !== (first[c] ? 1 : 0)) return null;
  }
  return Uint8Array.from(first, (v) => (v ? 1 : 0));
}

export function summarize(studyId: string, study: Study): StudySummary {
  const { rows, cols, slices } = study.kspace;
  const displayRows = Math.min(rows, study.crop?.rows ?? rows);
  const displayCols = Math.min(cols, study.crop?.cols ?? cols);
  const d = study.dicom;
  const dicom = d
    ? {
        ...(d.patientName !== undefined ? { patientName: d.patientName } : {}),
        ...(d.patientId !== undefined ? { patientId: d.patientId } : {}),
        ...(d.studyDescription !== undefined ? { studyDescription: d.studyDescription } : {}),
        ...(d.seriesDescription !== undefined ? { seriesDescription: d.seriesDescription } : {}),
        ...(d.seriesNumber !== undefined ? { seriesNumber: d.seriesNumber } : {}),
        ...(d.windowCenter !== undefined ? { windowCenter: d.windowCenter } : {}),
        ...(d.windowWidth !== undefined ? { windowWidth: d.windowWidth } : {}),
      }
    : undefined;
  const orientation = study.imageOrientation ?? d?.imageOrientationPatient;
  return {
    studyId,
    source: path.basename(study.source) || study.source,
    format: study.format,
    content: study.content,
    simulatedKspace: study.simulatedKspace,
    slices,
    rows,
    cols,
    displayRows,
    displayCols,
    undersampled: study.acquiredMask !== undefined,
    hasReference: study.reference !== undefined || (study.content === 'image' && !study.acquiredMask),
    ...(study.pixelSpacingMm ? { pixelSpacingMm: study.pixelSpacingMm } : {}),
    units: studyUnits(study),
    ...(orientation ? { imageOrientation: orientation } : {}),
    ...(dicom ? { dicom } : {}),
    notes: [...study.notes],
  };
}
