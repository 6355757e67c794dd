// The few ISMRMRD header fields the readers use. A tolerant regex reader, not a validator: the
// header only refines geometry, so a missing or odd field falls back to the array shape.

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

function block(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m?.[1];
}

function num(xml: string | undefined, tag: string): number | undefined {
  if (xml === undefined) return undefined;
  const v = block(xml, tag);
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

function space(xml: string | undefined): Space | undefined {
  if (xml === undefined) return undefined;
  const m = block(xml, 'matrixSize');
  const f = block(xml, 'fieldOfView_mm');
  const mx = num(m, 'x');
  const my = num(m, 'y');
  const fx = num(f, 'x');
  const fy = num(f, 'y');
  if (mx === undefined || my === undefined || fx === undefined || fy === undefined) return undefined;
  return { matrix: { x: mx, y: my, z: num(m, 'z') ?? 1 }, fovMm: { x: fx, y: fy, z: num(f, 'z') ?? 1 } };
}

export function parseIsmrmrdHeader(xml: string): IsmrmrdHeaderInfo {
  const enc = block(xml, 'encoding');
  const info: IsmrmrdHeaderInfo = {};
  const e = space(block(enc ?? '', 'encodedSpace'));
  const r = space(block(enc ?? '', 'reconSpace'));
  if (e) info.encoded = e;
  if (r) info.recon = r;
  const t = block(enc ?? '', 'trajectory')?.trim();
  if (t) info.trajectory = t;
  const c1 = num(block(block(enc ?? '', 'encodingLimits') ?? '', 'kspace_encoding_step_1'), 'center');
  if (c1 !== undefined && Number.isInteger(c1) && c1 >= 0) info.encodingCenter1 = c1;
  const p = block(xml, 'patientID')?.trim();
  if (p) info.patientId = p;
  const pn = block(xml, 'protocolName')?.trim();
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
