// Reading the rendered page back from Node: canvas pixels, overlay values, run status. The probes
// run as page scripts given as strings because the node-side tsconfig has no DOM types.
import type { Page } from 'playwright-core';

export type PaneKind = 'zero' | 'step' | 'reference' | 'error' | 'contribution';

export interface CanvasStats {
  width: number;
  height: number;
  mean: number;
  std: number;
  /** Luminance sampled on a coarse grid, for image-to-image differences. */
  samples: number[];
}

export function inPage<T>(page: Page, fnSource: string, arg: unknown = null): Promise<T> {
  return page.evaluate(`(${fnSource})(${JSON.stringify(arg)})`) as Promise<T>;
}

const CANVAS_STATS = `(kind) => {
  const canvas = document.querySelector('[data-testid="viewport-' + kind + '"] canvas');
  if (!canvas || !canvas.width || !canvas.height) return null;
  const ctx = canvas.getContext('2d');
  const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0, sum2 = 0, n = 0;
  const samples = [];
  const stride = 4;
  for (let y = 0; y < height; y += stride) {
    for (let x = 0; x < width; x += stride) {
      const i = (y * width + x) * 4;
      const l = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += l; sum2 += l * l; n++;
      samples.push(Math.round(l));
    }
  }
  const mean = sum / n;
  return { width, height, mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), samples };
}`;

export async function canvasStats(page: Page, kind: PaneKind = 'step'): Promise<CanvasStats | null> {
  return inPage<CanvasStats | null>(page, CANVAS_STATS, kind);
}

/** Mean absolute luminance difference between two renders of the same canvas size. */
export function meanAbsDiff(a: CanvasStats, b: CanvasStats): number {
  if (a.samples.length !== b.samples.length) return Infinity;
  let s = 0;
  for (let i = 0; i < a.samples.length; i++) s += Math.abs(a.samples[i]! - b.samples[i]!);
  return s / a.samples.length;
}

/** Window width/centre shown on a pane's overlay (float units), with the overlay text. */
export async function readWindow(page: Page, kind: PaneKind = 'step'): Promise<{ width: number; center: number; text: string }> {
  const loc = page.locator(`[data-testid="wl-${kind}"]`);
  const [ww, wc, text] = await Promise.all([loc.getAttribute('data-ww'), loc.getAttribute('data-wc'), loc.innerText()]);
  return { width: Number(ww), center: Number(wc), text };
}

export async function runStatus(page: Page): Promise<string> {
  return (await page.locator('[data-testid="progress"]').getAttribute('data-status')) ?? '';
}

/** Waits until the step viewport shows a non-blank image. */
export async function waitForImage(page: Page, timeoutMs = 60_000, minStd = 8): Promise<CanvasStats> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await canvasStats(page);
    if (s && s.std > minStd) return s;
    if (Date.now() > end) throw new Error(`no non-blank image within ${timeoutMs} ms (last std ${s?.std ?? 'n/a'})`);
    await page.waitForTimeout(100);
  }
}

/**
 * Waits for the current run to end and returns its status; a banner without a run (no model, a
 * failed open) ends the wait too, so failures say why instead of timing out.
 */
export async function waitForRunEnd(page: Page, timeoutMs = 120_000): Promise<{ status: string; banner: string }> {
  await page.waitForSelector(
    '[data-testid="progress"][data-status="done"], [data-testid="progress"][data-status="error"], [data-testid="progress"][data-status="cancelled"], [data-testid="error-banner"]',
    { timeout: timeoutMs },
  );
  const banner = page.locator('[data-testid="error-banner"]');
  return { status: await runStatus(page), banner: (await banner.count()) ? await banner.innerText() : '' };
}

export async function waitForStatus(page: Page, statuses: string[], timeoutMs = 90_000): Promise<string> {
  const sel = statuses.map((s) => `[data-testid="progress"][data-status="${s}"]`).join(', ');
  await page.waitForSelector(sel, { timeout: timeoutMs });
  return runStatus(page);
}

/** Page-side timing of one slider move: input event → cornerstone's image-rendered event. */
export const STEP_SWITCH_MS = `(k) => new Promise((resolve, reject) => {
  const slider = document.querySelector('[data-testid="step-slider"]');
  const el = document.querySelector('[data-testid="viewport-step"]');
  if (!slider || !el) return reject(new Error('no slider or viewport'));
  const timer = setTimeout(() => reject(new Error('no render within 10 s')), 10000);
  const t0 = performance.now();
  el.addEventListener('cornerstoneimagerendered', () => { clearTimeout(timer); resolve(performance.now() - t0); }, { once: true });
  slider.value = String(k);
  slider.dispatchEvent(new Event('input', { bubbles: true }));
})`;

