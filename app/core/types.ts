// Shared data types of the core. Everything above app/ (main/, renderer/, the CLI) speaks these.
// Arrays are row-major (slice, row, column). Columns are the phase-encode direction for 1D
// Cartesian masks. Complex data is interleaved re/im float32, like NumPy's complex64.

/**
 * A stack of 2D complex arrays: data.length === slices * rows * cols * 2 (re, im interleaved).
 * `kind` tells it apart from a RealStack of the same shape, for the compiler and at run time.
 */
export interface ComplexStack {
  kind: 'complex';
  slices: number;
  rows: number;
  cols: number;
  data: Float32Array;
}

/** A stack of 2D real arrays: data.length === slices * rows * cols. */
export interface RealStack {
  kind: 'real';
  slices: number;
  rows: number;
  cols: number;
  data: Float32Array;
}

export type FormatId = 'fastmri-h5' | 'ismrmrd-h5' | 'dicom' | 'nifti' | 'cfl' | 'npy';

/** What the DICOM source said about the patient and study; copied into exported series. */
export interface DicomSourceMeta {
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyInstanceUid?: string;
  studyDate?: string;
  studyTime?: string;
  studyDescription?: string;
  studyId?: string;
  accessionNumber?: string;
  seriesInstanceUid?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  modality?: string;
  manufacturer?: string;
  frameOfReferenceUid?: string;
  /** Per slice, in the order of the stack. */
  imagePositionPatient?: [number, number, number][];
  imageOrientationPatient?: [number, number, number, number, number, number];
  sliceThickness?: number;
  /** SOP Class UID of the source images (for the Source Image Sequence of exports). */
  sopClassUid?: string;
  /** Per slice, in the order of the stack: SOP Instance UID of the image it came from. */
  sopInstanceUids?: string[];
  /** Per slice: its frame number (1-based) in a multi-frame source, else absent. */
  frameNumbers?: (number | undefined)[];
  /** Body Part Examined (0018,0015). */
  bodyPartExamined?: string;
  /** Laterality (0020,0060) or Image Laterality (0020,0062) when the source states one. */
  laterality?: string;
  /** VOI window from the file, in output (rescaled) units, when present and non-degenerate. */
  windowCenter?: number;
  windowWidth?: number;
}

/**
 * A study as the reader sees it: one k-space stack (measured or simulated) plus whatever the file
 * carried. The recon pipeline needs nothing else.
 */
export interface Study {
  format: FormatId;
  /** File name(s) it came from, for messages and provenance. */
  source: string;
  /** What the file held: raw k-space, or magnitude/complex images whose k-space we simulate. */
  content: 'kspace' | 'image';
  /**
   * Centred k-space, orthonormal 2D FFT convention (see app/fft). For image input: simulated.
   * Multi-coil data are laid out (slice, coil, row, col): data.length = slices·coils·rows·cols·2.
   */
  kspace: ComplexStack;
  /** Receive coils per slice (absent = 1). Reconstructed jointly (SENSE-style, app/recon/coils.ts). */
  coils?: number;
  /** True when kspace was computed from images (the UI labels it "simulated k-space"). */
  simulatedKspace: boolean;
  /**
   * Present when the file is already undersampled (fastMRI test split `mask`, ISMRMRD with gaps,
   * BART/NumPy k-space with zero columns): reconstruct as acquired, rows*cols, 1 = sampled.
   */
  acquiredMask?: Uint8Array;
  /** Magnitude reference (reconstruction_esc, or the source image itself). Same crop as display. */
  reference?: RealStack;
  /** fastMRI convention: results are shown and scored on a centre crop of this size. */
  crop?: { rows: number; cols: number };
  /** Row and column spacing in mm, when known. */
  pixelSpacingMm?: [number, number];
  /**
   * Direction of the rows then of the columns of every slice in patient axes (LPS, DICOM's
   * ImageOrientationPatient convention), when the file says it (DICOM with geometry, NIfTI with a
   * qform/sform). Absent: the orientation is unknown.
   */
  imageOrientation?: [number, number, number, number, number, number];
  dicom?: DicomSourceMeta;
  /** Plain-language notes shown in the UI, e.g. "Read as k-space: …". */
  notes: string[];
}

/** Retrospective undersampling request for fully sampled input. */
export interface MaskSpec {
  kind: 'random' | 'equispaced';
  acceleration: number;
  centerFraction: number;
  seed: number;
}
