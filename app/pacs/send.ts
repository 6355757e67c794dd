// Sending a series from a command line (`npm run pacs -- send`, `npm run recon -- … --send`):
// resolve the node, C-STORE every file, and turn the report into one summary line plus one line per
// failed instance. Progress goes to stderr on a terminal only.

import path from 'node:path';
import { FlatError } from '../core/errors';
import { loadPacsSettings, resolveNode, type PacsNode, type PacsSettings } from './config';
import { store, type PacsOptions, type PacsProgress, type StoreReport } from './client';

/** Settings from --pacs-config / --config, else $FLAT_PACS_CONFIG, else none. */
export function settingsFrom(file: string | undefined): PacsSettings | undefined {
  const f = file ?? process.env.FLAT_PACS_CONFIG;
  return f ? loadPacsSettings(f) : undefined;
}

export function optionsFrom(settings: PacsSettings | undefined, extra: PacsOptions = {}): PacsOptions {
  return settings ? { localAeTitle: settings.localAeTitle, timeouts: settings.timeouts, retries: settings.retries, ...extra } : extra;
}

/** A progress printer for stderr: rewrites one line on a terminal, prints nothing otherwise. */
export function progressPrinter(label: string): ((p: PacsProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    const total = p.total === undefined ? '' : `/${p.total}`;
    process.stderr.write(`\r${label}: ${p.done}${total}${p.failed ? `, ${p.failed} failed` : ''} `);
    if (p.total !== undefined && p.done + p.failed >= p.total) process.stderr.write('\n');
  };
}

export interface SendSummary {
  node: string;
  total: number;
  stored: number;
  seconds: number;
  failures: { file: string; sopInstanceUid?: string; reason: string; attempts: number }[];
  error?: string;
}

export function summarize(r: StoreReport): SendSummary {
  return {
    node: r.node,
    total: r.total,
    stored: r.stored,
    seconds: Math.round(r.ms) / 1000,
    failures: r.results.filter((x) => !x.ok).map((x) => ({ file: x.file, ...(x.sopInstanceUid ? { sopInstanceUid: x.sopInstanceUid } : {}), reason: x.reason ?? 'not stored', attempts: x.attempts })),
    ...(r.error && r.stored < r.total ? { error: r.error.message } : {}),
  };
}

/** Lines for stderr: one sentence for the whole send, then one per failed instance. */
export function failureLines(s: SendSummary): string[] {
  if (s.failures.length === 0) return [];
  return [
    `error: ${s.total - s.stored} of ${s.total} instance(s) were not stored on ${s.node}${s.error ? ` (${s.error.replace(/\.$/, '')})` : ''}.`,
    ...s.failures.map((f) => `failed: ${path.basename(f.file)}: ${f.reason.replace(/\.$/, '')} (after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}).`),
  ];
}

export async function sendFiles(
  nodeSpec: string,
  files: string[],
  o: { settingsFile?: string; json?: boolean; node?: PacsNode; localAeTitle?: string } = {},
): Promise<SendSummary> {
  const settings = settingsFrom(o.settingsFile);
  const node = o.node ?? resolveNode(nodeSpec, settings);
  if (files.length === 0) throw new FlatError('invalid-request', 'There is nothing to send (no DICOM files were written).');
  const extra: PacsOptions = { ...(o.localAeTitle ? { localAeTitle: o.localAeTitle } : {}), ...(o.json ? {} : { onProgress: progressPrinter('sent') }) };
  const report = await store(node, files, optionsFrom(settings, extra));
  return summarize(report);
}
