import { readFileSync, writeFileSync } from 'node:fs';
import { loadStudy } from './index';
import { generic, rng } from './test/mutate';
const seed = new Uint8Array(readFileSync(process.argv[2]!));
const r = rng(Number(process.argv[4] ?? 12));
const m = generic(Number(process.argv[5] ?? 8192));
for (let i = 0; i < Number(process.argv[3] ?? 200); i++) {
  const b = m(seed, r);
  writeFileSync('/tmp/last_case.h5', b);
  process.stderr.write(`case ${i}\n`);
  const t = performance.now();
  let res = 'ok';
  try { await loadStudy({ name: 'f.h5', bytes: b }); } catch (e: any) { res = e?.code ?? ('UNTYPED ' + String(e).slice(0, 100)); }
  const ms = performance.now() - t;
  if (ms > 300) console.log('slow', i, ms.toFixed(0), res);
}
