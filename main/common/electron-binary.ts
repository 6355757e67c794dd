// Where the Electron binary is, if it was downloaded — found WITHOUT loading the `electron`
// package: since Electron 41 its index.js downloads the binary on first require when it is
// missing (from GitHub), which a machine without internet, or one that must not download
// anything outside the registries, never wants. Null when there is no binary.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function installedElectronBinary(from: string = import.meta.url): string | null {
  try {
    const pkgDir = path.dirname(createRequire(from).resolve('electron/package.json'));
    const rel = readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
    const bin = path.join(pkgDir, 'dist', rel);
    return rel && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}
