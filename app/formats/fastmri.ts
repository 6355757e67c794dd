// fastMRI HDF5 reader: `kspace` (slices, rows, cols) single-coil or (slices, coils, rows, cols)
// multi-coil complex, optional `reconstruction_esc`/`reconstruction_rss` reference, `ismrmrd_header`
// geometry, and the test-split `mask` (already undersampled: reconstruct as acquired).
import type { ComplexStack, RealStack, Study } from '../core/types';
import { checkFinite, checkGeometry, fail } from './common';
import { readAttr, readAttrNumeric, readNumeric, readStringDataset } from './h5/read';
import { H5O, H5T, type H5File } from './h5/wasm';
import { parseIsmrmrdHeader, spacingFrom } from './ismrmrd-xml';
import type { ReaderLimits } from './limits';

export function readFastMri(f: H5File, source: string, limits: ReaderLimits): Study {
  if (f.typeOf('kspace') !== H5O.DATASET) fail('unsupported-format', source, 'it is an HDF5 file without a fastMRI "kspace" dataset.');
  const meta = f.datasetMeta('kspace');
  const shape = meta.shape ?? [];
  // pair layout: a real array with a trailing axis of 2 (re, im)
  const pair = (meta.type === H5T.FLOAT || meta.type === H5T.INTEGER) && shape.length >= 4 && shape[shape.length - 1] === 2;
  const dims = pair ? shape.slice(0, -1) : shape;
  if (!pair && meta.type !== H5T.COMPOUND)
    fail('unsupported-content', source, 'its "kspace" dataset is not complex (expected complex64 or a trailing re/im axis).');
  if (dims.length !== 3 && dims.length !== 4)
    fail('invalid-shape', source, `its "kspace" has shape [${shape.join(', ')}]; expected (slices, rows, cols) or (slices, coils, rows, cols).`);
  const slices = dims[0]!;
  const coils = dims.length === 4 ? dims[1]! : 1;
  const rows = dims[dims.length - 2]!;
  const cols = dims[dims.length - 1]!;
  checkGeometry(source, limits, slices, rows, cols, 8 * coils);
  if (coils > limits.maxCoils) fail('too-large', source, `${coils} coils exceed the limit of ${limits.maxCoils}.`);
  if (coils < 1) fail('invalid-shape', source, 'its "kspace" has no coils.');

  const arr = readNumeric(f, 'kspace', meta, limits.maxBytes);
  if (!arr.complex && !pair) fail('unsupported-content', source, 'its "kspace" dataset is not complex.');
  checkFinite(source, arr.data, 'k-space');
  const notes: string[] = [];
  const kspace: ComplexStack = { kind: 'complex', slices, rows, cols, data: arr.data };
  if (coils > 1) notes.push(`${coils} coils, reconstructed jointly with sensitivities from the k-space centre; shown as their root-sum-of-squares.`);

  const study: Study = { format: 'fastmri-h5', source, content: 'kspace', kspace, coils, simulatedKspace: false, notes };

  // geometry from the ISMRMRD header
  if (f.typeOf('ismrmrd_header') === H5O.DATASET) {
    try {
      const hdr = parseIsmrmrdHeader(readStringDataset(f, 'ismrmrd_header', 1 << 22));
      const spacing = spacingFrom(hdr.encoded) ?? spacingFrom(hdr.recon);
      if (spacing) study.pixelSpacingMm = spacing;
      if (hdr.recon && hdr.recon.matrix.x <= rows && hdr.recon.matrix.y <= cols)
        study.crop = { rows: hdr.recon.matrix.x, cols: hdr.recon.matrix.y };
      if (hdr.trajectory && hdr.trajectory.toLowerCase() !== 'cartesian')
        fail('unsupported-content', source, `its trajectory is "${hdr.trajectory}"; only Cartesian k-space is supported.`);
    } catch (e) {
      if (e instanceof Error && e.name === 'FlatError') throw e;
      notes.push('The ISMRMRD header could not be read; geometry taken from the array shape.');
    }
  }

  // reference magnitude; its shape is the fastMRI display crop
  for (const name of ['reconstruction_esc', 'reconstruction_rss']) {
    if (f.typeOf(name) !== H5O.DATASET) continue;
    const rm = f.datasetMeta(name);
    const rs = rm.shape ?? [];
    if (rs.length !== 3 || rs[0] !== slices || rs[1]! > limits.maxDim || rs[2]! > limits.maxDim || rs[1]! < 1 || rs[2]! < 1) {
      notes.push(`"${name}" has an unexpected shape and was ignored.`);
      continue;
    }
    const ref = readNumeric(f, name, rm, limits.maxBytes);
    if (ref.complex) continue;
    checkFinite(source, ref.data, name);
    const reference: RealStack = { kind: 'real', slices, rows: rs[1]!, cols: rs[2]!, data: ref.data };
    study.reference = reference;
    study.crop = { rows: reference.rows, cols: reference.cols };
    break;
  }

  // test split: `mask` (cols,) marks the acquired phase-encode columns
  const mask = readMask(f, cols, source, limits);
  if (mask) {
    const full = new Uint8Array(rows * cols);
    for (let r = 0; r < rows; r++) full.set(mask, r * cols);
    study.acquiredMask = full;
    let n = 0;
    for (const v of mask) n += v;
    const acc = readAttr(f, '/', 'acceleration');
    notes.push(`Already undersampled (${n} of ${cols} columns acquired${typeof acc === 'number' ? `, ${acc}×` : ''}); reconstructed as acquired.`);
  }
  // Our own attribute (scripts/make_sample.py): k-space computed from magnitude images.
  if (readAttr(f, '/', 'simulated_kspace') === 1) {
    study.simulatedKspace = true;
    notes.push('This k-space was simulated from magnitude images (file attribute simulated_kspace).');
  }
  for (const name of ['acquisition', 'patient_id'] as const) {
    const v = readAttr(f, '/', name);
    if (typeof v === 'string' && v) notes.push(`${name === 'acquisition' ? 'Acquisition' : 'Patient ID'}: ${v}.`);
  }
  return study;
}

function readMask(f: H5File, cols: number, source: string, limits: ReaderLimits): Uint8Array | undefined {
  let values: Float32Array | undefined;
  if (f.typeOf('mask') === H5O.DATASET) {
    const m = f.datasetMeta('mask');
    if (m.total_size !== cols) fail('invalid-shape', source, `its "mask" has ${m.total_size} entries but k-space has ${cols} columns.`);
    values = readNumeric(f, 'mask', m, limits.maxBytes).data;
  } else {
    const a = readAttrNumeric(f, '/', 'mask', limits.maxBytes);
    if (a) {
      if (a.data.length !== cols) fail('invalid-shape', source, `its "mask" has ${a.data.length} entries but k-space has ${cols} columns.`);
      values = a.data;
    }
  }
  if (!values) return undefined;
  const out = new Uint8Array(cols);
  for (let c = 0; c < cols; c++) out[c] = values[c] ? 1 : 0;
  return out;
}
