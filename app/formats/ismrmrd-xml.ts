// The few ISMRMRD header fields the readers use. A tolerant reader, not a validator: the header
// only refines geometry, so a missing or odd field falls back to the array shape. The text is
// untrusted: it is scanned once, in linear time (xml-scan.ts), never with backtracking regexes.
import { findFirst, scanXml, type XmlElement } from './xml-scan';

export interface Space {
  matrix: { x: number; y: number; z: number };
  fovMm: { x: number; y: number; z: number };
}

export interface IsmrmrdHeaderInfo {
  encoded?: Space;
  recon?: Space;
  trajectory?: string;
  /** encodingLimits/kspace_encoding_step_1/center: the phase-encode index of k = 0. */
  encodingCenter1?: number;
  patientId?: string;
  protocolName?: string;
}

function num(el: XmlElement | undefined, tag: string): number | undefined {
  const v = findFirst(el, tag);
  if (v === undefined) return undefined;
  const t = v.text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function space(el: XmlElement | undefined): Space | undefined {
  if (el === undefined) return undefined;
  const m = findFirst(el, 'matrixSize');
  const f = findFirst(el, 'fieldOfView_mm');
  const mx = num(m, 'x');
  const my = num(m, 'y');
  const fx = num(f, 'x');
  const fy = num(f, 'y');
  if (mx === undefined || my === undefined || fx === undefined || fy === undefined) return undefined;
  return { matrix: { x: mx, y: my, z: num(m, 'z') ?? 1 }, fovMm: { x: fx, y: fy, z: num(f, 'z') ?? 1 } };
}

function text(el: XmlElement | undefined, tag: string): string | undefined {
  const t = findFirst(el, tag)?.text.trim();
  return t ? t : undefined;
}

export function parseIsmrmrdHeader(xml: string): IsmrmrdHeaderInfo {
  const root = scanXml(xml);
  const enc = findFirst(root, 'encoding');
  const info: IsmrmrdHeaderInfo = {};
  const e = space(findFirst(enc, 'encodedSpace'));
  const r = space(findFirst(enc, 'reconSpace'));
  if (e) info.encoded = e;
  if (r) info.recon = r;
  const t = text(enc, 'trajectory');
  if (t) info.trajectory = t;
  const c1 = num(findFirst(findFirst(enc, 'encodingLimits'), 'kspace_encoding_step_1'), 'center');
  if (c1 !== undefined && Number.isInteger(c1) && c1 >= 0) info.encodingCenter1 = c1;
  const p = text(root, 'patientID');
  if (p) info.patientId = p;
  const pn = text(root, 'protocolName');
  if (pn) info.protocolName = pn;
  return info;
}

/**
 * Pixel spacing [row, column] in mm. ISMRMRD x is the readout; our rows run along the readout and
 * columns along phase encode (y), so rows ↔ x and columns ↔ y.
 */
export function spacingFrom(space: Space | undefined): [number, number] | undefined {
  if (!space) return undefined;
  const r = space.fovMm.x / space.matrix.x;
  const c = space.fovMm.y / space.matrix.y;
  return Number.isFinite(r) && Number.isFinite(c) && r > 0 && c > 0 ? [r, c] : undefined;
}
