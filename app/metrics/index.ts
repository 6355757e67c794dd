// Image quality and data-consistency metrics (fastMRI conventions).
export { psnr, ssim, nmse, mse } from './image';
export { dcResidual } from './dataConsistency';
