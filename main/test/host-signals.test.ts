// The Node host as a process: SIGTERM ends it promptly, also right after a hostile upload (an
// .h5 whose storage is a FIFO, which used to leave an HDF5 thread blocked forever).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../app/contract/wire';
import { REPO_ROOT } from './helpers';

const PYTHON = path.join(REPO_ROOT, '.venv/bin/python');

function startChild(): Promise<{ url: string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>; kill(s: NodeJS.Signals): number }> {
  // node with tsx's loader, not the tsx CLI: its signal relay SIGKILLs a child that is slow to
  // acknowledge (a loaded test machine), which would hide what the host itself does
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'main/test/fixtures/host-child.ts')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let killedAt = 0;
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.on('exit', () => err && process.stdout.write(`[host-signals] child stderr: ${err.slice(0, 2000)}\n`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - killedAt })),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('the host did not start')), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({
          url: m[0],
          exited,
          kill: (s) => {
            killedAt = performance.now();
            child.kill(s);
            return killedAt;
          },
        });
      }
    });
  });
}

describe('Node host process and signals', () => {
  it('exits promptly on SIGTERM', async () => {
    const c = await startChild();
    expect((await fetch(c.url)).status).toBe(200);
    c.kill('SIGTERM');
    const r = await c.exited;
    console.log(`[host-signals] exit ${r.code} ${r.signal ?? ''} ${r.ms.toFixed(0)} ms after SIGTERM`);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
  }, 90_000);

  it.skipIf(!existsSync(PYTHON))('exits on SIGTERM after an upload whose HDF5 storage is a FIFO', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flat-host-fifo-'));
    const fifo = path.join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const h5 = path.join(dir, 'evil.h5');
    execFileSync(PYTHON, ['-c', 'import sys, h5py, numpy as np\nwith h5py.File(sys.argv[1], "w") as f:\n    f.create_dataset("kspace", (2, 4, 4), np.complex64, external=[(sys.argv[2], 0, 256)])', h5, fifo]);
    const c = await startChild();
    const u = new URL(c.url);
    const token = u.searchParams.get('token')!;
    const up = await fetch(`${u.origin}/api/upload?name=evil.h5`, { method: 'POST', headers: { 'x-flat-token': token }, body: readFileSync(h5) });
    const { uploadId } = decodeFrame<{ ok: true; result: { uploadId: string } }>(await up.arrayBuffer()).result;
    const r = await fetch(`${u.origin}/api/invoke/openFiles`, {
      method: 'POST',
      headers: { 'x-flat-token': token },
      body: encodeFrame({ args: [[{ name: 'evil.h5', uploadId }]] }),
    });
    const reply = decodeFrame<{ ok: boolean; error?: { code: string; message: string } }>(await r.arrayBuffer());
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe('unsupported-content');
    c.kill('SIGTERM');
    const done = await c.exited;
    expect(done.code).toBe(0);
    expect(done.ms).toBeLessThan(10_000);
  }, 90_000);
});
