// DICOM export from the viewer, end to end: Debian Chromium against the real Node host (worker,
// model, bundled sample), the host's export area a temp folder. The reader opens the dialog with
// E, exports the final image of every slice to a new folder, sees the progress and the result;
// the files are a valid MR series (dciodvfy, when installed) in the units the viewer shows; a
// second export into the same folder is refused with one sentence. Screenshots in e2e/artifacts/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { REPO_ROOT, startRealHost, type RunningHost } from './host';
import { waitForImage, waitForRunEnd } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');
const DCIODVFY = '/usr/bin/dciodvfy';

let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let area = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  area = mkdtempSync(join(tmpdir(), 'flat-e2e-exports-'));
  host = await startRealHost({ exportArea: area });
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(host.url);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('DICOM export from the viewer (Chromium + real Node host)', () => {
  let slices = 0;
  let shownWindow = { width: 0, center: 0 };

  it('shows the sample with its window in display units (fixed scale, peak 4000)', async () => {
    await waitForImage(page);
    const end = await waitForRunEnd(page);
    expect(end, `the first run did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    const wl = page.locator('[data-testid="wl-step"]');
    shownWindow = { width: Number(await wl.getAttribute('data-ww')), center: Number(await wl.getAttribute('data-wc')) };
    expect(shownWindow.width).toBeGreaterThan(100); // not normalised 0…1 units any more
    expect(shownWindow.center + shownWindow.width / 2).toBeLessThan(4600);
    slices = Number(/\/ (\d+)/.exec(await page.locator('[data-testid="study-panel"]').innerText())![1]);
    expect(slices).toBeGreaterThan(1);
  });

  it('E opens the export dialog; exporting every slice shows progress and the result', async () => {
    await page.keyboard.press('e');
    const dialog = page.locator('[data-testid="export-dialog"]');
    await expect.poll(() => dialog.count()).toBe(1);
    expect(await page.locator('[data-testid="export-area"]').innerText()).toBe(area);
    expect(await page.locator('[data-testid="export-units"]').innerText()).toContain('fixed scale');
    await page.locator('[data-testid="export-step-final"]').check();
    await page.locator('[data-testid="export-scope-series"]').check();
    await page.locator('[data-testid="export-body-part"]').selectOption('BRAIN');
    await page.locator('[data-testid="export-folder"]').fill('sample series');
    await page.screenshot({ path: join(ARTIFACTS, 'export-1-dialog.png') });
    await page.locator('[data-testid="export-start"]').click();
    await expect.poll(() => page.locator('[data-testid="export-progress"]').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'export-2-progress.png') });
    const result = page.locator('[data-testid="export-result"]');
    await expect.poll(() => result.count(), { timeout: 180_000 }).toBe(1);
    expect(await result.innerText()).toContain(`Wrote ${slices} image(s), “FLAT final (research)”, to sample series`);
    await page.screenshot({ path: join(ARTIFACTS, 'export-3-done.png') });
  });

  it('the folder holds a valid MR series in the viewer units, with the viewer window', () => {
    const folder = join(area, 'sample series');
    const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort();
    expect(files).toHaveLength(slices);
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(join(folder, f)));
      const ds = dicomParser.parseDicom(bytes);
      expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.4');
      expect(ds.elements.x00281053).toBeUndefined();
      expect(ds.uint16('x00280101')).toBe(12);
      expect(Number(ds.string('x00281051'))).toBeCloseTo(shownWindow.width, 3);
      expect(Number(ds.string('x00281050'))).toBeCloseTo(shownWindow.center, 3);
      expect(ds.string('x00180015')).toBe('BRAIN');
      expect(ds.elements.x00200060).toBeUndefined(); // unpaired body part: no laterality
      expect(ds.string('x00204000')).toMatch(/^RESEARCH USE ONLY/);
      if (existsSync(DCIODVFY)) {
        const r = spawnSync(DCIODVFY, [join(folder, f)], { encoding: 'utf8' });
        expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
      }
    }
  });

  it('a second export into the same folder is refused in one sentence; Escape closes the dialog', async () => {
    await page.locator('[data-testid="export-scope-slice"]').check();
    await page.locator('[data-testid="export-start"]').click();
    const error = page.locator('[data-testid="export-error"]');
    await expect.poll(() => error.count(), { timeout: 60_000 }).toBe(1);
    expect(await error.innerText()).toMatch(/already holds files.*choose a new folder/);
    await page.screenshot({ path: join(ARTIFACTS, 'export-4-refused.png') });
    expect(readdirSync(join(area, 'sample series'))).toHaveLength(slices);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="export-dialog"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
