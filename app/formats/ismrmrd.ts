// ISMRMRD / MRD HDF5 reader: `/dataset/xml` header and `/dataset/data` acquisitions (compound of
// `head`, `traj`, `data`). Cartesian lines are placed by their encoding counters:
//   readout samples → rows (centred on center_sample), kspace_encode_step_1 → columns (centred on
//   the header's encodingLimits center), idx.slice → slices; channels → coils (compressed to one).
// Noise, navigator, phase-correction, feedback, dummy and surface-coil-correction scans are
// skipped; repeated lines (average, repetition) are averaged; reverse readouts are flipped.
// Non-Cartesian data (trajectory present, or a non-Cartesian header) and 3D encoding are refused.
// Orientation: read_dir / phase_dir of the acquisitions (patient LPS, like DICOM) give the image's
// column and row directions (see acquisitionOrientation).
import type { ComplexStack, Study } from '../core/types';
import { checkFinite, checkGeometry, fail, type LoadOptions } from './common';
import { readStringDataset } from './h5/read';
import { H5O, H5T, type H5File, type H5Meta } from './h5/wasm';
import { parseIsmrmrdHeader, spacingFrom } from './ismrmrd-xml';
import { budgetOf } from './budget';
import type { ReaderLimits } from './limits';

type Member = H5Meta & { name: string; offset: number };

const bit = (n: number) => 1n << BigInt(n - 1);
const SKIP = [19, 23, 24, 26, 27, 28, 29].reduce((m, b) => m | bit(b), 0n); // noise, nav, phasecorr, feedback, dummy, rtfeedback, surface-coil
const CALIBRATION_ONLY = bit(20);
const REVERSE = bit(22);

function member(list: Member[] | undefined, name: string, source: string): Member {
  const m = list?.find((x) => x.name === name);
  if (!m) fail('corrupt-file', source, `the ISMRMRD acquisition type has no "${name}" field.`);
  return m;
}

interface Line {
  slice: number;
  step1: number;
  samples: number;
  channels: number;
  center: number;
  reverse: boolean;
  calibrationOnly: boolean;
  dataPtr: number;
  /** read_dir then phase_dir as stored (absent when the header has no such fields). */
  dirs?: number[];
}

