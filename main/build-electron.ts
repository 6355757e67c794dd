// `npm run build:electron`: bundles the Electron main process, the preload and the data-plane
// process (+ its ORT and reader threads) into dist/main with esbuild. npm packages stay external
// (electron-builder ships production node_modules; onnxruntime-node is native).
//   tsx main/build-electron.ts [--outdir dist/main]

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const ELECTRON_BUNDLES = ['electron-main.js', 'data-plane-process.js', 'ort-thread.js', 'reader-thread.js', 'h5-thread.js', 'preload.cjs'] as const;

export async function buildElectron(outdir = path.join(ROOT, 'dist/main')): Promise<string[]> {
  const common = { bundle: true, platform: 'node' as const, target: 'node20', sourcemap: false, logLevel: 'warning' as const, legalComments: 'none' as const };
  await build({
    ...common,
    entryPoints: {
      'electron-main': path.join(ROOT, 'main/electron/electron-main.ts'),
      'data-plane-process': path.join(ROOT, 'main/data-plane/process.ts'),
      'ort-thread': path.join(ROOT, 'main/data-plane/ort-thread.ts'),
      'reader-thread': path.join(ROOT, 'main/data-plane/reader-thread.ts'),
      'h5-thread': path.join(ROOT, 'app/formats/h5/h5-thread.ts'),
    },
    format: 'esm',
    packages: 'external',
    outdir,
  });
  // Sandboxed preloads must be CommonJS and may require only 'electron'.
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'main/electron/preload.ts')],
    format: 'cjs',
    external: ['electron'],
    outfile: path.join(outdir, 'preload.cjs'),
  });
  return ELECTRON_BUNDLES.map((f) => path.join(outdir, f));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--outdir');
  const out = i > 0 ? path.resolve(process.argv[i + 1] ?? '') : undefined;
  buildElectron(out).then(
    (files) => process.stdout.write(`built ${files.length} bundles in ${path.dirname(files[0]!)}\n`),
    (e: unknown) => {
      process.stderr.write(`build:electron failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
