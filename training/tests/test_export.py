"""ONNX graphs: dynamic sizes, no DFT op, only CUDA-capable ops, parity with PyTorch on real inputs."""

import json

import numpy as np
import pytest
import torch
from helpers import acquisition, as_batch, tiny_model

from flatrecon.export import (
    CUDA_OPS,
    export_graphs,
    export_model,
    op_types,
    reader_guidance,
    refresh_guidance,
    run_onnx,
    run_onnx_all,
    sha256,
)
from flatrecon.fftc import fft2c_np
from flatrecon.model import Unrolled
from flatrecon.paths import MODELS_DIR
from flatrecon.train import load_model, save_weights


def _real_input(img, shape, acc=4, seed=3, coils=3):
    """Torch batch (y, maps, mask) and the ONNX feeds (coils on the leading axis, no batch)."""
    y, s, m = as_batch(acquisition(img, shape, coils=coils, acc=acc, seed=seed))
    return (y, s, m), {"kspace": y[0].numpy(), "maps": s[0].numpy(), "mask": m[0].numpy()}


def _rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def _worst_coil_residual(state, feeds):
    """Worst coil's ‖M F x_c − y_c‖ / ‖y_c‖ by NumPy FFT of the state itself (state [C, 2, H, W])."""
    k = fft2c_np(state[:, 0].astype(np.float64) + 1j * state[:, 1])
    y = feeds["kspace"][:, 0] + 1j * feeds["kspace"][:, 1]
    m = feeds["mask"][0]
    return max(float(np.linalg.norm(m * kc - yc) / np.linalg.norm(yc)) for kc, yc in zip(k, y, strict=True))


def _export_tiny(d, projection):
    torch.manual_seed(0)
    net = tiny_model("flat", projection=projection)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.05 * torch.randn_like(p))
    full, step = d / "m.onnx", d / "m_step.onnx"
    mm = Unrolled(net.cfg, "matmul")
    mm.load_state_dict(net.state_dict())
    export_graphs(mm.eval(), full, step)
    return net, full, step


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory):
    return _export_tiny(tmp_path_factory.mktemp("onnx"), 1.0)


@pytest.mark.parametrize("projection", [1.0, 0.0])
def test_graph_dc_output_is_the_states_residual(colin_slice, tmp_path, projection):
    """The graphs' `dc` output equals the residual measured by FFT of the returned states: ~0 with the
    hard projection, clearly non-zero without it (so it measures, not asserts, consistency)."""
    _, full, step = _export_tiny(tmp_path, projection)
    _, feeds = _real_input(colin_slice, (64, 70), coils=3)
    out = run_onnx_all(full, feeds)
    states, dc = out["states"], out["dc"]
    assert dc.shape == (states.shape[0],)
    measured = np.array([_worst_coil_residual(s, feeds) for s in states])
    assert np.abs(dc - measured).max() <= 1e-5 + 1e-3 * measured.max()
    if projection == 1.0:
        assert measured.max() < 1e-5
    else:
        assert measured[-1] > 1e-3
    nxt = run_onnx_all(step, {"x": states[1], **feeds, "step": np.array([1], dtype=np.int64)})
    assert nxt["dc"].shape == (1,)
    assert abs(float(nxt["dc"][0]) - _worst_coil_residual(nxt["x_next"], feeds)) <= 1e-5 + 1e-3 * measured.max()


@pytest.mark.parametrize("shape", [(64, 64), (81, 95)])
def test_tiny_graph_parity_on_real_slices(colin_slice, tiny_export, shape):
    net, full, step = tiny_export
    for coils in (1, 3):
        batch, feeds = _real_input(colin_slice, shape, coils=coils)
        with torch.no_grad():
            ref = net(*batch)[:, 0].numpy()
        out = run_onnx(full, feeds)
        assert out.shape == ref.shape == (net.steps + 1, coils, 2, *shape) and _rel(out, ref) <= 1e-4
        for i in range(net.steps):
            nxt = run_onnx(step, {"x": ref[i], **feeds, "step": np.array([i], dtype=np.int64)})
            assert _rel(nxt, ref[i + 1]) <= 1e-4


