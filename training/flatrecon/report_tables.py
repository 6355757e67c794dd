"""Markdown tables for REPORT.md from eval JSONs (`python -m flatrecon.report_tables eval.json ...`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main_table(path: str, order: tuple[str, ...] = ("zero_filled", "cs", "vanilla", "flat")) -> str:
    summ = json.loads(Path(path).read_text())["summary"]
    lines = ["| method | acc | PSNR (dB) | Δ vs ZF | SSIM | NMSE | n | max step drop (mean curve / any example) |",
             "|---|---|---|---|---|---|---|---|"]
    methods = [m for m in order if m in summ] + [m for m in summ if m not in order]
    for acc in sorted({a for per in summ.values() for a in per}, key=int):
        for m in methods:
            s = summ[m].get(acc)
            if not s:
                continue
            drop = (f"{s['max_step_drop_mean_curve']:.3f} / {s['max_step_drop_any_example']:.3f}"
                    if "max_step_drop_mean_curve" in s else "–")
            lines.append(f"| {m} | {acc}× | {s['psnr']:.2f} ± {s['psnr_std']:.2f} | "
                         f"{s.get('psnr_gain_vs_zero_filled', 0.0):+.2f} | {s['ssim']:.4f} | {s['nmse']:.4f} | "
                         f"{s['n']} | {drop} |")
    return "\n".join(lines)


def curves_table(path: str) -> str:
    summ = json.loads(Path(path).read_text())["summary"]
    out = []
    for m, per in summ.items():
        for acc, s in per.items():
            if "step_psnr_mean" in s:
                out.append(f"| {m} | {acc}× | " + " ".join(f"{v:.2f}" for v in s["step_psnr_mean"]) + " |")
    return "| method | acc | mean PSNR at step 0 … N |\n|---|---|---|\n" + "\n".join(out)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"\n### {p}\n")
        print(main_table(p))
        print()
        print(curves_table(p))
