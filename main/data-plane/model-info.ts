// The model summary shown in the UI (AppInfo.model), read from the model card in the main
// process. The sha256 check of the .onnx files happens in the worker before it loads them; its
// refusal reaches the UI as AppInfo.modelError and as error events.

import type { ModelSummary } from '../../app/contract/ipc';
import { toFlatError } from '../../app/core/errors';
// card.ts, not the recon index: the main process must not load onnxruntime-node.
import { loadModelCard } from '../../app/recon/card';

export function readModelSummary(modelDir: string, name: string): { model: ModelSummary | null; error?: string } {
  try {
    const card = loadModelCard(modelDir, name);
    const sha256 = card.files.full.sha256;
    return { model: { name: card.name, sha256, shortHash: sha256.slice(0, 12), steps: card.steps, t: card.t, card: card.raw } };
  } catch (e) {
    return { model: null, error: toFlatError(e, 'model-mismatch').message };
  }
}
