// DICOM export from the viewer: a step (or the final image) of one slice or of every slice of an
// open study, as a new derived MR series (app/export/dicom.ts), with progress events.
// Each slice is reconstructed by the inference worker with the viewer's mask (a viewer run that
// supersedes an export run is answered by running that slice again, up to 3 times); the images
// arrive in the study's display units (app/display/units.ts) and are stored as such.
// Where the series goes: Electron asks with the main process's save dialog and passes the chosen
// folder here; the Node host takes a new folder NAME inside its export area. Either way the folder must be new or empty and is
// checked against the study's inputs and the model files (app/export/safe-write.ts OutputGuard).

import path from 'node:path';
import type { ExportRequest, ExportResult, ReconEvent } from '../../app/contract/ipc';
import { FlatError } from '../../app/core/errors';
import { APP_VERSION } from '../../app/core/version';
import { checkExportFolder, exportDicomSeries, makeFolders, realPathOf } from '../../app/export';
import { studyUnits } from '../../app/recon/units';
import type { RunSupervisor } from './run-supervisor';
import type { StudyService } from './study-service';

export interface ExportServiceOptions {
  studies: StudyService;
  inference: RunSupervisor;
  modelDir: string;
  modelName: string;
  /** 'dialog': the host's save dialog chose the folder (Electron); 'folder': a new folder inside exportArea (Node host). */
  target: 'dialog' | 'folder';
  /** Node host: exports go to new folders inside this folder. */
  exportArea?: string;
  /** Progress events (sent on the recon event channel). */
  emit: (event: ReconEvent) => void;
  /** How often a slice superseded by a viewer run is run again. */
  retries?: number;
}

type StepEvent = Extract<ReconEvent, { type: 'step' }>;

export class ExportService {
  private running = false;

  constructor(private readonly o: ExportServiceOptions) {}

  target(): 'dialog' | 'folder' | undefined {
    return this.o.target === 'dialog' ? 'dialog' : this.o.exportArea ? 'folder' : undefined;
  }

  /** `chosen`: the folder the save dialog returned (dialog target; null = the reader cancelled). */
  async export(req: ExportRequest, chosen: string | null = null): Promise<ExportResult | null> {
    if (this.running) throw new FlatError('invalid-request', 'An export is already running; wait for it to finish.');
    this.running = true;
    try {
      return await this.run(req, chosen);
    } finally {
      this.running = false;
    }
  }

  private async run(req: ExportRequest, chosen: string | null): Promise<ExportResult | null> {
    const { studies, inference } = this.o;
    const study = studies.study(req.studyId); // refuses a closed study
    const summary = studies.summary(req.studyId);
    if (req.slice >= summary.slices) throw new FlatError('invalid-request', `Slice ${req.slice} does not exist; the study has ${summary.slices} slice(s).`);
    const status = inference.status();
    if (status.modelError) throw new FlatError(status.modelError.code, status.modelError.message);
    const model = status.model;
    if (!model) throw new FlatError('inference-failed', 'The model is not loaded yet; try the export again in a moment.');
    const nSteps = model.steps;
    const step = req.step === 'final' ? nSteps : req.step;
    if (step > nSteps) throw new FlatError('invalid-request', `Step ${step} does not exist; the model has ${nSteps} steps.`);

    const inputs = [
      ...studies.inputPaths(req.studyId),
      ...[`${this.o.modelName}.json`, `${this.o.modelName}.onnx`, `${this.o.modelName}_step.onnx`].map((f) => path.join(this.o.modelDir, f)),
    ];
    const folder = this.folderFor(req, chosen);
    if (folder === null) return null;
    checkExportFolder(folder.path, inputs); // early: before any reconstruction

    const slices = req.scope === 'series' ? Array.from({ length: summary.slices }, (_, i) => i) : [req.slice];
    const n = summary.displayRows * summary.displayCols;
    const data = new Float32Array(slices.length * n);
    for (const [i, s] of slices.entries()) {
      const img = await this.reconstructStep(req, s, step);
      if (img.length !== n) throw new FlatError('inference-failed', 'The reconstruction returned an image of an unexpected size.');
      data.set(img, i * n);
      this.o.emit({ type: 'export-progress', runId: req.exportId, phase: 'reconstructing', done: i + 1, total: slices.length });
    }
    const stepLabel = step === nSteps ? 'final' : step === 0 ? 'zero-filled' : `step ${step} of ${nSteps}`;
    const files = await exportDicomSeries({
      outDir: folder.path,
      images: { kind: 'real', slices: slices.length, rows: summary.displayRows, cols: summary.displayCols, data },
      units: studyUnits(study),
      stepLabel,
      source: study.dicom,
      sourceSlices: slices,
      sourceName: summary.source,
      inputPaths: inputs,
      model: { name: model.name, sha256: model.sha256 },
      maskDescription: studies.maskDescription(req.studyId, req.mask),
      softwareVersion: APP_VERSION,
      ...(study.pixelSpacingMm ? { pixelSpacingMm: study.pixelSpacingMm } : {}),
      ...(req.window ? { window: req.window } : {}),
      ...(req.bodyPart ? { bodyPart: req.bodyPart } : {}),
      ...(req.laterality ? { laterality: req.laterality } : {}),
      onProgress: (done, total) => this.o.emit({ type: 'export-progress', runId: req.exportId, phase: 'writing', done, total }),
    });
    return { folder: folder.shown, files: files.length, seriesDescription: `FLAT ${stepLabel} (research)` };
  }