def test_graph_ops_have_cuda_kernels_and_no_dft(tiny_export):
    _, full, step = tiny_export
    for p in (full, step):
        ops = op_types(p)
        assert "DFT" not in ops and "STFT" not in ops
        assert set(ops) <= CUDA_OPS, set(ops) - CUDA_OPS
        assert {"MatMul", "Conv", "Sin", "Cos"} <= set(ops)


def test_export_model_writes_card(tmp_path, colin_slice):
    from flatrecon.config import RunConfig

    net = tiny_model("vanilla")
    w = tmp_path / "model.pt"
    save_weights(w, net, RunConfig(net.cfg), {"steps": 0})
    card = export_model(w, "tiny", tmp_path, {"x": 1}, "cmd")
    assert card["files"]["full"]["sha256"] == sha256(tmp_path / "tiny.onnx")
    assert card["files"]["step"]["sha256"] == sha256(tmp_path / "tiny_step.onnx")
    assert len(card["t"]) == card["steps"] + 1 and card["t"][0] == 1.0 and card["t"][-1] == 0.0
    assert json.loads((tmp_path / "tiny.json").read_text())["opTypes"]["full"] == op_types(tmp_path / "tiny.onnx")
    assert [i["name"] for i in card["inputs"]["step"]] == ["x", "kspace", "maps", "mask", "step"]
    assert card["inputs"]["step"][4]["type"] == "int64"
    assert "not a medical device" in card["intended_use"]["not_for"]
    assert any("2D Cartesian" in x for x in card["limitations"])


def test_reader_guidance_follows_the_card(tmp_path):
    """Limitations are derived from the card's own fields: change a field and the sentence changes."""
    card = json.loads((MODELS_DIR / "flat.json").read_text())
    g = reader_guidance(card)
    dev4 = card["metrics"]["by_method"]["flat"]["4"]["path_deviation_mean"][-1]
    assert any(f"{dev4:.2f} at 4×" in x for x in g["limitations"])
    assert any("projection w = 1" in x for x in g["limitations"])
    card["architecture"]["projection"] = 0.5
    del card["metrics"]["by_method"]["flat"]["8"]
    g2 = reader_guidance(card)
    assert not any("projection w = 1" in x for x in g2["limitations"])
    assert any("Scored at R = 4 only" in x for x in g2["limitations"])
    # refresh_guidance rewrites only those two fields
    p = tmp_path / "c.json"
    p.write_text(json.dumps({**card, "intended_use": {}, "limitations": []}, indent=2) + "\n")
    out = refresh_guidance(p)
    assert out["limitations"] == g2["limitations"] and out["training"] == card["training"]


def test_shipped_flat_card_guidance_is_the_scripts():
    """The committed card's intended_use / limitations are what `flatrecon card-guidance` writes."""
    card = json.loads((MODELS_DIR / "flat.json").read_text())
    g = reader_guidance(card)
    assert card["intended_use"] == g["intended_use"]
    assert card["limitations"] == g["limitations"]


@pytest.mark.parametrize("name", ["flat", "vanilla"])
def test_shipped_models_parity_and_card(colin_slice, name):
    onnx_path, pt = MODELS_DIR / f"{name}.onnx", MODELS_DIR / f"{name}.pt"
    if not (onnx_path.exists() and pt.exists()):
        pytest.skip(f"{name} not exported")
    card = json.loads((MODELS_DIR / f"{name}.json").read_text())
    assert card["files"]["full"]["sha256"] == sha256(onnx_path)
    step_path = MODELS_DIR / f"{name}_step.onnx"
    assert card["files"]["step"]["sha256"] == sha256(step_path)
    for p in (onnx_path, step_path):
        ops = op_types(p)
        assert "DFT" not in ops and set(ops) <= CUDA_OPS
        assert sorted(card["opTypes"]["full" if p == onnx_path else "step"]) == ops
    net = load_model(pt)
    batch, feeds = _real_input(colin_slice, (96, 97), acc=8, coils=4)
    with torch.no_grad():
        ref = net(*batch)[:, 0].numpy()
    out = run_onnx(onnx_path, feeds)
    assert _rel(out, ref) <= 1e-4
    i = net.steps // 2
    nxt = run_onnx(step_path, {"x": ref[i], **feeds, "step": np.array([i], dtype=np.int64)})
    assert _rel(nxt, ref[i + 1]) <= 1e-4
