// NIfTI-1 / NIfTI-2 single-file reader (.nii, .nii.gz). Volumes are resliced into axial slices in
// radiological display (top = anterior, image left = patient right) using the sform (or qform)
// orientation; without either, voxel axes are taken as RAS (NIfTI "method 1"). Values are scaled by
// scl_slope/scl_inter. Content is always image: the k-space is simulated.
import type { ComplexStack, RealStack, Study } from '../core/types';
import { checkFinite, checkGeometry, fail, studyFromImages, type LoadOptions } from './common';
import { budgetOf, imageStudyItems } from './budget';
import { decodeArray, elementBytes, type ElementType } from './dtype';
import { inflateExactly, inflatePrefix } from './inflate';
import type { ReaderLimits } from './limits';

const DATATYPES: Record<number, ElementType & { name: string }> = {
  2: { name: 'uint8', size: 1, kind: 'uint', complex: false, littleEndian: true },
  4: { name: 'int16', size: 2, kind: 'int', complex: false, littleEndian: true },
  8: { name: 'int32', size: 4, kind: 'int', complex: false, littleEndian: true },
  16: { name: 'float32', size: 4, kind: 'float', complex: false, littleEndian: true },
  32: { name: 'complex64', size: 4, kind: 'float', complex: true, littleEndian: true },
  64: { name: 'float64', size: 8, kind: 'float', complex: false, littleEndian: true },
  256: { name: 'int8', size: 1, kind: 'int', complex: false, littleEndian: true },
  512: { name: 'uint16', size: 2, kind: 'uint', complex: false, littleEndian: true },
  768: { name: 'uint32', size: 4, kind: 'uint', complex: false, littleEndian: true },
  1024: { name: 'int64', size: 8, kind: 'int', complex: false, littleEndian: true },
  1280: { name: 'uint64', size: 8, kind: 'uint', complex: false, littleEndian: true },
  1792: { name: 'complex128', size: 8, kind: 'float', complex: true, littleEndian: true },
};

export interface NiftiHeader {
  dims: number[]; // dim[1..dim[0]]
  datatype: number;
  pixdim: number[]; // pixdim[0..7]
  voxOffset: number;
  slope: number;
  inter: number;
  /** 3×3 voxel→world (RAS) direction matrix, columns = voxel axes; undefined if no orientation. */
  rotation?: number[][];
  littleEndian: boolean;
  version: 1 | 2;
}