export function readIsmrmrd(f: H5File, source: string, _opts: LoadOptions, limits: ReaderLimits): Study {
  const notes: string[] = [];
  let hdr = {} as ReturnType<typeof parseIsmrmrdHeader>;
  if (f.typeOf('/dataset/xml') === H5O.DATASET) hdr = parseIsmrmrdHeader(readStringDataset(f, '/dataset/xml', 1 << 22));
  else notes.push('No ISMRMRD header; geometry taken from the acquisitions.');
  if (hdr.trajectory && hdr.trajectory.toLowerCase() !== 'cartesian')
    fail('unsupported-content', source, `its trajectory is "${hdr.trajectory}"; only Cartesian k-space is supported.`);

  const meta = f.datasetMeta('/dataset/data');
  const top = meta.compound_type?.members as Member[] | undefined;
  const headM = member(top, 'head', source);
  const dataM = member(top, 'data', source);
  const trajM = top?.find((m) => m.name === 'traj');
  const hm = headM.compound_type?.members as Member[] | undefined;
  const off = (name: string) => headM.offset + member(hm, name, source).offset;
  const idxM = member(hm, 'idx', source);
  const im = idxM.compound_type?.members as Member[] | undefined;
  const idxOff = (name: string) => headM.offset + idxM.offset + member(im, name, source).offset;
  const o = {
    flags: off('flags'),
    samples: off('number_of_samples'),
    channels: off('active_channels'),
    center: off('center_sample'),
    trajDims: off('trajectory_dimensions'),
    step1: idxOff('kspace_encode_step_1'),
    step2: idxOff('kspace_encode_step_2'),
    slice: idxOff('slice'),
    contrast: idxOff('contrast'),
    phase: idxOff('phase'),
    set: idxOff('set'),
  };
  // optional: an acquisition type without direction fields just leaves the orientation unknown
  const dirOff = ['read_dir', 'phase_dir'].map((n) => hm?.find((m) => m.name === n));
  const dirs = dirOff.every((m) => m && m.size === 12) ? dirOff.map((m) => headM.offset + m!.offset) : null;
  const count = meta.total_size;
  if (count < 1) fail('invalid-shape', source, 'it holds no acquisitions.');
  if (count > limits.maxSlices * limits.maxDim * 16) fail('too-large', source, `${count} acquisitions exceed the reader limit.`);

  const elemOf = (m: Member | undefined) => m?.vlen_type?.size ?? 4;
  const vlens = [{ offset: dataM.offset, elem: elemOf(dataM) }];
  if (trajM) vlens.push({ offset: trajM.offset, elem: elemOf(trajM) });
  // ISMRMRD writers store samples as vlen float (re, im interleaved), and some as vlen of a
  // {real, imag} compound or of doubles: scalar size and scalars per vlen element cover all
  const vt = dataM.vlen_type;
  const pair = vt?.type === H5T.COMPOUND && vt.compound_type?.members.length === 2 && vt.compound_type.members.every((m) => m.type === H5T.FLOAT && m.size === vt.size / 2);
  const scalarSize = pair ? vt!.size / 2 : (vt?.size ?? 4);
  const perElem = pair ? 2 : 1;
  if (!(vt === undefined || pair || vt.type === H5T.FLOAT) || (scalarSize !== 4 && scalarSize !== 8))
    fail('unsupported-content', source, 'its acquisition samples are not floating-point complex values.');
  const { fixed, blob } = f.readVlenCompound('/dataset/data', meta, vlens, limits.maxBytes);
  {
    const ptr = 0;
    const dv = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
    const lines: Line[] = [];
    let skipped = 0;
    let otherIndex = 0;
    for (let i = 0; i < count; i++) {
      const b = ptr + i * meta.size;
      const flags = dv.getBigUint64(b + o.flags, true);
      if (flags & SKIP) {
        skipped++;
        continue;
      }
      const trajDims = dv.getUint16(b + o.trajDims, true);
      const trajLen = trajM ? dv.getUint32(b + trajM.offset, true) : 0;
      if (trajDims > 0 || trajLen > 0) fail('unsupported-content', source, 'it holds non-Cartesian acquisitions (a k-space trajectory); only Cartesian data is supported.');
      if (dv.getUint16(b + o.step2, true) > 0) fail('unsupported-content', source, 'it is a 3D acquisition (kspace_encode_step_2 > 0); only 2D slices are supported.');
      if (dv.getUint16(b + o.contrast, true) > 0 || dv.getUint16(b + o.phase, true) > 0 || dv.getUint16(b + o.set, true) > 0) {
        otherIndex++;
        continue;
      }
      const samples = dv.getUint16(b + o.samples, true);
      const channels = dv.getUint16(b + o.channels, true);
      const len = dv.getUint32(b + dataM.offset, true);
      const dataPtr = dv.getUint32(b + dataM.offset + 4, true);
      if (samples < 1 || channels < 1) fail('corrupt-file', source, `acquisition ${i} declares ${samples} samples on ${channels} channels.`);
      if (len * perElem !== samples * channels * 2 || dataPtr + len * perElem * scalarSize > blob.byteLength)
        fail('corrupt-file', source, `acquisition ${i} holds ${len / 2} complex samples but its header declares ${samples} × ${channels}.`);
      lines.push({
        slice: dv.getUint16(b + o.slice, true),
        step1: dv.getUint16(b + o.step1, true),
        samples,
        channels,
        center: dv.getUint16(b + o.center, true),
        reverse: (flags & REVERSE) !== 0n,
        calibrationOnly: (flags & CALIBRATION_ONLY) !== 0n,
        dataPtr,
        ...(dirs ? { dirs: dirs.flatMap((d) => [0, 4, 8].map((k) => dv.getFloat32(b + d + k, true))) } : {}),
      });
    }
    if (lines.length === 0) fail('invalid-data', source, 'it holds no imaging acquisitions (only noise or navigator scans).');
    if (skipped) notes.push(`${skipped} noise/navigator/calibration-support acquisition(s) ignored.`);
    if (otherIndex) notes.push(`${otherIndex} acquisition(s) of other contrasts/phases/sets ignored (only the first is read).`);

    // geometry
    const channels = lines[0]!.channels;
    if (lines.some((l) => l.channels !== channels)) fail('invalid-shape', source, 'its acquisitions have different channel counts.');
    if (channels > limits.maxCoils) fail('too-large', source, `${channels} channels exceed the limit of ${limits.maxCoils}.`);
    let half = 0;
    for (const l of lines) half = Math.max(half, l.center > 0 && l.center < l.samples ? Math.max(l.center, l.samples - l.center) : Math.ceil(l.samples / 2));
    const rows = 2 * half;
    let maxStep = 0;
    let maxSlice = 0;
    for (const l of lines) {
      maxStep = Math.max(maxStep, l.step1);
      maxSlice = Math.max(maxSlice, l.slice);
    }
    const cols = hdr.encoded ? Math.max(hdr.encoded.matrix.y, maxStep + 1) : maxStep + 1;
    const slices = maxSlice + 1;
    checkGeometry(source, limits, slices, rows, cols, 8 * channels);
    const center1 = hdr.encoded ? centerOf(hdr, cols) : Math.floor(cols / 2);
    const shift1 = Math.floor(cols / 2) - center1;

    // accumulate (slice, coil, row, col), averaging repeats; calibration-only lines only fill gaps
    const plane = rows * cols;
    budgetOf(limits, source).take(['per-coil k-space', slices * channels * plane * 8]);
    const acc = new Float32Array(slices * channels * plane * 2);
    const hits = new Uint16Array(slices * cols);
    const ordered = [...lines].sort((a, b) => Number(a.calibrationOnly) - Number(b.calibrationOnly));
    for (const l of ordered) {
      const col = l.step1 + shift1;
      if (col < 0 || col >= cols) continue;
      const key = l.slice * cols + col;
      if (l.calibrationOnly && hits[key]! > 0) continue;
      hits[key] = hits[key]! + 1;
      const rowOff = l.center > 0 && l.center < l.samples ? half - l.center : Math.floor((rows - l.samples) / 2);
      const nScalars = l.samples * l.channels * 2;
      const bytes = blob.buffer.slice(blob.byteOffset + l.dataPtr, blob.byteOffset + l.dataPtr + nScalars * scalarSize);
      const src = scalarSize === 4 ? new Float32Array(bytes) : new Float64Array(bytes);
      for (let ch = 0; ch < l.channels; ch++)
        for (let s = 0; s < l.samples; s++) {
          const ss = l.reverse ? l.samples - 1 - s : s;
          const r = s + rowOff;
          const dst = (((l.slice * channels + ch) * rows + r) * cols + col) * 2;
          const si = (ch * l.samples + ss) * 2;
          acc[dst] = acc[dst]! + src[si]!;
          acc[dst + 1] = acc[dst + 1]! + src[si + 1]!;
        }
    }
    let repeats = false;
    for (let s = 0; s < slices; s++)
      for (let c = 0; c < cols; c++) {
        const h = hits[s * cols + c]!;
        if (h <= 1) continue;
        repeats = true;
        for (let ch = 0; ch < channels; ch++)
          for (let r = 0; r < rows; r++) {
            const i = (((s * channels + ch) * rows + r) * cols + c) * 2;
            acc[i] = acc[i]! / h;
            acc[i + 1] = acc[i + 1]! / h;
          }
      }
    checkFinite(source, acc, 'k-space');
    if (repeats) notes.push('Repeated lines (averages/repetitions) were averaged.');

    const kspace: ComplexStack = { kind: 'complex', slices, rows, cols, data: acc };
    if (channels > 1) notes.push(`${channels} coils, reconstructed jointly with sensitivities from the k-space centre; shown as their root-sum-of-squares.`);

    const study: Study = { format: 'ismrmrd-h5', source, content: 'kspace', kspace, coils: channels, simulatedKspace: false, notes };
    // acquired columns: union over slices (a column missing in every slice is unsampled)
    const sampled = new Uint8Array(cols);
    let n = 0;
    for (let c = 0; c < cols; c++) {
      for (let s = 0; s < slices; s++) if (hits[s * cols + c]! > 0) sampled[c] = 1;
      n += sampled[c]!;
    }
    if (n < cols) {
      const mask = new Uint8Array(rows * cols);
      for (let r = 0; r < rows; r++) mask.set(sampled, r * cols);
      study.acquiredMask = mask;
      notes.push(`Already undersampled (${n} of ${cols} phase-encode lines acquired); reconstructed as acquired.`);
    }
    const spacing = spacingFrom(hdr.encoded);
    if (spacing) study.pixelSpacingMm = [(spacing[0] * (hdr.encoded!.matrix.x)) / rows, spacing[1]];
    const orientation = acquisitionOrientation(lines);
    if (orientation.value) study.imageOrientation = orientation.value;
    else notes.push(`Orientation unknown: ${orientation.why}`);
    if (hdr.recon && hdr.recon.matrix.x < rows && hdr.recon.matrix.x > 0 && hdr.recon.matrix.y <= cols && hdr.recon.matrix.y > 0)
      study.crop = { rows: hdr.recon.matrix.x, cols: hdr.recon.matrix.y };
    return study;
  }
}