  private folderFor(req: ExportRequest, chosen: string | null): { path: string; shown: string } | null {
    if (this.o.target === 'dialog') return chosen ? { path: chosen, shown: chosen } : null;
    const area = this.o.exportArea;
    if (!area) throw new FlatError('invalid-request', 'This host has no export folder configured.');
    if (!req.folderName) throw new FlatError('invalid-request', 'Name the new folder for the exported series.');
    makeFolders(area);
    const target = path.join(area, req.folderName);
    // the name is plain (validated), but the area may hold links: stay inside it
    const real = realPathOf(target);
    if (path.dirname(real) !== realPathOf(area)) throw new FlatError('io', `The folder ${req.folderName} is not inside the export area; choose another name.`);
    return { path: target, shown: req.folderName };
  }

  /** One slice through the worker; the wanted step's image (display units). */
  private async reconstructStep(req: ExportRequest, slice: number, step: number): Promise<Float32Array> {
    const retries = this.o.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.runOnce(req, slice, step);
      if (outcome.image) return outcome.image;
      if (outcome.error) throw outcome.error;
      if (attempt >= retries) throw new FlatError('cancelled', 'The export was interrupted by other reconstructions; please export again.');
    }
  }

  private runOnce(req: ExportRequest, slice: number, step: number): Promise<{ image?: Float32Array; error?: FlatError }> {
    const { studies, inference } = this.o;
    const job = studies.prepareRun(req.studyId, slice, req.mask);
    return new Promise((resolve) => {
      let runId: string | null = null;
      const early: ReconEvent[] = [];
      let image: Float32Array | undefined;
      const onEvent = (ev: ReconEvent): void => {
        if (runId === null) {
          early.push(ev);
          return;
        }
        if (ev.runId !== runId) return;
        if (ev.type === 'step' && ev.step === step) image = (ev as StepEvent).image;
        else if (ev.type === 'done' || ev.type === 'cancelled' || ev.type === 'error') {
          off();
          if (ev.type === 'error') resolve({ error: new FlatError(ev.error.code, ev.error.message) });
          else if (ev.type === 'done' && image) resolve({ image });
          else if (ev.type === 'done') resolve({ error: new FlatError('inference-failed', `The reconstruction ended without step ${step}.`) });
          else resolve({});
        }
      };
      const off = inference.onEvent(onEvent);
      runId = inference.reconstruct(job);
      for (const ev of early.splice(0)) onEvent(ev);
    });
  }
}