function gzipped(b: Uint8Array): boolean {
  return b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * The header bytes: a .nii.gz is inflated only far enough for the header (540 bytes); how much
 * more is inflated is decided from the header and the memory budget (see readNifti).
 */
function headerBytes(source: string, raw: Uint8Array): Uint8Array {
  if (!gzipped(raw)) return raw;
  try {
    return inflatePrefix('gzip', raw, 540);
  } catch {
    return fail('corrupt-file', source, 'the gzip stream is damaged or truncated.');
  }
}

export function parseNiftiHeader(source: string, b: Uint8Array): NiftiHeader {
  if (b.length < 348) fail('corrupt-file', source, 'the NIfTI header is truncated.');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const s32le = dv.getInt32(0, true);
  const s32be = dv.getInt32(0, false);
  const version = s32le === 540 || s32be === 540 ? 2 : 1;
  const le = version === 2 ? s32le === 540 : s32le === 348;
  if (version === 1 && !le && s32be !== 348) fail('corrupt-file', source, 'it does not start with a NIfTI header.');
  if (version === 2 && b.length < 540) fail('corrupt-file', source, 'the NIfTI-2 header is truncated.');
  const magicAt = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(...b.subarray(magicAt, magicAt + 3));
  if (magic === 'ni1' || magic === 'ni2') fail('unsupported-content', source, 'NIfTI header/image pairs (.hdr + .img) are not supported; convert to a single .nii file.');
  const i16 = (o: number) => dv.getInt16(o, le);
  const i64 = (o: number) => Number(dv.getBigInt64(o, le));
  const f32 = (o: number) => dv.getFloat32(o, le);
  const f64 = (o: number) => dv.getFloat64(o, le);
  const dimAt = (i: number) => (version === 1 ? i16(40 + 2 * i) : i64(16 + 8 * i));
  const ndim = dimAt(0);
  if (ndim < 1 || ndim > 7) fail('corrupt-file', source, `the NIfTI header declares ${ndim} dimensions.`);
  const dims = Array.from({ length: ndim }, (_, i) => dimAt(i + 1));
  const datatype = version === 1 ? i16(70) : i16(12);
  const pixdim = Array.from({ length: 8 }, (_, i) => (version === 1 ? f32(76 + 4 * i) : f64(104 + 8 * i)));
  const voxOffset = version === 1 ? f32(108) : i64(168);
  const slope = version === 1 ? f32(112) : f64(176);
  const inter = version === 1 ? f32(116) : f64(184);
  const qcode = version === 1 ? i16(252) : dv.getInt32(344, le);
  const scode = version === 1 ? i16(254) : dv.getInt32(348, le);
  let rotation: number[][] | undefined;
  if (scode > 0) {
    const row = (o: number, step: number) => [0, 1, 2].map((j) => (version === 1 ? f32(o + 4 * j) : f64(o + step * j)));
    const m = version === 1 ? [row(280, 4), row(296, 4), row(312, 4)] : [row(400, 8), row(432, 8), row(464, 8)];
    rotation = m;
  } else if (qcode > 0) {
    const qb = version === 1 ? f32(256) : f64(352);
    const qc = version === 1 ? f32(260) : f64(360);
    const qd = version === 1 ? f32(264) : f64(368);
    const qa = Math.sqrt(Math.max(0, 1 - (qb * qb + qc * qc + qd * qd)));
    const qfac = pixdim[0]! < 0 ? -1 : 1;
    rotation = [
      [qa * qa + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc) * qfac],
      [2 * (qb * qc + qa * qd), qa * qa + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - qa * qb) * qfac],
      [2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), (qa * qa + qd * qd - qc * qc - qb * qb) * qfac],
    ];
  }
  if (rotation && rotation.some((r) => r.some((v) => !Number.isFinite(v)))) rotation = undefined;
  return { dims, datatype, pixdim, voxOffset, slope, inter, rotation, littleEndian: le, version };
}

