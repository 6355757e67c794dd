// UI latency in Debian Chromium against the real Node host (real worker, model and sample):
//  - open-to-first-image: "Sample" click → first non-blank cornerstone render of the new study;
//  - step switch: slider input → cornerstone's image-rendered event for the new step;
//  - step switch with the model-contribution pane on: the renderer's own marks (renderer/src/perf.ts)
//    from the slider's input handler to both the step and the contribution pane drawn;
//  - scrolling to a cached slice: the renderer's marks from the slice change (↓/↑ key) to the step
//    pane drawing that slice's final step, with every slice involved already in the result cache.
// All timed inside the page (performance.now / user-timing marks); medians (and p95) over ≥ 10 or ≥ 30.
import type { Page } from 'playwright-core';
import { launchBrowser } from '../e2e/browser';
import { startRealHost } from '../e2e/host';
import { inPage, STEP_SWITCH_MS, waitForStatus } from '../e2e/page-probes';

export interface UiBenchResult {
  name: string;
  value: number;
  unit: string;
  target: string;
  note?: string;
}

const OPEN_REPS = 10;
const SWITCH_REPS = 30;
const SCROLL_REPS = 30;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const v = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return Math.round(v * 10) / 10;
}

/** The 95th percentile (nearest rank). */
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]! * 10) / 10;
}

// Slider input → step and contribution panes drawn, from the app's own marks (renderer/src/perf.ts);
// the drawn images must be step k's.
const STEP_SWITCH_WITH_CONTRIBUTION_MS = `(k) => new Promise((resolve, reject) => {
  const slider = document.querySelector('[data-testid="step-slider"]');
  if (!slider) return reject(new Error('no step slider'));
  const timer = setTimeout(() => reject(new Error('no step and contribution render within 10 s')), 10000);
  slider.value = String(k);
  slider.dispatchEvent(new Event('input', { bubbles: true }));
  const look = () => {
    const input = performance.getEntriesByName('flat:input:step', 'mark').at(-1);
    const after = (name, ok) => input && performance.getEntriesByName(name, 'mark').find((m) => m.startTime >= input.startTime && ok(String(m.detail)));
    const step = after('flat:drawn:step', (id) => id.endsWith('/' + k));
    const contribution = after('flat:drawn:contribution', (id) => id.includes('/' + k + '/contrib'));
    if (step && contribution) {
      clearTimeout(timer);
      resolve(Math.max(step.startTime, contribution.startTime) - input.startTime);
    } else setTimeout(look, 2);
  };
  look();
})`;

// ↓ or ↑ → the step pane draws the final step of the slice moved to (shown from the result cache).
const SCROLL_TO_CACHED_MS = `({ key, finalStep }) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the cached slice was not drawn within 10 s')), 10000);
  window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  const look = () => {
    const input = performance.getEntriesByName('flat:input:slice', 'mark').at(-1);
    const drawn = input && performance.getEntriesByName('flat:drawn:step', 'mark').find((m) => m.startTime >= input.startTime && String(m.detail).endsWith('/' + finalStep));
    if (drawn) {
      clearTimeout(timer);
      const status = document.querySelector('[data-testid="progress"]');
      if (!/cached/.test(status ? status.textContent : '')) return reject(new Error('the slice was not shown from the cache'));
      resolve(drawn.startTime - input.startTime);
    } else setTimeout(look, 2);
  };
  look();
})`;

// Click "Sample" and time until the step pane renders a non-blank image with a new image id.
const OPEN_TO_FIRST_IMAGE_MS = `() => new Promise((resolve, reject) => {
  const el = document.querySelector('[data-testid="viewport-step"]');
  const button = document.querySelector('[data-testid="open-sample"]');
  if (!el || !button) return reject(new Error('no viewport or sample button'));
  const before = el.getAttribute('data-image-id');
  const timer = setTimeout(() => reject(new Error('no image within 60 s')), 60000);
  const onRender = () => {
    if (el.getAttribute('data-image-id') === before) return;
    const canvas = el.querySelector('canvas');
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let s = 0, s2 = 0, n = 0;
    for (let i = 0; i < d.length; i += 64) { s += d[i]; s2 += d[i] * d[i]; n++; }
    const m = s / n;
    if (Math.sqrt(Math.max(0, s2 / n - m * m)) < 4) return;
    clearTimeout(timer);
    el.removeEventListener('cornerstoneimagerendered', onRender);
    resolve(performance.now() - t0);
  };
  el.addEventListener('cornerstoneimagerendered', onRender);
  const t0 = performance.now();
  button.click();
})`;

