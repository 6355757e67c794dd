// Seeded fuzzing with mutations of small real files: truncation, bit flips, overwritten header
// bytes, header fields set to wrong types and huge sizes, NaN/Inf in the data. Every case must end
// in a Study or a FlatError — never another exception, a crash or a hang. FLAT_FUZZ_N sets the
// mutations per format (default 1000). Split over files so vitest runs them in parallel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setHdf5TimeoutBaseMs } from '../h5/wasm';
import { HAVE_PYTHON, fixtures } from './helpers';
import { fuzzHdf5Fixture } from './mutate';

const N = Number(process.env.FLAT_FUZZ_N ?? 1000);
// a hung HDF5 read is abandoned after this; the default (1.5 s) is kinder to loaded machines
setHdf5TimeoutBaseMs(400);

describe.skipIf(!HAVE_PYTHON)('fuzz: fastMRI HDF5 ends in a Study or a FlatError', () => {
  it('fastMRI HDF5 (64×64 crop) — and the module stays usable', async () => {
    const bytes = new Uint8Array(readFileSync(join(fixtures(), 'fuzz_fastmri.h5')));
    const { untyped, study } = await fuzzHdf5Fixture('fastMRI h5', bytes, N, 11, 4096);
    expect(untyped).toEqual([]);
    expect(study.kspace.rows).toBe(64);
  });
});
