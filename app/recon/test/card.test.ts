import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine, loadModelCard, readVerifiedModel, sha256Hex } from '../index';
import { TEST_MODEL, tempDir } from '../../test/helpers';

/** Copy the shipped model (card + both graphs) into a fresh folder. */
function copyModel(): string {
  const dir = tempDir('flat-model-');
  const card = loadModelCard(TEST_MODEL.dir, TEST_MODEL.name);
  copyFileSync(path.join(TEST_MODEL.dir, `${TEST_MODEL.name}.json`), path.join(dir, `${TEST_MODEL.name}.json`));
  for (const f of [card.files.full.path, card.files.step.path]) copyFileSync(f, path.join(dir, path.basename(f)));
  return dir;
}

describe('model card', () => {
  it('loads the shipped card and its graphs hash to the recorded sha256', () => {
    const card = loadModelCard(TEST_MODEL.dir, TEST_MODEL.name);
    expect(card.steps).toBeGreaterThanOrEqual(1);
    expect(card.t).toHaveLength(card.steps + 1);
    expect(card.t[0]).toBeGreaterThan(card.t[card.steps]!);
    for (const f of [card.files.full, card.files.step]) {
      const bytes = readVerifiedModel(f);
      expect(sha256Hex(bytes)).toBe(f.sha256);
    }
  });

  it('refuses a model whose full graph has one flipped byte (model-mismatch)', async () => {
    const dir = copyModel();
    const card = loadModelCard(dir, TEST_MODEL.name);
    const bytes = readFileSync(card.files.full.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(card.files.full.path, bytes);
    await expect(createEngine({ modelDir: dir, name: TEST_MODEL.name })).rejects.toMatchObject({
      code: 'model-mismatch',
      message: expect.stringMatching(/does not match its model card/),
    });
  });

  it('refuses a tampered step graph too, before creating any session', async () => {
    const dir = copyModel();
    const card = loadModelCard(dir, TEST_MODEL.name);
    const bytes = readFileSync(card.files.step.path);
    bytes[bytes.length - 1]! ^= 0x80;
    writeFileSync(card.files.step.path, bytes);
    await expect(createEngine({ modelDir: dir, name: TEST_MODEL.name })).rejects.toMatchObject({ code: 'model-mismatch' });
  });

  it('refuses broken cards: bad JSON, missing sha256, wrong t length, a path outside the folder', () => {
    const dir = copyModel();
    const file = path.join(dir, `${TEST_MODEL.name}.json`);
    const good = JSON.parse(readFileSync(file, 'utf8'));
    const variants: [string, unknown][] = [
      ['not json', '{"name": '],
      ['no sha', { ...good, files: { ...good.files, full: { path: good.files.full.path } } }],
      ['short t', { ...good, t: good.t.slice(1) }],
      ['escape', { ...good, files: { ...good.files, step: { ...good.files.step, path: '../x.onnx' } } }],
    ];
    for (const [, v] of variants) {
      writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v));
      expect(() => loadModelCard(dir, TEST_MODEL.name)).toThrow(expect.objectContaining({ code: 'model-mismatch' }));
    }
    expect(() => loadModelCard(dir, 'no-such-model')).toThrow(expect.objectContaining({ code: 'io' }));
    expect(() => loadModelCard(dir, '../flat')).toThrow(expect.objectContaining({ code: 'invalid-request' }));
  });
});