async function stepCount(page: Page): Promise<number> {
  const text = await page.locator('[data-testid="progress"]').innerText();
  return Number(/step \d+\/(\d+)/.exec(text)?.[1] ?? NaN);
}

export async function runUiBench(): Promise<UiBenchResult[]> {
  const host = await startRealHost();
  const browser = await launchBrowser();
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(host.url);
    await waitForStatus(page, ['done'], 180_000);

    const open: number[] = [];
    for (let i = 0; i < OPEN_REPS; i++) {
      open.push(await inPage<number>(page, OPEN_TO_FIRST_IMAGE_MS));
      // Let the run of that open finish so every repetition starts from the same idle state.
      await waitForStatus(page, ['done'], 180_000);
    }

    const n = await stepCount(page);
    if (!(n >= 1)) throw new Error('the run reported no steps');
    // the neighbours' background runs would share the CPU with the timings below: let them finish
    await page.locator('[data-testid="neighbours"][data-status="done"]').waitFor({ timeout: 180_000 });
    const switches: number[] = [];
    let k = n;
    for (let i = 0; i < SWITCH_REPS; i++) {
      k = k === 0 ? n : k - 1; // walk the trajectory: every switch shows a different step
      switches.push(await inPage<number>(page, STEP_SWITCH_MS, k));
    }

    // the same walk with the model-contribution pane beside the step pane
    await page.locator('[data-testid="contribution-toggle"]').click();
    await page.locator('[data-testid="viewport-contribution"]').waitFor();
    const withContribution: number[] = [];
    for (let i = 0; i < SWITCH_REPS; i++) {
      k = k === 0 ? n : k - 1;
      withContribution.push(await inPage<number>(page, STEP_SWITCH_WITH_CONTRIBUTION_MS, k));
    }
    await page.locator('[data-testid="contribution-toggle"]').click();

    // back and forth between the middle slice and the next one: both, and their neighbours, are cached
    const scroll: number[] = [];
    for (let i = 0; i < SCROLL_REPS; i++) {
      scroll.push(await inPage<number>(page, SCROLL_TO_CACHED_MS, { key: i % 2 === 0 ? 'ArrowDown' : 'ArrowUp', finalStep: n }));
    }

    return [
      { name: 'ui.open_to_first_image_ms', value: median(open), unit: 'ms', target: '≤ 300 ms (Chromium, Node host, sample)' },
      { name: 'ui.step_switch_ms', value: median(switches), unit: 'ms', target: '≤ 16 ms (slider → rendered)' },
      { name: 'ui.step_switch_with_contribution_ms (median)', value: median(withContribution), unit: 'ms', target: '≤ 16 ms (slider input → step and contribution panes drawn)', note: `n = ${withContribution.length}` },
      { name: 'ui.step_switch_with_contribution_ms (p95)', value: p95(withContribution), unit: 'ms', target: '≤ 16 ms', note: `n = ${withContribution.length}` },
      { name: 'ui.scroll_to_cached_slice_ms (median)', value: median(scroll), unit: 'ms', target: '≤ 50 ms (slice change → final image drawn)', note: `n = ${scroll.length}` },
      { name: 'ui.scroll_to_cached_slice_ms (p95)', value: p95(scroll), unit: 'ms', target: '≤ 50 ms', note: `n = ${scroll.length}` },
    ];
  } finally {
    await browser.close();
    await host.close();
  }
}
