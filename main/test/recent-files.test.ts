import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT, RecentFiles, recentLabel } from '../common/recent-files';

describe('recent files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flat-recent-'));

  it('persists newest first, without duplicates, capped', () => {
    const file = path.join(dir, 'a', 'recent-files.json');
    const r = new RecentFiles(file);
    expect(r.list()).toEqual([]);
    for (let i = 0; i < MAX_RECENT + 3; i++) r.add([`/data/s${i}.h5`]);
    r.add(['/data/s5.h5']);
    const again = new RecentFiles(file).list();
    expect(again).toHaveLength(MAX_RECENT);
    expect(again[0]!.paths).toEqual(['/data/s5.h5']);
    expect(again.filter((e) => e.paths[0] === '/data/s5.h5')).toHaveLength(1);
    expect(again[1]!.paths).toEqual([`/data/s${MAX_RECENT + 2}.h5`]);
    expect(recentLabel({ paths: ['/d/IM1.dcm', '/d/IM2.dcm', '/d/IM3.dcm'], openedAt: '' })).toBe('IM1.dcm + 2 more');
  });

  it('treats a damaged or foreign file as empty and drops bad entries', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{not json');
    expect(new RecentFiles(file).list()).toEqual([]);
    writeFileSync(file, JSON.stringify([{ paths: ['relative/x.h5'], openedAt: 'x' }, { paths: [42] }, { paths: ['/ok.h5'], openedAt: 't' }, 'junk']));
    expect(new RecentFiles(file).list()).toEqual([{ paths: ['/ok.h5'], openedAt: 't' }]);
  });
});
