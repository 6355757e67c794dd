// Model cards (resources/models/<name>.json): validated on load, and the .onnx files they name are
// hashed and compared with the card's sha256 so a swapped or damaged model is refused before
// inference. The bytes that were hashed are the bytes handed to onnxruntime.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FlatError } from '../core/errors';

export interface ModelFile {
  /** absolute path */
  path: string;
  sha256: string;
}

export interface ModelCard {
  name: string;
  method?: string;
  /** number of Euler steps N (the full graph returns N+1 states) */
  steps: number;
  /** N+1 flow times in viewer order, 1 → 0 */
  t: number[];
  files: { full: ModelFile; step: ModelFile };
  /** the card as written, for provenance and the UI */
  raw: Record<string, unknown>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function mismatch(message: string, file?: string): FlatError {
  return new FlatError('model-mismatch', message, file);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileEntry(dir: string, name: string, card: Record<string, unknown>, key: 'full' | 'step', cardFile: string): ModelFile {
  const files = card.files;
  const entry = isRecord(files) ? files[key] : undefined;
  if (!isRecord(entry)) throw mismatch(`Model card ${cardFile} has no files.${key} entry.`, cardFile);
  const sha = entry.sha256;
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/i.test(sha)) {
    throw mismatch(`Model card ${cardFile} has no valid sha256 for files.${key}.`, cardFile);
  }
  const named = entry.path;
  const fileName = typeof named === 'string' ? named : key === 'full' ? `${name}.onnx` : `${name}_step.onnx`;
  // Model files live beside the card: refuse paths that climb out of the folder.
  if (path.isAbsolute(fileName) || fileName.split(/[\\/]/).includes('..')) {
    throw mismatch(`Model card ${cardFile} names a file outside its folder (${fileName}).`, cardFile);
  }
  return { path: path.join(dir, fileName), sha256: sha.toLowerCase() };
}

/** Read and validate `<dir>/<name>.json`. Does not hash the .onnx files (see readVerifiedModel). */
export function loadModelCard(dir: string, name: string): ModelCard {
  if (!NAME_RE.test(name)) throw new FlatError('invalid-request', `"${name}" is not a valid model name.`);
  const cardFile = path.join(dir, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(cardFile, 'utf8');
  } catch {
    throw new FlatError('io', `Model "${name}" not found: cannot read ${cardFile}.`, cardFile);
  }
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch {
    throw mismatch(`Model card ${cardFile} is not valid JSON.`, cardFile);
  }
  if (!isRecord(card)) throw mismatch(`Model card ${cardFile} is not a JSON object.`, cardFile);
  if (typeof card.name !== 'string' || card.name.length === 0) throw mismatch(`Model card ${cardFile} has no name.`, cardFile);
  const steps = card.steps;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > 1000) {
    throw mismatch(`Model card ${cardFile} has no valid step count.`, cardFile);
  }
  const t = card.t;
  if (!Array.isArray(t) || t.length !== steps + 1 || !t.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw mismatch(`Model card ${cardFile} must list ${steps + 1} flow times t.`, cardFile);
  }
  return {
    name: card.name,
    method: typeof card.method === 'string' ? card.method : undefined,
    steps,
    t: t as number[],
    files: { full: fileEntry(dir, name, card, 'full', cardFile), step: fileEntry(dir, name, card, 'step', cardFile) },
    raw: card,
  };
}

/** Read a model file and check it against the card's sha256; returns the verified bytes. */
export function readVerifiedModel(file: ModelFile): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file.path);
  } catch {
    throw new FlatError('io', `Cannot read the model file ${file.path}.`, file.path);
  }
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw mismatch(
      `Model file ${path.basename(file.path)} does not match its model card (sha256 ${actual.slice(0, 12)}… ≠ ${file.sha256.slice(0, 12)}…); refusing to run it.`,
      file.path,
    );
  }
  return bytes;
}
