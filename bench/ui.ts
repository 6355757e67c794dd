// UI latency in Debian Chromium against the real Node host (real worker, model and sample):
//  - open-to-first-image: "Sample" click → first non-blank cornerstone render of the new study;
//  - step switch: slider input → cornerstone's image-rendered event for the new step.
// Both timed inside the page (performance.now), medians over ≥ 10 repetitions.
import type { Page } from 'playwright-core';
import { launchBrowser } from '../e2e/browser';
import { startRealHost } from '../e2e/host';
import { inPage, STEP_SWITCH_MS, waitForStatus } from '../e2e/page-probes';

export interface UiBenchResult {
  name: string;
  value: number;
  unit: string;
  target: string;
}

const OPEN_REPS = 10;
const SWITCH_REPS = 30;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const v = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return Math.round(v * 10) / 10;
}

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
    const switches: number[] = [];
    let k = n;
    for (let i = 0; i < SWITCH_REPS; i++) {
      k = k === 0 ? n : k - 1; // walk the trajectory: every switch shows a different step
      switches.push(await inPage<number>(page, STEP_SWITCH_MS, k));
    }

    return [
      { name: 'ui.open_to_first_image_ms', value: median(open), unit: 'ms', target: '≤ 300 ms (Chromium, Node host, sample)' },
      { name: 'ui.step_switch_ms', value: median(switches), unit: 'ms', target: '≤ 16 ms (slider → rendered)' },
    ];
  } finally {
    await browser.close();
    await host.close();
  }
}
