// The browser build's recent studies and folder picker. The page cannot reopen a file by path, so
// copies of the opened files are kept in this browser's IndexedDB (File/Blob objects are stored as
// they are), at most RECENT_MAX_ENTRIES studies and RECENT_MAX_BYTES in all, the oldest evicted
// first. Electron keeps its native File ▸ Recent Files menu (paths, main/common/recent-files.ts) and
// none of this runs there. The rules (what a folder may hold, what to evict) are pure, in
// reading/pickFiles.ts.
import { reactive } from 'vue';
import { plainMessage } from '../bridge';
import { openFiles, showError } from './session';
import { setBusy, studyState } from './study';
import {
  MAX_PICK_ENTRIES,
  RECENT_MAX_BYTES,
  SNIFF_BYTES,
  fingerprint,
  formatBytes,
  planEviction,
  planFolder,
  sniff,
  tooManyEntries,
  worthSniffing,
  type PickedFile,
  type RecentMeta,
} from '../reading/pickFiles';

interface StoredStudy extends Omit<RecentMeta, 'id'> {
  id?: number;
  /** The file copies, with the names the host needs (a Blob alone has none). */
  copies: { name: string; blob: Blob }[];
}

export const recent = reactive({
  entries: [] as RecentMeta[],
  open: false,
  /** One sentence about the last attempt to keep a copy (empty when it worked). */
  note: '',
});

const DB_NAME = 'flat-recent';
const STORE = 'studies';
let dbPromise: Promise<IDBDatabase> | null = null;

/** The browser build keeps recent studies; Electron has its own menu. */
/** The Recent dialog (its button, the keyboard waits while it is open). */
export function showRecent(): void {
  recent.open = true;
}

export function closeRecent(): void {
  recent.open = false;
}

export function recentSupported(): boolean {
  return studyState.transport !== 'electron' && typeof indexedDB !== 'undefined';
}

function database(): Promise<IDBDatabase> {
  dbPromise ??= new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB is not available in this browser.'));
  });
  dbPromise.catch(() => (dbPromise = null)); // try again next time
  return dbPromise;
}

function done(t: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onabort = t.onerror = () => reject(t.error ?? new Error('The browser did not store the copy.'));
  });
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed.'));
  });
}

function metaOf(s: StoredStudy & { id: number }): RecentMeta {
  return { id: s.id, name: s.name, openedAt: s.openedAt, bytes: s.bytes, files: s.files, fingerprint: s.fingerprint };
}

async function allStored(): Promise<(StoredStudy & { id: number })[]> {
  const db = await database();
  return request(db.transaction(STORE, 'readonly').objectStore(STORE).getAll() as IDBRequest<(StoredStudy & { id: number })[]>);
}

/** Reloads the list (newest first). */
export async function refreshRecent(): Promise<void> {
  if (!recentSupported()) return;
  try {
    recent.entries = (await allStored()).map(metaOf).sort((a, b) => b.openedAt - a.openedAt || b.id - a.id);
  } catch (e) {
    recent.entries = [];
    recent.note = `Recent studies are not available: ${plainMessage(e)}`;
  }
}

async function remember(files: File[], name: string): Promise<void> {
  const bytes = files.reduce((s, f) => s + f.size, 0);
  const meta = { name, openedAt: Date.now(), bytes, files: files.length, fingerprint: fingerprint(files) };
  try {
    const plan = planEviction((await allStored()).map(metaOf), meta);
    if (!plan.fits) {
      recent.note = `${name} is open but not kept in Recent: it is larger than ${formatBytes(RECENT_MAX_BYTES)}.`;
      return;
    }
    const db = await database();
    const t = db.transaction(STORE, 'readwrite');
    const os = t.objectStore(STORE);
    for (const id of plan.evict) os.delete(id);
    const row: StoredStudy = { ...meta, copies: files.map((f) => ({ name: f.name, blob: f })) };
    os.add(row);
    await done(t);
    recent.note = '';
  } catch (e) {
    // A full disk or a private window: the study is open, only the copy is missing.
    recent.note = `${name} is open but not kept in Recent: ${plainMessage(e)}`;
  }
  await refreshRecent();
}

/**
 * Opens files through the session and, in the browser build, keeps a copy in Recent when the host
 * opened them (the session shows a new study and no error).
 */
export async function openAndRemember(files: File[], name?: string): Promise<void> {
  if (files.length === 0) return;
  const before = studyState.study;
  await openFiles(files);
  if (studyState.study === before || studyState.error || !recentSupported()) return;
  await remember(files, name ?? (files.length === 1 ? files[0]!.name : `${files.length} files`));
}

/** A picked folder (`<input webkitdirectory>`): its readable files when they are one study. */
export async function openFolder(list: File[]): Promise<void> {
  if (list.length === 0) return;
  if (list.length > MAX_PICK_ENTRIES) {
    showError(new Error(tooManyEntries(list.length)));
    return;
  }
  setBusy('Looking through the folder…');
  let picked: PickedFile[];
  try {
    picked = await Promise.all(
      list.map(async (f) => ({
        name: f.name,
        size: f.size,
        kind: worthSniffing(f.name, f.size) ? sniff(f.name, new Uint8Array(await f.slice(0, SNIFF_BYTES).arrayBuffer())) : ('unknown' as const),
      })),
    );
  } catch (e) {
    showError(e);
    return;
  } finally {
    setBusy('');
  }
  const plan = planFolder(picked);
  if (!plan.ok) {
    showError(new Error(plan.problem));
    return;
  }
  const folder = list[0]!.webkitRelativePath.split('/')[0] || `${plan.keep.length} files`;
  await openAndRemember(
    plan.keep.map((i) => list[i]!),
    folder,
  );
}

/** Reopens a kept study with one click (it moves to the top of the list). */
export async function reopenRecent(id: number): Promise<void> {
  let row: StoredStudy | undefined;
  try {
    const db = await database();
    row = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(id) as IDBRequest<StoredStudy | undefined>);
  } catch (e) {
    showError(e);
    return;
  }
  recent.open = false;
  if (!row) {
    showError(new Error('That recent study is no longer kept in this browser.'));
    await refreshRecent();
    return;
  }
  await openAndRemember(
    row.copies.map((c) => new File([c.blob], c.name)),
    row.name,
  );
}

/** Forgets every kept copy. */
export async function clearRecent(): Promise<void> {
  try {
    const db = await database();
    const t = db.transaction(STORE, 'readwrite');
    t.objectStore(STORE).clear();
    await done(t);
    recent.note = '';
  } catch (e) {
    recent.note = `Recent studies could not be cleared: ${plainMessage(e)}`;
  }
  await refreshRecent();
}
