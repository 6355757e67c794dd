"""Markdown tables for REPORT.md from eval JSONs (`python -m flatrecon.report_tables eval.json ...`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main_table(path: str, order: tuple[str, ...] = ("zero_filled", "cs", "vanilla", "vanilla+proj", "flat")) -> str:
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


def per_image_table(path: str, methods: tuple[str, ...] = ("zero_filled", "cs", "vanilla+proj", "flat")) -> str:
    """Mean PSNR per eval image and acceleration (the real-phase images are judged one by one)."""
    res = json.loads(Path(path).read_text())["results"]
    keys = sorted({(r["image"], r["acceleration"]) for r in res})
    lines = ["| image | acc | " + " | ".join(methods) + " | FLAT − ZF |", "|---|---|" + "---|" * (len(methods) + 1)]
    for img, acc in keys:
        vals = {}
        for m in methods:
            xs = [r["psnr"] for r in res if r["image"] == img and r["acceleration"] == acc and r["method"] == m]
            vals[m] = sum(xs) / len(xs) if xs else float("nan")
        gain = vals.get("flat", float("nan")) - vals.get("zero_filled", float("nan"))
        lines.append(f"| {img} | {acc}× | " + " | ".join(f"{vals[m]:.2f}" for m in methods) + f" | {gain:+.2f} |")
    return "\n".join(lines)


def straightness_table(path: str) -> str:
    summ = json.loads(Path(path).read_text())["summary"]
    lines = ["| method | acc | ‖x_k − x*_t‖/‖x₁ − x₀‖ per step (mean) | PSNR at t≈0.5 vs straight path "
             "| transitions dropping > 0.05 dB |", "|---|---|---|---|---|"]
    for m, per in summ.items():
        for acc, s in per.items():
            if "path_deviation_mean" in s:
                dev = " ".join(f"{v:.2f}" for v in s["path_deviation_mean"])
                frac = s.get("fraction_transitions_dropping_over_0.05dB", float("nan"))
                lines.append(f"| {m} | {acc}× | {dev} | {s['psnr_mid_vs_straight']:.2f} dB | {100 * frac:.1f} % |")
    return "\n".join(lines)


def real_multicoil_table(path: str) -> str:
    d = json.loads(Path(path).read_text())
    lines = ["| file | coils | R = 1 PSNR | seed | zero-filled | FLAT (app CLI) | BART ecalib + pics (λ) "
             "| FLAT ms | BART s |", "|---|---|---|---|---|---|---|---|---|"]
    for r in d["results"]:
        for c in r["cases"]:
            a, b = c["app"], c["bart"]
            lines.append(f"| {r['file']} | {r['coils']} | {r['acceleration_1_psnr']:.1f} | {c['seed']} | "
                         f"{a['psnr_zero_filled']:.2f} | {a['psnr_final']:.2f} | {b['psnr']:.2f} ({b['lambda']}) | "
                         f"{a['ms']:.0f} | {b['seconds']:.2f} |")
    s = d["summary"]
    lines.append(f"\nMean gain over zero-filled: FLAT {s['mean_gain_flat_db']:+.2f} dB, "
                 f"BART {s['mean_gain_bart_db']:+.2f} dB; lowest R = 1 PSNR {s['min_acceleration_1_psnr']:.1f} dB; "
                 f"mean time FLAT {s['mean_flat_ms']:.0f} ms, "
                 f"BART {s['mean_bart_s']:.2f} s (ecalib + one pics).")
    return "\n".join(lines)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"\n### {p}\n")
        if "real_multicoil" in p:
            print(real_multicoil_table(p))
            continue
        print(main_table(p))
        print()
        print(per_image_table(p))
        print()
        print(straightness_table(p))
        print()
        print(curves_table(p))
