// The data plane seen from the page (Chromium + real Node host, data-plane process and model): a
// 50 MB HDF5 file (64 Colin27 slices, app/test/fixtures-scripts/make_large_h5.py) chosen in the file
// input streams to the host and is parsed in the data plane while the reader keeps moving the step
// slider: every move is drawn during the load, the study then opens and reconstructs, and its
// staged upload copy is removed when the host closes. Timings are the bench's (bench/data-plane.ts).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { largeStudy } from '../app/test/helpers';
import { launchBrowser } from './browser';
import { REPO_ROOT, startRealHost, type RunningHost } from './host';
import { canvasStats, inPage, SWITCH_UNTIL_OPEN, waitForPageCondition, waitForRunEnd, waitForStatus } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');
let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

/** The host's private upload folder holding the staged copy of the large file (null if none). */
function stagedCopy(): string | null {
  for (const n of readdirSync(tmpdir()).filter((d) => d.startsWith('flat-uploads-'))) {
    const root = join(tmpdir(), n);
    try {
      for (const set of readdirSync(root)) {
        if (set.startsWith('set-') && readdirSync(join(root, set)).includes('00000-large_colin27_fastmri.h5')) return root;
      }
    } catch {
      // another host's folder, gone meanwhile
    }
  }
  return null;
}
let staged: string | null = null;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  largeStudy(); // generated once (cached by script version) before the clock of any test starts
  host = await startRealHost();
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(host.url);
  await waitForStatus(page, ['done'], 180_000);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('a 50 MB file opens in the data plane while the viewer keeps responding', () => {
  it('moves through the trajectory during the load, then shows the new study', async () => {
    const text = await page.locator('[data-testid="progress"]').innerText();
    const steps = Number(/step \d+\/(\d+)/.exec(text)?.[1]);
    expect(steps).toBeGreaterThan(0);
    const switching = inPage<number[]>(page, SWITCH_UNTIL_OPEN, { name: 'large_colin27_fastmri.h5', steps });
    await page.locator('[data-testid="file-input"]').setInputFiles(largeStudy());
    const switches = await switching;
    // the slider was moved and every move was drawn while the 50 MB file was uploaded and parsed
    expect(switches.length).toBeGreaterThanOrEqual(3);
    expect(switches.every((ms) => Number.isFinite(ms))).toBe(true);
    const panel = await page.locator('[data-testid="study-panel"]').innerText();
    expect(panel).toContain('large_colin27_fastmri.h5');
    expect(panel).toMatch(/\b64\b/);
    // the staged copy lives in the host's private upload folder (0700) while the study is open
    staged = stagedCopy();
    expect(staged).not.toBeNull();
    expect(statSync(staged!).mode & 0o777).toBe(0o700);
    // the new study's own run ends at its last step (its slice readout says 64 slices)
    await waitForPageCondition(
      page,
      `(() => {
        const status = document.querySelector('[data-testid="progress"]')?.getAttribute('data-status');
        const slices = document.querySelector('[data-testid="slice-readout"]')?.textContent ?? '';
        const step = document.querySelector('[data-testid="step-readout"]')?.textContent ?? '';
        return (status === 'done' || status === 'error') && /\\/ 64$/.test(slices.trim()) && step.includes('step ${steps}/${steps}');
      })()`,
      180_000,
      'the run on the large study to end',
    );
    const end = await waitForRunEnd(page, 1000);
    expect(end, `the run on the large study did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    expect((await canvasStats(page))!.std).toBeGreaterThan(8);
    await page.screenshot({ path: join(ARTIFACTS, 'data-plane-50mb-open.png') });
  }, 300_000);

  it('removes the staged upload when the host closes', async () => {
    expect(staged && existsSync(staged)).toBe(true);
    await browser.close();
    await host.close();
    expect(existsSync(staged!)).toBe(false);
  }, 60_000);
});
