// Command-line parsing for `npm run recon`. Strict: unknown flags and bad values are a FlatError
// ('invalid-request') with one sentence, so a typo never silently changes the reconstruction.

import { FlatError } from '../core/errors';
import type { MaskSpec } from '../core/types';
import { defaultCenterFraction } from '../masks';

export interface ReconArgs {
  input: string;
  out: string;
  mask: MaskSpec;
  maskFile?: string;
  json: boolean;
  allSteps: boolean;
  slices?: number[];
  exportDicom?: string;
  /** C-STORE the exported series to this PACS node (AET@HOST:PORT or a settings node name) */
  send?: string;
  pacsConfig?: string;
  model: string;
  modelDir?: string;
  content?: 'kspace' | 'image';
  threads?: number;
  help: boolean;
}

export const USAGE = `usage: npm run recon -- --input FILE|DIR --out DIR [options]
  --acceleration N        retrospective acceleration (default 4)
  --center-fraction F     fully sampled centre fraction (default 0.08 at 4x, 0.04 at 8x)
  --mask random|equispaced  mask kind (default random)
  --seed N                mask seed (default 0)
  --mask-file M.npy       use this mask instead ((W,) or (H, W); non-zero = sampled)
  --slices 0,1            reconstruct only these slices (default all)
  --all-steps             also write every state of the trajectory
  --export-dicom DIR      write the final images as a derived DICOM series
  --send AET@HOST:PORT    C-STORE that series to a PACS (or a node name from --pacs-config /
                          $FLAT_PACS_CONFIG); exit 0 only when every instance was stored
  --pacs-config FILE      PACS settings JSON (nodes, local AE title, timeouts, retries)
  --model NAME            model in resources/models (default flat)
  --model-dir DIR         folder holding the model files (default resources/models)
  --content kspace|image  what a .npy/.cfl array holds, when it cannot be detected
  --threads N             onnxruntime intra-op threads (default: cores, at most 4)
  --json                  print one JSON object on stdout
writes, per slice NNN: sliceNNN_final.npy (complex64, rows x cols) and sliceNNN_final.png (magnitude,
display crop, auto-windowed); with --all-steps also sliceNNN_steps.npy (complex64, steps+1 x rows x cols)
and sliceNNN_stepKK.png (K = 0 zero-filled … N final, one window per slice)`;

function bad(message: string): FlatError {
  return new FlatError('invalid-request', message);
}

function num(flag: string, v: string | undefined): number {
  if (v === undefined || v.startsWith('--')) throw bad(`${flag} needs a value.`);
  const n = Number(v);
  if (!Number.isFinite(n) || v.trim() === '') throw bad(`${flag} must be a number, got "${v}".`);
  return n;
}

function str(flag: string, v: string | undefined): string {
  if (v === undefined || v.startsWith('--') || v === '') throw bad(`${flag} needs a value.`);
  return v;
}

export function parseReconArgs(argv: string[]): ReconArgs {
  let input: string | undefined;
  let out: string | undefined;
  let acceleration = 4;
  let centerFraction: number | undefined;
  let kind: MaskSpec['kind'] = 'random';
  let seed = 0;
  const a: Partial<ReconArgs> = { json: false, allSteps: false, model: 'flat', help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--input':
        input = str(name, value());
        break;
      case '--out':
        out = str(name, value());
        break;
      case '--acceleration':
        acceleration = num(name, value());
        break;
      case '--center-fraction':
        centerFraction = num(name, value());
        break;
      case '--mask': {
        const v = str(name, value());
        if (v !== 'random' && v !== 'equispaced') throw bad(`--mask must be random or equispaced, got "${v}".`);
        kind = v;
        break;
      }
      case '--seed':
        seed = num(name, value());
        break;
      case '--mask-file':
        a.maskFile = str(name, value());
        break;
      case '--slices': {
        const v = str(name, value());
        const list = v.split(',').map((s) => s.trim());
        if (list.some((s) => !/^\d+$/.test(s))) throw bad(`--slices must be a comma-separated list of slice numbers, got "${v}".`);
        a.slices = [...new Set(list.map(Number))];
        break;
      }
      case '--export-dicom':
        a.exportDicom = str(name, value());
        break;
      case '--send':
        a.send = str(name, value());
        break;
      case '--pacs-config':
        a.pacsConfig = str(name, value());
        break;
      case '--model':
        a.model = str(name, value());
        break;
      case '--model-dir':
        a.modelDir = str(name, value());
        break;
      case '--content': {
        const v = str(name, value());
        if (v !== 'kspace' && v !== 'image') throw bad(`--content must be kspace or image, got "${v}".`);
        a.content = v;
        break;
      }
      case '--threads': {
        const t = num(name, value());
        if (!Number.isInteger(t) || t < 1 || t > 64) throw bad('--threads must be an integer from 1 to 64.');
        a.threads = t;
        break;
      }
      case '--json':
        a.json = true;
        break;
      case '--all-steps':
        a.allSteps = true;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        throw bad(`Unknown option "${flag}" (see --help).`);
    }
  }
  if (a.help) return { ...(a as ReconArgs), input: input ?? '', out: out ?? '', mask: { kind, acceleration, centerFraction: 0, seed } };
  if (!input) throw bad('--input is required (a file or a folder of DICOM files).');
  if (!out) throw bad('--out is required (the folder for the results).');
  if (a.send && !a.exportDicom) throw bad('--send needs --export-dicom DIR (the series to send).');
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw bad('--seed must be an integer from 0 to 4294967295.');
  return {
    ...(a as ReconArgs),
    input,
    out,
    mask: { kind, acceleration, centerFraction: centerFraction ?? defaultCenterFraction(acceleration), seed },
  };
}
