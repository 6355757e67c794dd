// Hostile HDF5 files: data that lives in other files (external storage, external links, virtual
// datasets) must never be read, a FIFO must never block the reader, and oversized header strings
// are refused. Fixtures are written by h5py at test time (skipped without the venv).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../index';
import { H5File } from '../h5/wasm';
import { HAVE_PYTHON, PYTHON, REPO_ROOT, expectFlatError } from './helpers';

function py(code: string, ...args: string[]): void {
  execFileSync(PYTHON, ['-c', code, ...args], { stdio: 'pipe', timeout: 60_000 });
}

/** A "secret" file of 2×4×4 complex64 values (smaller than the .h5 itself) that a hostile .h5 points at. */
function secretFile(dir: string): string {
  const p = join(dir, 'secret.bin');
  const b = Buffer.alloc(2 * 4 * 4 * 8);
  for (let i = 0; i < b.length / 4; i++) b.writeFloatLE(i % 7, i * 4);
  writeFileSync(p, b);
  return p;
}

function mkfifo(path: string): boolean {
  return spawnSync('mkfifo', [path]).status === 0;
}

const EXTERNAL = `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("kspace", (2, 4, 4), np.complex64, external=[(sys.argv[2], 0, 2 * 4 * 4 * 8)])
`;

describe.skipIf(!HAVE_PYTHON)('HDF5 data in other files is refused', () => {
  it('external storage pointing at any file on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-ext-'));
    const h5 = join(dir, 'evil.h5');
    py(EXTERNAL, h5, secretFile(dir));
    const e = await expectFlatError(loadStudy({ path: h5 }), 'unsupported-content');
    expect(e.message).toMatch(/^evil\.h5: .*another file/);
    // the same file uploaded as bytes (Node host / drag and drop)
    const { readFileSync } = await import('node:fs');
    await expectFlatError(loadStudy({ name: 'evil.h5', bytes: readFileSync(h5) }), 'unsupported-content');
  });

  it('an external link to a dataset in another file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-link-'));
    py(
      `
import sys, h5py, numpy as np
with h5py.File(sys.argv[2], "w") as g:
    g.create_dataset("kspace", data=(np.ones((2, 4, 4)) + 1j).astype(np.complex64))
with h5py.File(sys.argv[1], "w") as f:
    f["kspace"] = h5py.ExternalLink(sys.argv[2], "/kspace")
`,
      join(dir, 'link.h5'),
      join(dir, 'target.h5'),
    );
    const e = await expectFlatError(loadStudy({ path: join(dir, 'link.h5') }), 'unsupported-content');
    expect(e.message).toMatch(/another file/);
  });

  it('a virtual dataset whose sources are in another file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-vds-'));
    py(
      `
import sys, h5py, numpy as np
with h5py.File(sys.argv[2], "w") as g:
    g.create_dataset("k", data=(np.ones((2, 4, 4)) + 1j).astype(np.complex64))
layout = h5py.VirtualLayout(shape=(2, 4, 4), dtype=np.complex64)
layout[:] = h5py.VirtualSource(sys.argv[2], "k", shape=(2, 4, 4))
with h5py.File(sys.argv[1], "w") as f:
    f.create_virtual_dataset("kspace", layout)
`,
      join(dir, 'vds.h5'),
      join(dir, 'src.h5'),
    );
    const e = await expectFlatError(loadStudy({ path: join(dir, 'vds.h5') }), 'unsupported-content');
    expect(e.message).toMatch(/another file/);
  });

  it('external storage on a FIFO fails at once instead of blocking forever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-fifo-'));
    const fifo = join(dir, 'fifo');
    if (!mkfifo(fifo)) return; // no mkfifo on this system
    const h5 = join(dir, 'fifo.h5');
    py(EXTERNAL, h5, fifo);
    const t = performance.now();
    await expectFlatError(loadStudy({ path: h5 }), 'unsupported-content');
    console.log(`[h5-hostile] FIFO external storage refused in ${(performance.now() - t).toFixed(0)} ms`);
    // the reader still works afterwards
    await expectFlatError(loadStudy({ path: join(dir, 'nothing.h5') }), 'io');
  });

  it('the CLI exits (with one line on stderr) on an .h5 whose storage is a FIFO', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-cli-'));
    const fifo = join(dir, 'fifo');
    if (!mkfifo(fifo)) return;
    const h5 = join(dir, 'fifo.h5');
    py(EXTERNAL, h5, fifo);
    const r = spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), [join(REPO_ROOT, 'app/cli/recon.ts'), '--input', h5, '--out', join(dir, 'out')], { encoding: 'utf8', timeout: 90_000 });
    expect(r.signal, 'the CLI had to be killed: it hung').toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: fifo\.h5: .*another file/);
  }, 120_000);
});

describe('HDF5: only regular files are opened', () => {
  it('a FIFO given straight to the HDF5 layer is refused without blocking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-fifo2-'));
    const fifo = join(dir, 'input.h5');
    if (!mkfifo(fifo)) return;
    await expect(H5File.open(fifo, 0)).rejects.toThrow();
    await expectFlatError(loadStudy({ path: fifo }), 'io');
  });
});
