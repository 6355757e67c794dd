// Serving the built renderer from a folder: path traversal refused, dotfiles refused, MIME types
// from a short table (only what a Vite build emits).

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that URL path `urlPath` names, or null when the path is malformed,
 * climbs out of `root`, or touches a dotfile. "/" maps to index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const segments = rel.split('/');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const full = path.resolve(root, rel);
  const back = path.relative(path.resolve(root), full);
  if (back === '' || back.startsWith('..') || path.isAbsolute(back)) return null;
  return full;
}

/** The bytes of a regular file, or null. */
export async function readStatic(file: string): Promise<Buffer | null> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return null;
    return await readFile(file);
  } catch {
    return null;
  }
}
