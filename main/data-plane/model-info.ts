// The model summary shown in the UI (AppInfo.model), read from the model card in the data plane
// (it hashes the model files, so never in a host). The sha256 check of the .onnx files before they
// load happens in the ORT thread; its refusal reaches the UI as AppInfo.modelError. The summary also carries the
// reader's view of the card (validated, app/contract/model-card.ts) and the sha256 of each model
// file beside what the card and this build's pins say, so the model card view can show both checks.

import path from 'node:path';
import type { ModelFileHash, ModelSummary } from '../../app/contract/ipc';
import { readerCard } from '../../app/contract/model-card';
import { toFlatError } from '../../app/core/errors';
// card.ts, not the recon index: onnxruntime-node belongs to the ORT thread only.
import { loadModelCard } from '../../app/recon/card';
import { MODEL_PINS } from '../../app/trust/model-pins';
import { sha256File } from '../../app/trust/model-trust';

function hashOrUndefined(file: string): string | undefined {
  try {
    return sha256File(file);
  } catch {
    return undefined;
  }
}

export function modelFileHashes(modelDir: string, name: string, card: { files: { full: { path: string; sha256: string }; step: { path: string; sha256: string } } }, pins: Readonly<Record<string, string>> = MODEL_PINS): ModelFileHash[] {
  const entry = (role: ModelFileHash['role'], file: string, cardSha256?: string): ModelFileHash => {
    const base = path.basename(file);
    const sha256 = hashOrUndefined(path.join(modelDir, base));
    const pinned = Object.hasOwn(pins, base) ? pins[base] : undefined;
    return { role, file: base, ...(sha256 ? { sha256 } : {}), ...(cardSha256 ? { cardSha256 } : {}), ...(pinned ? { pinnedSha256: pinned } : {}) };
  };
  return [entry('full graph', card.files.full.path, card.files.full.sha256), entry('step graph', card.files.step.path, card.files.step.sha256), entry('model card', `${name}.json`)];
}

export function readModelSummary(modelDir: string, name: string): { model: ModelSummary | null; error?: string } {
  try {
    const card = loadModelCard(modelDir, name);
    const sha256 = card.files.full.sha256;
    return {
      model: {
        name: card.name,
        sha256,
        shortHash: sha256.slice(0, 12),
        steps: card.steps,
        t: card.t,
        card: card.raw,
        reader: readerCard(card.raw),
        files: modelFileHashes(modelDir, name, card),
      },
    };
  } catch (e) {
    return { model: null, error: toFlatError(e, 'model-mismatch').message };
  }
}