/** Which voxel axis runs along world axis w (0 = x L→R, 1 = y P→A, 2 = z I→S), and its sign. */
function axisPlan(rot: number[][] | undefined): { perm: [number, number, number]; sign: [number, number, number] } {
  if (!rot) return { perm: [0, 1, 2], sign: [1, 1, 1] };
  const perm: number[] = [];
  const sign: number[] = [];
  const used = new Set<number>();
  // assign the most S–I voxel axis first (slices), then A–P, then L–R
  for (const w of [2, 1, 0]) {
    let best = -1;
    let bestV = -1;
    for (let j = 0; j < 3; j++) {
      if (used.has(j)) continue;
      const v = Math.abs(rot[w]![j]!);
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    used.add(best);
    perm[w] = best;
    sign[w] = rot[w]![best]! < 0 ? -1 : 1;
  }
  return { perm: perm as [number, number, number], sign: sign as [number, number, number] };
}

export function readNifti(source: string, raw: Uint8Array, _opts: LoadOptions, limits: ReaderLimits): Study {
  const h = parseNiftiHeader(source, headerBytes(source, raw));
  const dt = DATATYPES[h.datatype];
  if (!dt) fail('unsupported-content', source, `NIfTI datatype ${h.datatype} is not supported (numeric scalar or complex only).`);
  const type: ElementType = { ...dt, littleEndian: h.littleEndian };
  const notes: string[] = [];
  const [nx, ny, nz] = [h.dims[0] ?? 1, h.dims[1] ?? 1, h.dims[2] ?? 1];
  for (const d of h.dims) if (!Number.isSafeInteger(d) || d < 1) fail('invalid-shape', source, `the NIfTI dimensions (${h.dims.join('×')}) are not positive sizes.`);
  const extra = h.dims.slice(3).reduce((a, v) => a * v, 1);
  if (extra > 1) notes.push(`The file holds ${extra} volumes; the first is shown.`);
  for (const d of [nx, ny, nz]) if (d > limits.maxDim) fail('too-large', source, `a dimension of ${d} voxels exceeds the limit of ${limits.maxDim}.`);
  const plan = axisPlan(h.rotation);
  const dimOf = [nx, ny, nz];
  const slices = dimOf[plan.perm[2]]!;
  const rows = dimOf[plan.perm[1]]!;
  const cols = dimOf[plan.perm[0]]!;
  checkGeometry(source, limits, slices, rows, cols, elementBytes(type));
  const count = nx * ny * nz;
  const offset = h.version === 1 && h.voxOffset < 352 ? 352 : Math.floor(h.voxOffset);
  if (!Number.isFinite(h.voxOffset) || offset < 0) fail('corrupt-file', source, 'the NIfTI header declares an invalid data offset.');
  const needed = offset + count * elementBytes(type); // header + the first volume, nothing more
  const comps = type.complex ? 2 : 1;
  // everything this reader builds, before any of it is allocated
  budgetOf(limits, source).take(
    ...(gzipped(raw) ? [['inflated volume', needed] as [string, number]] : []),
    ['decoded voxels', count * 4 * comps],
    ['image', slices * rows * cols * 4 * comps],
    ...imageStudyItems(slices * rows * cols, type.complex),
  );
  let b = raw;
  if (gzipped(raw)) {
    try {
      b = inflateExactly('gzip', raw, needed); // stops there: a bomb never inflates further
    } catch {
      fail('corrupt-file', source, 'the NIfTI file is truncated or its gzip stream is damaged: the header declares more voxels than it holds.');
    }
  }
  if (needed > b.length)
    fail('corrupt-file', source, 'the NIfTI file is truncated: the header declares more voxels than the file holds.');
  const vox = decodeArray(b, offset, count, type);
  // NIfTI: scl_slope 0 (or unset/NaN) means "no scaling", and then scl_inter is ignored too
  const scaled = Number.isFinite(h.slope) && h.slope !== 0;
  const slope = scaled ? h.slope : 1;
  const inter = scaled && Number.isFinite(h.inter) ? h.inter : 0;
  const out = new Float32Array(slices * rows * cols * comps);
  // display: row 0 = most anterior, column 0 = patient right, slice 0 = most inferior
  const strides = [1, nx, nx * ny];
  const [pL, pA, pS] = plan.perm;
  const [sL, sA, sS] = plan.sign;
  for (let s = 0; s < slices; s++) {
    const iS = sS > 0 ? s : slices - 1 - s;
    for (let r = 0; r < rows; r++) {
      const iA = sA > 0 ? rows - 1 - r : r; // anterior at the top
      for (let c = 0; c < cols; c++) {
        const iL = sL > 0 ? cols - 1 - c : c; // patient right (+x) at the left
        const idx = iS * strides[pS]! + iA * strides[pA]! + iL * strides[pL]!;
        const o = ((s * rows + r) * cols + c) * comps;
        if (comps === 2) {
          out[o] = vox[2 * idx]! * slope;
          out[o + 1] = vox[2 * idx + 1]! * slope;
          if (inter !== 0) out[o] += inter;
        } else out[o] = vox[idx]! * slope + inter;
      }
    }
  }
  checkFinite(source, out, 'image');
  const pd = (axis: number) => Math.abs(h.pixdim[axis + 1] ?? 0);
  const spacing: [number, number] = [pd(pA), pd(pL)];
  const extraFields: Partial<Study> = { notes };
  if (spacing[0] > 0 && spacing[1] > 0 && Number.isFinite(spacing[0]) && Number.isFinite(spacing[1])) extraFields.pixelSpacingMm = spacing;
  if (!h.rotation) notes.push('The file has no orientation (qform/sform); voxel axes were taken as RAS (NIfTI method 1).');
  // Resliced to radiological axial: columns run to patient left, rows to posterior (LPS +x, +y).
  // Without a qform/sform that is an assumption, so the orientation stays unknown.
  else extraFields.imageOrientation = [1, 0, 0, 0, 1, 0];
  const stack: RealStack | ComplexStack = type.complex ? { kind: 'complex', slices, rows, cols, data: out } : { kind: 'real', slices, rows, cols, data: out };
  return studyFromImages('nifti', source, stack, type.complex, extraFields);
}
