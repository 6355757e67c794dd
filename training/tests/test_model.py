"""Behaviour of the unrolled networks on real Colin27 data (untrained tiny models: structural facts)."""

import numpy as np
import torch
from helpers import tiny_model

from flatrecon.data import c2ch, simulate
from flatrecon.fftc import fft2c_fft, to_complex
from flatrecon.masks import make_mask
from flatrecon.model import StepGraph, schedule


def _example(img, acc=4, seed=0, shape=(72, 90)):
    crop = img[60 : 60 + shape[0], 40 : 40 + shape[1]]
    ex = simulate(crop.astype(np.complex64), make_mask(crop.shape, acc, "random", np.random.default_rng(seed)))
    return c2ch(ex.kspace)[None], torch.from_numpy(ex.mask[None, None]), ex


def test_schedules_run_from_one_to_zero():
    for kind in ("uniform", "power"):
        t = schedule(12, kind, 1.0)
        assert t[0] == 0 and abs(float(t[-1]) - 1) < 1e-7 and (torch.diff(t) > 0).all()
    assert abs(float(schedule(12, "power", 1.0)[6]) - 0.25) < 1e-6


def test_projected_flat_states_are_exactly_data_consistent(colin_slice):
    y, m, _ = _example(colin_slice)
    torch.manual_seed(0)
    with torch.no_grad():
        proj = tiny_model(projection=1.0)(y, m)
        plain = tiny_model(projection=0.0)
        plain.load_state_dict(tiny_model(projection=1.0).state_dict())
        plain_states = plain(y, m)
    for states, consistent in ((proj, True), (plain_states, False)):
        worst = max(float((m * fft2c_fft(s) - y).abs().max()) for s in states)
        assert (worst < 1e-5) == consistent, worst
    # the projected update changes only the unsampled part of k-space
    k_last = to_complex(fft2c_fft(proj[-1]))
    k_zf = to_complex(fft2c_fft(proj[0]))
    unsampled = (m[0, 0] == 0)
    assert float((k_last - k_zf)[0][unsampled].abs().max()) > 1e-4


def test_step_graph_reproduces_full_trajectory_and_uses_time(colin_slice):
    y, m, _ = _example(colin_slice, acc=8)
    for method in ("flat", "vanilla"):
        torch.manual_seed(1)
        net = tiny_model(method, projection=0.0)
        with torch.no_grad():
            for p in net.parameters():  # non-trivial FiLM so time matters
                p.add_(0.05 * torch.randn_like(p))
            states = net(y, m)
            stepper = StepGraph(net)
            for i in range(net.steps):
                nxt = stepper(states[i], y, m, torch.tensor([i]))
                torch.testing.assert_close(nxt, states[i + 1], atol=1e-5, rtol=1e-4)
    assert states.shape == (4, 1, 2, 72, 90)


def test_shared_flat_runs_with_other_step_counts(colin_slice):
    y, m, _ = _example(colin_slice)
    net = tiny_model(shared=True, steps=6)
    assert net.phi.down[0].c1.weight.shape[0] == 1
    with torch.no_grad():
        a = net(y, m)
        net.set_steps(9)
        b = net(y, m)
    assert a.shape[0] == 7 and b.shape[0] == 10
    torch.testing.assert_close(a[0], b[0])
    try:
        tiny_model(shared=False).set_steps(4)
        raise AssertionError("unshared model accepted a new step count")
    except ValueError:
        pass


def test_zero_filled_start_matches_normalisation(colin_slice):
    y, m, ex = _example(colin_slice)
    with torch.no_grad():
        s0 = tiny_model()(y, m)[0, 0]
    assert abs(float(to_complex(s0).abs().max()) - 1.0) < 1e-5  # scale = max |Fᴴ(M y)|
    assert ex.scale > 0
