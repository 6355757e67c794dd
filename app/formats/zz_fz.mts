import { readFileSync } from 'node:fs';
import { loadStudy } from './index';
const which = process.argv[2]!;
const seed = new Uint8Array(readFileSync(which));
let s = 11 >>> 0; const r = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const counts: Record<string, number> = {};
for (let i = 0; i < Number(process.argv[3] ?? 200); i++) {
  const b = seed.slice();
  const kind = Math.floor(r() * 3);
  if (kind === 0) { for (let k = 0; k < 4; k++) { const j = Math.floor(r() * 4096); b[j] ^= 1 << Math.floor(r() * 8); } }
  else if (kind === 1) { for (let k = 0; k < 8; k++) b[Math.floor(r() * 4096)] = Math.floor(r() * 256); }
  else { const j = Math.floor(r() * 4096) & ~1; new DataView(b.buffer).setUint32(j, 0xffffffff, true); }
  const t = performance.now();
  let res = 'ok';
  try { await loadStudy({ name: 'f.h5', bytes: b }); } catch (e: any) { res = e?.code ?? ('UNTYPED ' + String(e).slice(0, 100)); }
  const ms = performance.now() - t;
  counts[res] = (counts[res] ?? 0) + 1;
  if (ms > 300) console.log('slow', i, kind, ms.toFixed(0), res);
}
console.log(counts);
