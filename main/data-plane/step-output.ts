// What one ODE state becomes on the wire: the magnitude of the display crop and its metrics.
// dcResidual always (the engine's worst-coil residual); PSNR/SSIM/NMSE on the reference's centre crop
// (fastMRI convention) when a reference exists. The image is in the study's display units
// (× displayScale); the metrics are computed before that scaling.

import type { ReconEvent, StepMetrics } from '../../app/contract/ipc';
import { centreCrop, imageMetrics, magnitude, type PreparedSlice, type RealImage } from '../../app/recon';

export type StepEvent = Extract<ReconEvent, { type: 'step' }>;

export function stepEvent(
  runId: string,
  index: number,
  t: number,
  state: Float32Array,
  dcResidual: number,
  contribution: Float32Array,
  prepared: PreparedSlice,
  display: { rows: number; cols: number },
  reference?: RealImage,
  displayScale = 1,
): StepEvent {
  const { rows, cols } = prepared;
  const mag = magnitude(state);
  const shown = centreCrop(mag, rows, cols, display.rows, display.cols);
  let metrics: StepMetrics = { dcResidual };
  if (reference && reference.rows <= rows && reference.cols <= cols) {
    metrics = { ...metrics, ...imageMetrics(reference, centreCrop(mag, rows, cols, reference.rows, reference.cols).data) };
  }
  // centreCrop returns the input itself when nothing is cropped; copy so the wire owns its buffer.
  const image = shown.data === mag ? mag : Float32Array.from(shown.data);
  const contrib = Float32Array.from(centreCrop(contribution, rows, cols, display.rows, display.cols).data);
  if (displayScale !== 1) {
    for (let i = 0; i < image.length; i++) image[i] = image[i]! * displayScale;
    for (let i = 0; i < contrib.length; i++) contrib[i] = contrib[i]! * displayScale;
  }
  return { type: 'step', runId, step: index, t, rows: shown.rows, cols: shown.cols, image, contribution: contrib, metrics };
}