/**
 * The image's orientation from the acquisition headers. The image is laid out readout → rows and
 * kspace_encode_step_1 → columns (reverse readouts flipped back), so moving along a row (column
 * index up) follows phase_dir and moving down a column (row index up) follows read_dir. ISMRMRD
 * gives both as direction cosines in the patient coordinate system (LPS, as DICOM), hence
 * ImageOrientationPatient = [phase_dir, read_dir]. Absent (all zero, as writers leave them),
 * not unit/orthogonal, or different between acquisitions of the study: unknown, with the reason.
 */
export function acquisitionOrientation(lines: readonly { dirs?: number[] }[]): { value?: [number, number, number, number, number, number]; why?: string } {
  const first = lines[0]?.dirs;
  if (!first) return { why: 'the acquisition headers have no read_dir/phase_dir.' };
  if (first.every((v) => v === 0)) return { why: 'the acquisition headers leave read_dir/phase_dir empty.' };
  const read = first.slice(0, 3);
  const phase = first.slice(3, 6);
  const norm = (v: number[]) => Math.hypot(v[0]!, v[1]!, v[2]!);
  const dot = read[0]! * phase[0]! + read[1]! * phase[1]! + read[2]! * phase[2]!;
  // float32 cosines written by scanners are unit to ~1e-6; 1e-3 tolerates rounded hand-written ones
  if (!first.every(Number.isFinite) || Math.abs(norm(read) - 1) > 1e-3 || Math.abs(norm(phase) - 1) > 1e-3 || Math.abs(dot) > 1e-3)
    return { why: 'read_dir/phase_dir in the acquisition headers are not two perpendicular unit vectors.' };
  for (const l of lines) {
    if (!l.dirs || l.dirs.some((v, i) => Math.abs(v - first[i]!) > 1e-3))
      return { why: 'the acquisitions do not share one read_dir/phase_dir (an oblique stack or several orientations).' };
  }
  const unit = (v: number[]) => {
    const n = norm(v);
    return v.map((x) => x / n);
  };
  const [r, p] = [unit(read), unit(phase)];
  return { value: [p[0]!, p[1]!, p[2]!, r[0]!, r[1]!, r[2]!] };
}

function centerOf(hdr: ReturnType<typeof parseIsmrmrdHeader>, cols: number): number {
  return hdr.encodingCenter1 !== undefined && hdr.encodingCenter1 < cols ? hdr.encodingCenter1 : Math.floor(cols / 2);
}
