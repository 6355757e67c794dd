// Pure rules for the browser build's folder picker and recent-studies list: which picked files are
// worth sending to the host, whether a folder is one study, when a selection is too big to upload,
// and which recent studies to evict to stay inside the storage budget. No DOM, no IndexedDB here
// (renderer/src/state/recent.ts does the I/O), so the rules are unit-tested in Node.

/** What a file looks like from its first bytes and name (the host's detection decides for real). */
export type PickedKind = 'dicom' | 'hdf5' | 'npy' | 'nifti' | 'cfl' | 'cfl-header' | 'unknown';

/** Bytes to read from the start of each file for `sniff` (NIfTI's magic sits at 344). */
export const SNIFF_BYTES = 352;

/**
 * The contract's cap on one open (app/contract/ipc.ts validateOpenFiles: 2 GiB together). The bytes
 * stream to the host file by file (/api/upload), so this, not the page's memory, is the limit.
 */
export const MAX_PICK_BYTES = 2 * 1024 ** 3;
/** The contract's cap on files in one openFiles call (app/contract/ipc.ts validateOpenFiles). */
export const MAX_PICK_FILES = 2048;
/** Entries looked at before any file is read: a picked home folder is refused without reading it. */
export const MAX_PICK_ENTRIES = 4 * MAX_PICK_FILES;

function at(b: Uint8Array, sig: number[], offset = 0): boolean {
  if (b.length < offset + sig.length) return false;
  return sig.every((v, i) => b[offset + i] === v);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));
}

/** The kind of a picked file from its name and first SNIFF_BYTES bytes (mirrors app/formats/detect.ts). */
export function sniff(name: string, head: Uint8Array): PickedKind {
  const lower = name.toLowerCase();
  if (at(head, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return 'hdf5';
  if (at(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  if (ascii(head, 128, 132) === 'DICM') return 'dicom';
  if (at(head, [0x1f, 0x8b])) return lower.endsWith('.nii.gz') ? 'nifti' : 'unknown';
  const magic = ascii(head, 344, 348);
  if (magic === 'n+1\0' || magic === 'ni1\0') return 'nifti';
  if (ascii(head, 0, 12) === '# Dimensions') return 'cfl-header';
  if (lower.endsWith('.cfl')) return 'cfl';
  if (lower.endsWith('.dcm') || lower.endsWith('.ima')) return 'dicom';
  // DICOM without the Part 10 preamble: a little-endian group 0x0008 first tag
  if (head.length >= 8 && head[0] === 0x08 && head[1] === 0x00 && head[3] === 0x00) return 'dicom';
  return 'unknown';
}

/** Hidden files and empty files are never studies (.DS_Store, Thumbs.db is caught by sniff). */
export function worthSniffing(name: string, size: number): boolean {
  return size > 0 && !name.startsWith('.');
}

export interface PickedFile {
  name: string;
  size: number;
  kind: PickedKind;
}

export type FolderPlan = { ok: true; keep: number[]; bytes: number; skipped: number } | { ok: false; problem: string };

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

const stem = (name: string) => name.replace(/\.(cfl|hdr)$/i, '');

/**
 * Which picked files to open: the readable ones, when they are one study (one DICOM series folder,
 * or one file of another format, or one BART .cfl/.hdr pair) and small enough to upload.
 * Otherwise one sentence saying why not.
 */
export function planFolder(files: readonly PickedFile[]): FolderPlan {
  const keep: number[] = [];
  files.forEach((f, i) => {
    if (f.kind !== 'unknown') keep.push(i);
  });
  if (keep.length === 0) return { ok: false, problem: 'This folder has no file the viewer reads (DICOM, fastMRI or ISMRMRD HDF5, NIfTI, NumPy, BART).' };
  // one DICOM series counts once (the host picks the series); every other file is a study of its own
  const studies = new Set<string>();
  for (const i of keep) {
    const f = files[i]!;
    studies.add(f.kind === 'dicom' ? 'dicom series' : f.kind === 'cfl' || f.kind === 'cfl-header' ? `${stem(f.name)} (BART)` : f.name);
  }
  if (studies.size > 1) {
    const names = [...studies].slice(0, 3).join(', ');
    return { ok: false, problem: `This folder holds ${studies.size} studies (${names}${studies.size > 3 ? ', …' : ''}): pick a folder with one study or one DICOM series.` };
  }
  const bytes = keep.reduce((s, i) => s + files[i]!.size, 0);
  if (keep.length > MAX_PICK_FILES || bytes > MAX_PICK_BYTES)
    return {
      ok: false,
      problem: `This folder is too large to open here (${keep.length} file${keep.length === 1 ? '' : 's'}, ${formatBytes(bytes)}); the browser build opens at most ${MAX_PICK_FILES} files and ${formatBytes(MAX_PICK_BYTES)} at once.`,
    };
  return { ok: true, keep, bytes, skipped: files.length - keep.length };
}

/** The sentence for a selection refused before reading anything (too many entries). */
export function tooManyEntries(count: number): string {
  return `This folder holds ${count} files, too many to look through here (at most ${MAX_PICK_ENTRIES}); pick the series folder itself.`;
}

// ---- recent studies ----

/** Recent studies kept in this browser: at most this many … */
export const RECENT_MAX_ENTRIES = 10;
/** … and at most this many bytes of file copies in all (the oldest go first). */
export const RECENT_MAX_BYTES = 1024 ** 3;

export interface RecentMeta {
  id: number;
  /** What the reader opened: a file name, "N files" or a folder name. */
  name: string;
  /** Date.now() when last opened. */
  openedAt: number;
  /** Bytes of the kept copies. */
  bytes: number;
  files: number;
  /** Same files again (names and sizes), for replacing an entry instead of adding a twin. */
  fingerprint: string;
}

export function fingerprint(files: readonly { name: string; size: number }[]): string {
  return files.map((f) => `${f.name}:${f.size}`).join('|');
}

/**
 * Which entries to delete so that `incoming` (bytes) fits with the others: the same study is
 * replaced, then the oldest go until both the count and the byte budget hold. `fits` is false when
 * the incoming study alone is over the budget (it is then not kept, and nothing is evicted).
 */
export function planEviction(entries: readonly RecentMeta[], incoming: { bytes: number; fingerprint: string }): { evict: number[]; fits: boolean } {
  if (incoming.bytes > RECENT_MAX_BYTES) return { evict: [], fits: false };
  const evict = entries.filter((e) => e.fingerprint === incoming.fingerprint).map((e) => e.id);
  const rest = entries.filter((e) => !evict.includes(e.id)).sort((a, b) => a.openedAt - b.openedAt || a.id - b.id);
  let total = rest.reduce((s, e) => s + e.bytes, 0) + incoming.bytes;
  let count = rest.length + 1;
  for (const e of rest) {
    if (count <= RECENT_MAX_ENTRIES && total <= RECENT_MAX_BYTES) break;
    evict.push(e.id);
    total -= e.bytes;
    count--;
  }
  return { evict, fits: true };
}
