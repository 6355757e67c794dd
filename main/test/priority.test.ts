// The data plane's priority rule in a process of its own: threads go down to below normal, and a
// thread that already runs lower (a process started at nice 15) is never raised.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_PRIORITY } from '../data-plane/priority';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const priorityModule = pathToFileURL(new URL('../data-plane/priority.ts', import.meta.url).pathname).href;

describe.runIf(process.platform === 'linux')('lowerOwnPriority', () => {
  it('lowers the threads at normal priority and leaves one already lower where it is', () => {
    // The child's main thread starts at nice 15; its other threads (V8's) stay at 0 until lowered.
    const code = `
      import { readdirSync, readFileSync } from 'node:fs';
      import { setPriority } from 'node:os';
      setPriority(0, 15);
      const { lowerOwnPriority } = await import(${JSON.stringify(priorityModule)});
      const changed = lowerOwnPriority();
      const nice = (tid) => { const s = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[16]); };
      const threads = readdirSync('/proc/self/task').map((tid) => ({ tid: Number(tid), nice: nice(tid) }));
      console.log(JSON.stringify({ pid: process.pid, changed, threads }));`;
    const out = execFileSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], { encoding: 'utf8' });
    const { pid, changed, threads } = JSON.parse(out.trim().split('\n').pop()!) as { pid: number; changed: number; threads: { tid: number; nice: number }[] };
    expect(threads.find((t) => t.tid === pid)?.nice).toBe(15);
    const others = threads.filter((t) => t.tid !== pid);
    const lowered = others.filter((t) => t.nice === BACKGROUND_PRIORITY);
    expect(lowered.length).toBeGreaterThan(0);
    expect(changed).toBe(lowered.length);
    // a thread the main thread started after it went to 15 inherited 15, and stays there
    for (const t of others) expect([BACKGROUND_PRIORITY, 15]).toContain(t.nice);
  });
});
