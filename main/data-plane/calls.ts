// The data plane's answer to each call (main/common/data-plane-protocol.ts): arguments arrive
// validated by the host's handlers; every failure is thrown as a FlatError and becomes one
// sentence in the reply.

import { FlatError } from '../../app/core/errors';
import { checkModelTrust } from '../../app/trust/model-trust';
import type { DataPlaneCalls, PlaneInfo, PlaneMethod } from '../common/data-plane-protocol';
import type { ExportService } from './export-service';
import { readModelSummary } from './model-info';
import type { PacsService } from './pacs-service';
import type { RunSupervisor } from './run-supervisor';
import type { StudyService } from './study-service';

export interface PlaneServices {
  studies: StudyService;
  runs: RunSupervisor;
  exports: ExportService;
  pacs: PacsService;
  modelDir: string;
  modelName: string;
}

export type PlaneHandlers = { [M in PlaneMethod]: (...args: Parameters<DataPlaneCalls[M]>) => Promise<ReturnType<DataPlaneCalls[M]>> | ReturnType<DataPlaneCalls[M]> };

export function createCalls(s: PlaneServices): PlaneHandlers {
  const info = async (waitMs: number): Promise<PlaneInfo> => {
    const status0 = s.runs.status();
    if (!status0.ready && !status0.modelError) {
      await Promise.race([s.runs.whenSettled(), new Promise((r) => setTimeout(r, Math.max(0, Math.min(waitMs, 60_000))))]);
    }
    const status = s.runs.status();
    const card = readModelSummary(s.modelDir, s.modelName);
    const modelError = card.error ?? status.modelError?.message;
    const trust = modelError ? undefined : checkModelTrust(s.modelDir, s.modelName);
    return {
      model: modelError ? null : card.model,
      ...(modelError ? { modelError } : {}),
      executionProvider: status.executionProvider,
      ...(trust ? { modelVerified: trust.verified } : {}),
      ...(trust?.reason ? { modelTrustNote: `Unverified model: ${trust.reason}` } : {}),
    };
  };

  return {
    info,
    openSample: (o) => s.studies.openSample(o),
    openPaths: (paths, o) => s.studies.openPaths(paths, o),
    closeStudy: (id) => s.studies.close(id),
    getSlice: (id, slice, mask) => s.studies.getSlice(id, slice, mask ?? undefined),
    reconstruct: (req) => {
      const job = s.studies.prepareRun(req.studyId, req.slice, req.mask); // refuses a closed study first
      const modelError = s.runs.status().modelError;
      if (modelError) throw new FlatError(modelError.code, modelError.message);
      return { runId: s.runs.reconstruct(job) };
    },
    cancel: (runId) => s.runs.cancel(runId),
    exportDicom: (req, folder) => s.exports.export(req, folder),
    pacsInfo: () => s.pacs.info(),
    pacsFindStudies: (q) => s.pacs.findStudies(q),
    pacsFindSeries: (node, uid) => s.pacs.findSeries(node, uid),
    pacsRetrieve: (req) => s.pacs.retrieve(req),
    pacsSend: (req) => s.pacs.send(req),
    pacsJob: (id) => s.pacs.job(id),
  };
}