/**
 * In the page: move the step slider again and again (input → cornerstone render, each timed) until
 * the study panel names the new file; resolves with the switch times.
 */
export const SWITCH_UNTIL_OPEN = `({ name, steps }) => new Promise((resolve, reject) => {
  const slider = document.querySelector('[data-testid="step-slider"]');
  const el = document.querySelector('[data-testid="viewport-step"]');
  const panel = document.querySelector('[data-testid="study-panel"]');
  if (!slider || !el || !panel) return reject(new Error('no slider, viewport or study panel'));
  const times = [];
  const started = performance.now();
  let k = steps;
  const next = () => {
    if (panel.textContent.includes(name)) return resolve(times);
    if (performance.now() - started > 180000) return reject(new Error('the file did not open within 180 s'));
    k = k === 0 ? steps : k - 1;
    const t0 = performance.now();
    const timer = setTimeout(() => reject(new Error('no render within 10 s')), 10000);
    el.addEventListener('cornerstoneimagerendered', () => {
      clearTimeout(timer);
      times.push(performance.now() - t0);
      setTimeout(next, 5);
    }, { once: true });
    slider.value = String(k);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  };
  next();
})`;

/**
 * Every visible text on the page (dialogs included): the smallest font size and the worst contrast
 * against the nearest opaque background (panes count as black), each with where it was found.
 */
export const TEXT_AUDIT = `() => {
  const parse = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null; const p = m[1].split(',').map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const backdrop = (el) => { for (let e = el; e; e = e.parentElement) { const b = parse(getComputedStyle(e).backgroundColor); if (b && b.a > 0.5) return b; if (e.classList && e.classList.contains('pane')) return { r: 0, g: 0, b: 0, a: 1 }; } return { r: 17, g: 18, b: 19, a: 1 }; };
  let minFont = Infinity, minFontAt = '', worst = Infinity, worstAt = '';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || el.closest('.sr-only') || el.closest('option')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || el.closest('[disabled], fieldset:disabled, button:disabled')) continue;
    let op = 1; for (let e = el; e; e = e.parentElement) op *= Number(getComputedStyle(e).opacity);
    if (op < 0.99) continue;
    const size = parseFloat(cs.fontSize);
    const label = (el.getAttribute('data-testid') || el.className || el.tagName) + ': ' + n.textContent.trim().slice(0, 30);
    if (size < minFont) { minFont = size; minFontAt = label; }
    const fg = parse(el instanceof SVGElement ? cs.fill : cs.color); const bg = backdrop(el);
    if (!fg) continue;
    const L1 = lum(fg), L2 = lum(bg);
    const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    if (ratio < worst) { worst = ratio; worstAt = label + ' ' + cs.color; }
  }
  return { minFont, minFontAt, worst, worstAt };
}`;

/**
 * Polls a page expression (source text, run by page.evaluate) until it is truthy. page.waitForFunction
 * with a string would evaluate it inside the page, which the renderer's CSP (no unsafe-eval) refuses.
 */
export async function waitForPageCondition(page: Page, expression: string, timeoutMs = 60_000, what = 'the page condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

/** The id of the run on screen (`data-run` of the progress line; '' before the first). */
export async function runIdNow(page: Page): Promise<string> {
  return (await page.locator('[data-testid="progress"]').getAttribute('data-run')) ?? '';
}

/**
 * Waits for a run other than `previousRun` to end (a new study or slice replaces the run on screen a
 * moment after it shows; the previous run's "done" is not this one's).
 */
export async function waitForNewRunEnd(page: Page, previousRun: string, timeoutMs = 120_000): Promise<{ status: string; banner: string }> {
  await waitForPageCondition(
    page,
    `(() => {
      const p = document.querySelector('[data-testid="progress"]');
      const s = p?.getAttribute('data-status');
      const ended = s === 'done' || s === 'error' || s === 'cancelled' || !!document.querySelector('[data-testid="error-banner"]');
      return ended && p?.getAttribute('data-run') !== ${JSON.stringify(previousRun)};
    })()`,
    timeoutMs,
    'a new run to end',
  );
  return waitForRunEnd(page, 1000);
}
