// The model summary behind the model card view: the reader's parts of the shipped card, the sha256
// of every model file beside the card's and this build's pins, and a hostile card reduced to plain
// strings and finite numbers.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readerCard } from '../../app/contract/model-card';
import { sha256File } from '../../app/trust/model-trust';
import { readModelSummary } from '../data-plane/model-info';
import { REPO_ROOT } from './helpers';

const MODELS = path.join(REPO_ROOT, 'resources/models');
const card = JSON.parse(readFileSync(path.join(MODELS, 'flat.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tmp = mkdtempSync(path.join(tmpdir(), 'flat-model-info-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('model summary for the model card view', () => {
  it('the shipped card: intended use, limitations, every training file with its licence, the evaluation table', () => {
    const { model, error } = readModelSummary(MODELS, 'flat');
    expect(error).toBeUndefined();
    const r = model!.reader!;
    expect(r.intendedUse!.notFor).toMatch(/not a medical device/);
    expect(r.intendedUse!.licence).toBe(card.training.licence);
    expect(r.limitations).toEqual(card.limitations);
    expect(r.trainingFiles).toEqual(card.training.files);
    expect(r.trainingFiles.length).toBeGreaterThanOrEqual(2);
    const ev = r.evaluation!;
    expect(ev.source).toBe(card.metrics.source);
    expect(ev.accelerations).toEqual([4, 8]);
    expect(ev.images).toBe(card.metrics.settings.images.length);
    const flat = ev.rows.find((x) => x.method === 'flat')!;
    expect(flat.byAcceleration['4']!.psnr).toBe(card.metrics.by_method.flat['4'].psnr);
    expect(flat.byAcceleration['8']!.gain).toBe(card.metrics.by_method.flat['8'].psnr_gain_vs_zero_filled);
    expect(ev.rows.map((x) => x.method)).toEqual(Object.keys(card.metrics.by_method));
  });

  it('hashes every model file as it is on disk, beside the card and the pins', () => {
    const { model } = readModelSummary(MODELS, 'flat');
    const files = model!.files!;
    expect(files.map((f) => [f.role, f.file])).toEqual([
      ['full graph', 'flat.onnx'],
      ['step graph', 'flat_step.onnx'],
      ['model card', 'flat.json'],
    ]);
    for (const f of files) {
      expect(f.sha256).toBe(sha256File(path.join(MODELS, f.file)));
      expect(f.pinnedSha256).toBe(f.sha256); // the shipped model matches this build's pins
    }
    expect(files[0]!.cardSha256).toBe(card.files.full.sha256);
    expect(files[1]!.cardSha256).toBe(card.files.step.sha256);
    expect(files[2]!.cardSha256).toBeUndefined();
  });

  it('a changed card in a copied folder: its hash no longer matches the pin, the graphs still match the card', () => {
    for (const f of ['flat.onnx', 'flat_step.onnx']) copyFileSync(path.join(MODELS, f), path.join(tmp, f));
    writeFileSync(path.join(tmp, 'flat.json'), JSON.stringify({ ...card, limitations: ['edited'] }));
    const files = readModelSummary(tmp, 'flat').model!.files!;
    expect(files[2]!.sha256).not.toBe(files[2]!.pinnedSha256);
    expect(files[0]!.sha256).toBe(files[0]!.cardSha256);
    expect(readModelSummary(tmp, 'flat').model!.reader!.limitations).toEqual(['edited']);
  });

  it('a hostile card is reduced to plain strings and finite numbers, never thrown', () => {
    const r = readerCard({
      intended_use: { use: 'x'.repeat(10_000), not_for: 'clinic\u0000\u0007' },
      limitations: [1, null, { a: 1 }, 'ok', ''],
      training: { files: [{ file: 'a.npy' }, { licence: 'no file' }, 'str'], data: 42 },
      metrics: { by_method: { flat: { '4': { psnr: NaN, ssim: 1, nmse: 1 }, '8': { psnr: 30, ssim: 0.9, nmse: 0.01, n: -3 }, x: { psnr: 1, ssim: 1, nmse: 1 } }, bad: 'no' } },
    });
    expect(r.intendedUse!.use.length).toBe(2000);
    expect(r.intendedUse!.notFor).toBe('clinic');
    expect(r.limitations).toEqual(['ok']);
    expect(r.trainingFiles).toEqual([{ file: 'a.npy', licence: 'not stated' }]);
    expect(r.trainingData).toBeUndefined();
    expect(r.evaluation!.accelerations).toEqual([8]);
    expect(r.evaluation!.rows).toEqual([{ method: 'flat', byAcceleration: { '8': { psnr: 30, ssim: 0.9, nmse: 0.01 } } }]);
    expect(readerCard('nonsense')).toEqual({ limitations: [], trainingFiles: [] });
  });
});
