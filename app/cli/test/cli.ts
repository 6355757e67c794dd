// Spawns the real CLI (`npx tsx app/cli/recon.ts`) the way a user runs it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, TEST_MODEL } from '../../test/helpers';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 120_000): CliRun {
  const modelArgs = TEST_MODEL.name === 'flat' && !process.env.FLAT_TEST_MODEL_DIR ? [] : ['--model', TEST_MODEL.name, '--model-dir', TEST_MODEL.dir];
  const r = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'app/cli/recon.ts'), ...modelArgs, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
