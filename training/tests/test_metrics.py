import numpy as np

from flatrecon.metrics import nmse, psnr, ssim


def _ssim_direct(x, y, dr, win=7):
    """Window-by-window SSIM (sample covariance), the definition skimage/fastMRI use."""
    c1, c2 = (0.01 * dr) ** 2, (0.03 * dr) ** 2
    p = win // 2
    vals = []
    for i in range(p, x.shape[0] - p):
        for j in range(p, x.shape[1] - p):
            a = x[i - p : i + p + 1, j - p : j + p + 1].ravel()
            b = y[i - p : i + p + 1, j - p : j + p + 1].ravel()
            va, vb = a.var(ddof=1), b.var(ddof=1)
            cov = np.cov(a, b, ddof=1)[0, 1]
            vals.append(((2 * a.mean() * b.mean() + c1) * (2 * cov + c2))
                        / ((a.mean() ** 2 + b.mean() ** 2 + c1) * (va + vb + c2)))
    return float(np.mean(vals))


def test_metrics_on_a_real_slice(colin_slice):
    gt = colin_slice[96:136, 70:110].astype(np.float64)
    noisy = gt + np.random.default_rng(0).normal(0, 0.02, gt.shape)
    assert abs(ssim(gt, noisy) - _ssim_direct(gt, noisy, gt.max())) < 1e-6
    assert ssim(gt, gt) == 1.0
    mse = np.mean((gt - noisy) ** 2)
    assert abs(psnr(gt, noisy) - 10 * np.log10(gt.max() ** 2 / mse)) < 1e-9
    assert abs(nmse(gt, noisy) - np.sum((gt - noisy) ** 2) / np.sum(gt**2)) < 1e-12
    assert psnr(gt, noisy) > psnr(gt, gt + 2 * (noisy - gt))
