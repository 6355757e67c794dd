"""`flatrecon` console script: train, eval, export, bench, recon, cs-tune, batch."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def _cmd_train(a: argparse.Namespace) -> None:
    from .config import RunConfig, apply_overrides
    from .train import train

    cfg = apply_overrides(RunConfig.load(a.config), a.set or [])
    command = "flatrecon " + " ".join(shlex.quote(x) for x in sys.argv[1:])
    train(cfg, Path(a.run_dir), resume=a.resume, command=command)


def _cmd_eval(a: argparse.Namespace) -> None:
    from .evaluate import run_eval_cli

    run_eval_cli(a.images, a.accelerations, a.masks_per_image, a.methods.split(","), a.json, a.model,
                 a.slices, a.mask_kind, a.threads, a.cs_lambda, a.cs_iters, a.steps, a.noise)


def _cmd_export(a: argparse.Namespace) -> None:
    import json

    from .export import export_model
    from .paths import MODELS_DIR

    weights = Path(a.weights)
    metrics = {}
    if a.metrics:
        summ = json.loads(Path(a.metrics).read_text())["summary"]
        metrics = {"source": a.metrics, "by_method": summ,
                   "settings": json.loads(Path(a.metrics).read_text()).get("settings", {})}
    cmd_file = weights.parent / "command.txt"
    extra = {"train_command": cmd_file.read_text().strip() if cmd_file.exists() else ""}
    if a.note:
        extra["note"] = a.note
    command = "flatrecon " + " ".join(shlex.quote(x) for x in sys.argv[1:])
    card = export_model(weights, a.name, Path(a.out_dir) if a.out_dir else MODELS_DIR, metrics, command, extra)
    print(json.dumps({k: card[k] for k in ("name", "files", "opTypes", "t")}, indent=1))


def _cmd_card_guidance(a: argparse.Namespace) -> None:
    from .export import refresh_guidance
    from .paths import MODELS_DIR

    card = refresh_guidance((Path(a.out_dir) if a.out_dir else MODELS_DIR) / f"{a.name}.json")
    print(f"{a.name}.json: intended_use and {len(card['limitations'])} limitations written; run `npm run pin-models`")


def _cmd_bench(a: argparse.Namespace) -> None:
    from .bench import bench_cli

    bench_cli(a.model, a.sizes, a.repeats, a.threads, a.json)


def _cmd_recon(a: argparse.Namespace) -> None:
    import numpy as np

    from .infer import reconstruct

    states = reconstruct(np.load(a.kspace), np.load(a.mask), a.model)
    np.save(a.out, states)


def _cmd_cs_tune(a: argparse.Namespace) -> None:
    from .cs_tune import tune

    tune(a.out, a.lambdas, a.images)


def _cmd_figures(a: argparse.Namespace) -> None:
    from .figures import examples, step_curves, trajectory

    out = Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if a.eval_json:
        print(step_curves(a.eval_json, out / a.curves_name, a.title))
    if a.image:
        print(examples(a.image, a.index, out / "examples.png", a.models))
        print(trajectory(a.image, a.index, out / "trajectory.png", a.models[-1]))


def _cmd_merge(a: argparse.Namespace) -> None:
    from .evaluate import merge

    merge(a.inputs, a.json)


def _cmd_make_val(a: argparse.Namespace) -> None:
    import numpy as np

    from .data import validation_stack

    v = validation_stack()
    np.save(a.out, v)
    print(f"{a.out}: {v.shape}")


def _cmd_eval_real_multicoil(a: argparse.Namespace) -> None:
    from .realmc_eval import run

    run(Path(a.json))


def _cmd_reference_vectors(a: argparse.Namespace) -> None:
    from .reference_vectors import OUT, write

    print(write(Path(a.out) if a.out else OUT))


def _cmd_batch(a: argparse.Namespace) -> None:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise SystemExit("flatrecon batch: Ray is not installed; pip install -e 'training[ray]'.") from None
    from .batch import main_args

    raise SystemExit(main_args(a))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="flatrecon", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    t = sub.add_parser("train", help="train a model (torchrun-compatible)")
    t.add_argument("--config", required=True, help="JSON run config (training/configs/*.json)")
    t.add_argument("--run-dir", required=True, help="output folder (log, config, checkpoints, model.pt)")
    t.add_argument("--resume", action="store_true", help="continue from run-dir/checkpoints/last.pt")
    t.add_argument("--set", nargs="*", help="overrides section.key=value")
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser("eval", help="evaluate methods on held-out images (simulated k-space)")
    e.add_argument("--images", nargs="+", required=True,
                   help=".npy (2D/3D, real/complex), NIfTI, DICOM file/folder; PATH::0,5 picks slices")
    e.add_argument("--accelerations", nargs="+", type=int, default=[4, 8])
    e.add_argument("--masks-per-image", type=int, default=5)
    e.add_argument("--methods", default="zero_filled,cs,vanilla,flat",
                   help="comma list: zero_filled, cs, or model names (resources/models/<name>.pt)")
    e.add_argument("--model", nargs="*", help="NAME=PATH.pt for extra/overridden model methods")
    e.add_argument("--slices", nargs="*", type=int, help="slice indices of 3D inputs (default all)")
    e.add_argument("--mask-kind", default="random", choices=["random", "equispaced"])
    e.add_argument("--threads", type=int, default=2)
    e.add_argument("--cs-lambda", type=float)
    e.add_argument("--cs-iters", type=int)
    e.add_argument("--steps", type=int, help="run shared-weight FLAT models with this many Euler steps")
    e.add_argument("--noise", type=float, default=0.0,
                   help="std of complex Gaussian noise added to sampled k-space (normalised units)")
    e.add_argument("--json", help="write results here")
    e.set_defaults(func=_cmd_eval)

    x = sub.add_parser("export", help="export ONNX graphs + model card to resources/models")
    x.add_argument("--weights", required=True, help="model.pt written by train")
    x.add_argument("--name", required=True)
    x.add_argument("--metrics", help="eval JSON whose summary goes into the card")
    x.add_argument("--out-dir", help="default resources/models")
    x.add_argument("--note", help="free-text note for the card")
    x.set_defaults(func=_cmd_export)

    cg = sub.add_parser("card-guidance", help="rewrite a card's intended_use / limitations from its own fields")
    cg.add_argument("--name", required=True)
    cg.add_argument("--out-dir", help="default resources/models")
    cg.set_defaults(func=_cmd_card_guidance)

    b = sub.add_parser("bench", help="timing, throughput, parameters, FLOPs")
    b.add_argument("--model", default="flat")
    b.add_argument("--sizes", nargs="+", type=int, default=[256, 320])
    b.add_argument("--repeats", type=int, default=3)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=_cmd_bench)

    r = sub.add_parser("recon", help="reconstruct one slice with the shipped PyTorch weights")
    r.add_argument("--kspace", required=True, help="(H, W) complex centred masked k-space .npy")
    r.add_argument("--mask", required=True, help="(H, W) mask .npy")
    r.add_argument("--out", required=True, help="(N+1, H, W) complex64 states .npy")
    r.add_argument("--model", default="flat")
    r.set_defaults(func=_cmd_recon)

    c = sub.add_parser("cs-tune", help="pick the CS lambda on Colin27 training slices")
    c.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "configs" / "cs.json"))
    c.add_argument("--lambdas", nargs="+", type=float, default=[0.0005, 0.001, 0.002, 0.005])
    c.add_argument("--images", type=int, default=4)
    c.set_defaults(func=_cmd_cs_tune)

    f = sub.add_parser("figures", help="report figures (per-step curves, example images, trajectory)")
    f.add_argument("--eval-json")
    f.add_argument("--curves-name", default="step_psnr.png")
    f.add_argument("--title", default="")
    f.add_argument("--image", help="eval image for example figures")
    f.add_argument("--index", type=int, default=0)
    f.add_argument("--models", nargs="+", default=["vanilla", "flat"])
    f.add_argument("--out-dir", default=str(Path(__file__).resolve().parent.parent / "report"))
    f.set_defaults(func=_cmd_figures)

    g = sub.add_parser("merge-eval", help="merge eval JSONs and recompute the summary")
    g.add_argument("inputs", nargs="+")
    g.add_argument("--json", required=True)
    g.set_defaults(func=_cmd_merge)

    v = sub.add_parser("make-val", help="validation stack for ablations (Colin27 odd slices + cardiac train)")
    v.add_argument("--out", required=True)
    v.set_defaults(func=_cmd_make_val)
    rm = sub.add_parser("eval-real-multicoil", help="real multi-coil eval files through the app CLI, and BART")
    rm.add_argument("--json", default=str(Path(__file__).resolve().parent.parent / "report" / "real_multicoil.json"))
    rm.set_defaults(func=_cmd_eval_real_multicoil)

    rv = sub.add_parser("reference-vectors", help="write the masks/coils/metrics reference vectors for vitest")
    rv.add_argument("--out", help="default app/test/fixtures/reference_vectors.json")
    rv.set_defaults(func=_cmd_reference_vectors)

    from .batch import add_arguments as batch_arguments

    ba = sub.add_parser("batch", help="reconstruct a folder of inputs with the app CLI, one Ray task per input")
    batch_arguments(ba)
    ba.set_defaults(func=_cmd_batch)
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"flatrecon: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
