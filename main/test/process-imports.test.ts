// The Electron main process and the Node host only route, validate and guard: following every
// import from their entry points (esbuild's metafile, the same resolution the bundles use) reaches
// no file reader, FFT, reconstruction, DICOM networking or export code and no package that parses
// or infers. The data-plane process reaches them (the check can fail).

import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers';

/**
 * Repository folders that handle study data: only the data-plane process may load them. (The pure
 * rules a host validates with, such as app/masks/spec.ts, are allowed: they compute nothing.)
 */
const DATA_FOLDERS = ['app/formats/', 'app/fft/', 'app/recon/', 'app/export/', 'app/pacs/', 'app/trust/', 'main/data-plane/'];
/** Packages that parse files or DICOM, decompress or run models. */
const DATA_PACKAGES = ['onnxruntime-node', 'onnxruntime-common', 'h5wasm', 'dicom-parser', 'dcmjs', 'dcmjs-dimse', 'fflate'];

async function reached(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const r = await build({
    entryPoints: [path.join(REPO_ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    external: ['electron'],
    logLevel: 'silent',
  });
  const meta: Metafile = r.metafile;
  const files = Object.keys(meta.inputs).map((f) => path.relative(REPO_ROOT, path.resolve(f)).split(path.sep).join('/'));
  const packages = new Set<string>();
  for (const input of Object.values(meta.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external) continue;
      const parts = imp.path.split('/');
      packages.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return { files, packages: [...packages].sort() };
}

const forbidden = (r: { files: string[]; packages: string[] }) => [
  ...r.files.filter((f) => DATA_FOLDERS.some((d) => f.startsWith(d))),
  ...r.packages.filter((p) => DATA_PACKAGES.includes(p)),
];

describe('which code each process loads', () => {
  it.each([
    ['the Electron main process', 'main/electron/electron-main.ts'],
    ['the Node host', 'main/node-host/server.ts'],
    ['npm start', 'main/start.ts'],
  ])('%s loads no parser, FFT, onnxruntime or DICOM networking', async (_what, entry) => {
    const r = await reached(entry);
    expect(r.files).toContain('main/common/handlers.ts'); // the walk did follow the imports
    expect(forbidden(r)).toEqual([]);
  });

  it('the data-plane process and its threads do (the check is not empty)', async () => {
    const plane = await reached('main/data-plane/process.ts');
    expect(plane.files).toContain('main/data-plane/study-service.ts');
    expect(plane.packages).toContain('dcmjs-dimse');
    const reader = await reached('main/data-plane/reader-thread.ts');
    expect(reader.files.some((f) => f.startsWith('app/formats/'))).toBe(true);
    expect(reader.packages).toEqual(expect.arrayContaining(['dicom-parser', 'fflate']));
    expect(reader.files).toContain('app/formats/h5/wasm.ts'); // h5wasm itself is loaded by its own worker
    const ort = await reached('main/data-plane/ort-thread.ts');
    expect(ort.packages).toContain('onnxruntime-node');
    expect(ort.files).toContain('app/fft/index.ts');
  });
});
