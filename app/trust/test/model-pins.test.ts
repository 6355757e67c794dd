// The sha256 pins compiled into the app (app/trust/model-pins.ts) must be those of the shipped
// model files; a changed model is "unverified".
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR, PINS_FILE, pinnedFiles, renderPins } from '../../../scripts/pin-models';
import { MODEL_PINS } from '../model-pins';
import { checkModelTrust, modelFiles, requireShippedModel } from '../model-trust';

describe('model pins', () => {
  it('match every shipped model file (else: run `npm run pin-models`)', () => {
    const current = readFileSync(PINS_FILE, 'utf8');
    expect(current === renderPins(), 'app/trust/model-pins.ts is out of date with resources/models: run `npm run pin-models` and commit the result').toBe(true);
    expect(Object.keys(MODEL_PINS).sort()).toEqual(pinnedFiles());
  });

  it('the shipped model verifies; a copy with one byte changed (card re-hashed to match) does not', () => {
    expect(checkModelTrust(MODELS_DIR, 'flat')).toEqual({ verified: true });
    const dir = mkdtempSync(path.join(tmpdir(), 'flat-trust-'));
    for (const f of modelFiles('flat')) copyFileSync(path.join(MODELS_DIR, f), path.join(dir, f));
    expect(checkModelTrust(dir, 'flat').verified).toBe(true);
    const onnx = readFileSync(path.join(dir, 'flat.onnx'));
    onnx[onnx.length - 1] = onnx[onnx.length - 1]! ^ 1;
    writeFileSync(path.join(dir, 'flat.onnx'), onnx);
    const t = checkModelTrust(dir, 'flat');
    expect(t.verified).toBe(false);
    expect(t.reason).toMatch(/^flat\.onnx differs from the shipped model/);
    expect(() => requireShippedModel(dir, 'flat')).toThrow(/does not match this build/);
    expect(checkModelTrust(dir, 'other').reason).toMatch(/not a model shipped with this build/);
  });
});
