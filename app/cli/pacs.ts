// `npm run pacs -- echo|find|get|send`: the PACS client (app/pacs) from the command line. Fails with
// one plain line on stderr (never a stack trace); `send` lists every instance that was not stored.

import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatError, toFlatError } from '../core/errors';
import { checkAeTitle, resolveNode, type PacsNode, type PacsSettings } from '../pacs/config';
import { dicomFilesIn, echo, findSeries, findStudies, retrieve, type StudyQuery } from '../pacs/client';
import { failureLines, optionsFrom, progressPrinter, sendFiles, settingsFrom } from '../pacs/send';

export const PACS_USAGE = `usage: npm run pacs -- COMMAND --node NODE [options]
  NODE is AET@HOST:PORT or a node name from the settings file (--config FILE or $FLAT_PACS_CONFIG)
commands:
  echo                         C-ECHO the node
  find [--patient-id ID] [--patient-name NAME] [--study-date YYYYMMDD[-YYYYMMDD]]
       [--accession NUMBER] [--modality MR|any] [--study UID]
                               C-FIND studies (default modality MR); with --study, list its series
  get --study UID [--series UID] [--modality MR|any] [--cache DIR]
                               C-GET a study (its MR series by default) or one series into the cache,
                               one folder per series (CACHE/STUDY/SERIES), each written atomically;
                               CACHE: --cache, else the settings' cacheDir, else ~/.cache/flat-viewer/pacs
  send FILE|DIR ...            C-STORE files (or every .dcm in a folder); exit 0 only if all stored
options:
  --config FILE                PACS settings JSON     --aet AET     our calling AE title
  --json                       one JSON object on stdout`;

interface PacsArgs {
  command: 'echo' | 'find' | 'get' | 'send' | 'help';
  node?: string;
  config?: string;
  aet?: string;
  json: boolean;
  query: StudyQuery;
  study?: string;
  series?: string;
  modality?: string;
  cache?: string;
  paths: string[];
}

function bad(message: string): FlatError {
  return new FlatError('invalid-request', message);
}

export function parsePacsArgs(argv: string[]): PacsArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help', json: false, query: {}, paths: [] };
  if (!['echo', 'find', 'get', 'send'].includes(command)) throw bad(`Unknown command "${command}"; use echo, find, get or send (see --help).`);
  const a: PacsArgs = { command: command as PacsArgs['command'], json: false, query: {}, paths: [] };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--') || v === '') throw bad(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--node':
        a.node = value();
        break;
      case '--config':
        a.config = value();
        break;
      case '--aet':
        a.aet = value();
        break;
      case '--json':
        a.json = true;
        break;
      case '--patient-id':
        a.query.patientId = value();
        break;
      case '--patient-name':
        a.query.patientName = value();
        break;
      case '--study-date':
        a.query.studyDate = value();
        break;
      case '--accession':
        a.query.accessionNumber = value();
        break;
      case '--modality':
        a.modality = value();
        break;
      case '--study':
        a.study = value();
        break;
      case '--series':
        a.series = value();
        break;
      case '--cache':
        a.cache = value();
        break;
      default:
        if (flag.startsWith('--') || a.command !== 'send') throw bad(`Unknown option "${flag}" (see --help).`);
        a.paths.push(flag);
    }
  }
  if (!a.node) throw bad('--node is required (AET@HOST:PORT or a node name from the settings file).');
  if (a.command === 'get' && !a.study) throw bad('get needs --study UID.');
  if (a.command === 'send' && a.paths.length === 0) throw bad('send needs at least one DICOM file or folder.');
  return a;
}

function filesOf(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new FlatError('io', `${p} does not exist.`, p);
    }
    if (isDir) files.push(...dicomFilesIn(p));
    else files.push(p);
  }
  return files;
}

/** $XDG_CACHE_HOME/flat-viewer/pacs, else ~/.cache/flat-viewer/pacs. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'flat-viewer', 'pacs');
}

function out(a: PacsArgs, json: unknown, lines: string[]): void {
  process.stdout.write(a.json ? JSON.stringify(json) + '\n' : lines.join('\n') + (lines.length ? '\n' : ''));
}

export async function pacsMain(argv: string[]): Promise<number> {
  try {
    const a = parsePacsArgs(argv);
    if (a.command === 'help') {
      process.stdout.write(PACS_USAGE + '\n');
      return 0;
    }
    const settings: PacsSettings | undefined = settingsFrom(a.config);
    const node: PacsNode = resolveNode(a.node!, settings);
    const o = optionsFrom(settings, a.aet ? { localAeTitle: checkAeTitle(a.aet, '--aet') } : {});
    const modality = a.modality === 'any' ? undefined : (a.modality ?? 'MR');
    switch (a.command) {
      case 'echo': {
        const r = await echo(node, o);
        out(a, { node: a.node, ok: true, ms: Math.round(r.ms) }, [`C-ECHO ${a.node}: ok in ${r.ms.toFixed(0)} ms`]);
        return 0;
      }
      case 'find': {
        if (a.study) {
          const series = await findSeries(node, a.study, { ...o, modality });
          out(a, { series }, ['series UID\tmodality\tnumber\timages\tdescription', ...series.map((s) => [s.seriesInstanceUid, s.modality, s.seriesNumber ?? '', s.instanceCount ?? '?', s.seriesDescription].join('\t'))]);
          return 0;
        }
        const studies = await findStudies(node, { ...a.query, modality }, o);
        out(
          a,
          { studies },
          [
            ...(studies.length ? ['study UID\tdate\tpatient ID\tpatient name\tmodalities\tseries\timages\taccession\tdescription'] : []),
            ...studies.map((s) => [s.studyInstanceUid, s.studyDate, s.patientId, s.patientName, s.modalities.join('/'), `${s.seriesCount ?? '?'} series`, `${s.instanceCount ?? '?'} images`, s.accessionNumber, s.studyDescription].join('\t')),
          ],
        );
        if (!a.json && studies.length === 0) process.stderr.write('no matching study\n');
        return 0;
      }
      case 'get': {
        const cache = path.resolve(a.cache ?? settings?.cacheDir ?? defaultCacheDir());
        // a node with "retrieve": "move" is retrieved by C-MOVE to our storage SCP (settings storageScp)
        const move = node.retrieve === 'move' ? settings?.storageScp : undefined;
        const r = await retrieve(node, { studyInstanceUid: a.study!, seriesInstanceUid: a.series, modality: a.series ? undefined : modality }, cache, {
          ...o,
          onProgress: a.json ? undefined : progressPrinter('received'),
          ...(move ? { move } : {}),
        });
        out(a, r, [...r.series.map((s) => `${s.dir}\t${s.instances} instance(s)`), `retrieved ${r.series.length} series in ${(r.ms / 1000).toFixed(1)} s`]);
        return 0;
      }
      case 'send': {
        const s = await sendFiles(a.node!, filesOf(a.paths), { node, json: a.json, settingsFile: a.config, localAeTitle: a.aet });
        out(a, s, [`sent ${s.stored} of ${s.total} instance(s) to ${s.node} in ${s.seconds.toFixed(1)} s`]);
        if (s.failures.length > 0) {
          process.stderr.write(failureLines(s).join('\n') + '\n');
          return 1;
        }
        return 0;
      }
    }
    return 2;
  } catch (e) {
    const err = toFlatError(e, 'network');
    process.stderr.write(`error: ${err.message.split('\n')[0]}\n`);
    return err.code === 'invalid-request' ? 2 : 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  pacsMain(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.stderr.write('error: the PACS command failed unexpectedly.\n');
      process.exitCode = 1;
    },
  );
}
