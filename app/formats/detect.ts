// Format detection: magic bytes first, the file name only where a format has no magic (BART cfl).
import type { FormatId } from '../core/types';

export type DetectedFormat = FormatId | 'hdf5' | 'cfl-header' | 'unknown';

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));
}

/**
 * What a file is, from its first bytes (≥ 352 are enough) and its name. 'hdf5' is refined to
 * fastMRI or ISMRMRD after opening; 'cfl-header' is the text half of a BART pair.
 */
export function detectFormat(name: string, head: Uint8Array): DetectedFormat {
  const lower = name.toLowerCase();
  if (startsWith(head, HDF5_MAGIC)) return 'hdf5';
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy'; // \x93NUMPY
  if (ascii(head, 128, 132) === 'DICM') return 'dicom';
  if (startsWith(head, [0x1f, 0x8b])) return lower.endsWith('.nii.gz') || lower.endsWith('.gz') ? 'nifti' : 'unknown';
  if (head.length >= 348) {
    const magic = ascii(head, 344, 348);
    if (magic === 'n+1\0' || magic === 'ni1\0') return 'nifti';
    const le = head[0] === 0x5c && head[1] === 0x01 && head[2] === 0 && head[3] === 0; // sizeof_hdr 348
    const be = head[0] === 0 && head[1] === 0 && head[2] === 0x01 && head[3] === 0x5c;
    if ((le || be) && lower.endsWith('.nii')) return 'nifti';
  }
  if (ascii(head, 0, 12) === '# Dimensions') return 'cfl-header';
  if (lower.endsWith('.cfl')) return 'cfl';
  if (lower.endsWith('.nii')) return 'nifti';
  // DICOM without the Part 10 preamble: group 0x0008 (or 0x0002) little-endian first tag
  if (lower.endsWith('.dcm') || lower.endsWith('.ima')) return 'dicom';
  if (head.length >= 8 && head[0] === 0x08 && head[1] === 0x00 && head[3] === 0x00) return 'dicom';
  return 'unknown';
}
