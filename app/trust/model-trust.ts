// Model trust. The model card's sha256 only proves that the .onnx files match the card next to
// them — whoever can replace one can replace both. The app therefore carries its own pins: the
// sha256 of every shipped model file, generated at build time into model-pins.ts
// (`npm run pin-models`). A model whose files all match the pins is "verified"; any other model
// (a user-chosen folder, a changed file) is "unverified": accepted only where a user chose it, and
// then flagged so the UI and the CLI can say so; the shipped location must verify.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { FlatError } from '../core/errors';
import { MODEL_PINS } from './model-pins';

export interface ModelTrust {
  verified: boolean;
  /** Why not verified, one sentence (absent when verified). */
  reason?: string;
}

/** The files of model `name` that the pins cover: both graphs and the card. */
export function modelFiles(name: string): string[] {
  return [`${name}.onnx`, `${name}_step.onnx`, `${name}.json`];
}

const MAX_MODEL_FILE = 2 * 1024 * 1024 * 1024;

/** sha256 of a regular file, streamed (a model can be large). */
export function sha256File(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_MODEL_FILE) throw new FlatError('model-mismatch', `${path.basename(file)} is not a model file.`, file);
    const h = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
    return h.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Do the model's files match the sha256 pinned in this build? */
export function checkModelTrust(modelDir: string, name: string, pins: Readonly<Record<string, string>> = MODEL_PINS): ModelTrust {
  for (const f of modelFiles(name)) {
    const pin = pins[f];
    if (!pin) return { verified: false, reason: `${f} is not a model shipped with this build (no pinned sha256).` };
    let actual: string;
    try {
      actual = sha256File(path.join(modelDir, f));
    } catch {
      return { verified: false, reason: `${f} cannot be read.` };
    }
    if (actual !== pin) return { verified: false, reason: `${f} differs from the shipped model (sha256 ${actual.slice(0, 12)}… ≠ pinned ${pin.slice(0, 12)}…).` };
  }
  return { verified: true };
}

/** The shipped location must hold the shipped model: refuse anything else there. */
export function requireShippedModel(modelDir: string, name: string): void {
  const t = checkModelTrust(modelDir, name);
  if (!t.verified) throw new FlatError('model-mismatch', `The installed model ${name} does not match this build: ${t.reason} Reinstall FLAT Viewer.`, modelDir);
}
