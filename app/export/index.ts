// Outputs of the core: DICOM MR series with provenance, PNG snapshots, NumPy arrays.
export { exportDicomSeries, checkExportFolder, isValidUid, MR_IMAGE_STORAGE, RESEARCH_NOTE, DERIVATION_CODE, type ExportDicomOptions } from './dicom';
export { autoWindow } from '../display';
export { writePng, encodePng, toGray8 } from './png';
export { writeNpy, encodeNpy } from './npy';
export { newUid } from './uid';
export { assertNotOverInput, writeAtomic } from './atomic';
export { OutputGuard, makeFolders, realPathOf, isWithin } from './safe-write';
