// The reader's view of a model card: the parts a reader needs (intended use, limitations, training
// files with their licences, the evaluation table), taken from the card JSON with every field
// type-checked and bounded. The host builds it (main/common/model-info.ts) and the renderer only
// shows it, so a card from a user-chosen model folder cannot put anything but plain strings and
// finite numbers in front of the reader. Pure: the renderer imports the types.

export interface ReaderMetrics {
  psnr: number;
  ssim: number;
  nmse: number;
  /** Standard deviation of the PSNR over the cases, dB. */
  psnrStd?: number;
  /** PSNR gain over zero-filled, dB. */
  gain?: number;
  /** Cases (images × masks). */
  n?: number;
}

export interface ReaderEvaluation {
  /** The committed file the numbers come from (e.g. training/report/eval.json). */
  source: string;
  /** Accelerations scored, ascending (the table's column groups). */
  accelerations: number[];
  /** One row per method in the card's order; `method` as the card names it. */
  rows: { method: string; byAcceleration: Record<string, ReaderMetrics> }[];
  images?: number;
  masksPerImage?: number;
  /** 'random' or 'equispaced' masks in the evaluation. */
  maskKind?: string;
}

export interface ReaderCard {
  intendedUse?: { use: string; notFor: string; licence: string };
  limitations: string[];
  trainingData?: string;
  trainingLicence?: string;
  trainingFiles: { file: string; licence: string }[];
  evaluation?: ReaderEvaluation;
}

const MAX_TEXT = 2000;
const MAX_ITEMS = 64;

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A plain string of reasonable length (control characters other than newline removed). */
function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
  return s.length > 0 ? s.slice(0, MAX_TEXT) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function metricsOf(v: unknown): ReaderMetrics | undefined {
  const m = rec(v);
  if (!m) return undefined;
  const psnr = num(m.psnr);
  const ssim = num(m.ssim);
  const nmse = num(m.nmse);
  if (psnr === undefined || ssim === undefined || nmse === undefined) return undefined;
  const out: ReaderMetrics = { psnr, ssim, nmse };
  const std = num(m.psnr_std);
  const gain = num(m.psnr_gain_vs_zero_filled);
  const n = num(m.n);
  if (std !== undefined) out.psnrStd = std;
  if (gain !== undefined) out.gain = gain;
  if (n !== undefined && Number.isInteger(n) && n > 0) out.n = n;
  return out;
}

function evaluationOf(v: unknown): ReaderEvaluation | undefined {
  const m = rec(v);
  const by = rec(m?.by_method);
  if (!m || !by) return undefined;
  const rows: ReaderEvaluation['rows'] = [];
  const accs = new Set<number>();
  for (const [method, perAcc] of Object.entries(by).slice(0, MAX_ITEMS)) {
    const name = text(method);
    const p = rec(perAcc);
    if (!name || !p) continue;
    const byAcceleration: Record<string, ReaderMetrics> = {};
    for (const [acc, value] of Object.entries(p).slice(0, MAX_ITEMS)) {
      const r = Number(acc);
      const mm = metricsOf(value);
      if (!/^\d{1,3}$/.test(acc) || r < 1 || !mm) continue;
      byAcceleration[acc] = mm;
      accs.add(r);
    }
    if (Object.keys(byAcceleration).length) rows.push({ method: name.slice(0, 64), byAcceleration });
  }
  if (!rows.length) return undefined;
  const out: ReaderEvaluation = { source: text(m.source) ?? 'the model card', accelerations: [...accs].sort((a, b) => a - b), rows };
  const s = rec(m.settings);
  if (s) {
    if (Array.isArray(s.images)) out.images = s.images.length;
    const masks = num(s.masks_per_image);
    if (masks !== undefined && Number.isInteger(masks) && masks > 0) out.masksPerImage = masks;
    const kind = text(s.mask_kind);
    if (kind) out.maskKind = kind.slice(0, 32);
  }
  return out;
}

/** The reader's view of a parsed model card (anything malformed is left out, never thrown). */
export function readerCard(card: unknown): ReaderCard {
  const c = rec(card) ?? {};
  const out: ReaderCard = { limitations: [], trainingFiles: [] };
  const iu = rec(c.intended_use);
  const use = text(iu?.use);
  const notFor = text(iu?.not_for);
  if (use && notFor) out.intendedUse = { use, notFor, licence: text(iu?.licence) ?? '' };
  if (Array.isArray(c.limitations)) out.limitations = c.limitations.slice(0, MAX_ITEMS).map(text).filter((s): s is string => !!s);
  const tr = rec(c.training);
  const data = text(tr?.data);
  const licence = text(tr?.licence);
  if (data) out.trainingData = data;
  if (licence) out.trainingLicence = licence;
  if (Array.isArray(tr?.files)) {
    for (const f of tr.files.slice(0, MAX_ITEMS)) {
      const file = text(rec(f)?.file);
      if (file) out.trainingFiles.push({ file, licence: text(rec(f)?.licence) ?? 'not stated' });
    }
  }
  const ev = evaluationOf(c.metrics);
  if (ev) out.evaluation = ev;
  return out;
}
