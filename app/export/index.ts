// Outputs of the core: DICOM MR series with provenance, PNG snapshots, NumPy arrays.
export { exportDicomSeries, checkExportFolder, autoWindow, quantise, isValidUid, MR_IMAGE_STORAGE, type ExportDicomOptions } from './dicom';
export { writePng, encodePng, toGray8 } from './png';
export { writeNpy, encodeNpy } from './npy';
export { newUid } from './uid';
export { assertNotOverInput, writeAtomic } from './atomic';
export { OutputGuard, makeFolders, realPathOf, isWithin } from './safe-write';
