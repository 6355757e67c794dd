"""Behaviour of the unrolled networks on real Colin27 data (untrained tiny models: structural facts)."""

import pytest
import torch
from helpers import acquisition, as_batch, tiny_model

from flatrecon.fftc import fft2c_fft, to_complex
from flatrecon.model import StepGraph, schedule


def test_schedules_run_from_one_to_zero():
    for kind in ("uniform", "power"):
        t = schedule(12, kind, 1.0)
        assert t[0] == 0 and abs(float(t[-1]) - 1) < 1e-7 and (torch.diff(t) > 0).all()
    assert abs(float(schedule(12, "power", 1.0)[6]) - 0.25) < 1e-6


@pytest.mark.parametrize("coils", [1, 4])
def test_projected_flat_states_are_exactly_data_consistent_in_every_coil(colin_slice, coils):
    y, s, m = as_batch(acquisition(colin_slice, coils=coils))
    torch.manual_seed(0)
    with torch.no_grad():
        proj_net = tiny_model(projection=1.0)
        for p in proj_net.parameters():
            p.add_(0.05 * torch.randn_like(p))
        proj = proj_net(y, s, m)
        plain = tiny_model(projection=0.0)
        plain.load_state_dict(proj_net.state_dict())
        plain_states = plain(y, s, m)
    assert proj.shape == (4, 1, coils, 2, 72, 90)
    for states, consistent in ((proj, True), (plain_states, False)):
        worst = max(float((m * fft2c_fft(st) - y).abs().max()) for st in states)
        assert (worst < 1e-5) == consistent, worst
    # the projected update changes only the unsampled part of k-space
    k_last, k_zf = to_complex(fft2c_fft(proj[-1])), to_complex(fft2c_fft(proj[0]))
    unsampled = m[0, 0, 0] == 0
    assert float((k_last - k_zf)[0][:, unsampled].abs().max()) > 1e-4


@pytest.mark.parametrize("method", ["flat", "vanilla"])
def test_complex_and_channel_forms_agree_and_step_graph_reproduces_them(colin_slice, method):
    y, s, m = as_batch(acquisition(colin_slice, coils=3, acc=8))
    torch.manual_seed(1)
    net = tiny_model(method, projection=0.0)
    with torch.no_grad():
        for p in net.parameters():  # non-trivial FiLM so time matters
            p.add_(0.05 * torch.randn_like(p))
        states = net(y, s, m)  # complex torch.fft form (training)
        net.dft_mode = "matmul"
        chan = net(y, s, m)  # channel form with DFT matrices (export)
        torch.testing.assert_close(chan, states, atol=1e-5, rtol=1e-4)
        stepper = StepGraph(net)
        for i in range(net.steps):
            nxt, _ = stepper(states[i, 0], y[0], s[0], m[0], torch.tensor([i]))
            torch.testing.assert_close(nxt, states[i + 1, 0], atol=1e-5, rtol=1e-4)


def test_vanilla_with_hard_projection_keeps_the_measured_samples(colin_slice):
    y, s, m = as_batch(acquisition(colin_slice, coils=2))
    torch.manual_seed(2)
    net = tiny_model("vanilla", vanilla_projection=True)
    with torch.no_grad():
        states = net(y, s, m)
    assert max(float((m * fft2c_fft(st) - y).abs().max()) for st in states) < 1e-5


def test_shared_flat_runs_with_other_step_counts(colin_slice):
    y, s, m = as_batch(acquisition(colin_slice))
    net = tiny_model(shared=True, steps=6)
    assert net.phi.down[0].c1.weight.shape[0] == 1
    with torch.no_grad():
        a = net(y, s, m)
        net.set_steps(9)
        b = net(y, s, m)
    assert a.shape[0] == 7 and b.shape[0] == 10
    torch.testing.assert_close(a[0], b[0])
    with pytest.raises(ValueError):
        tiny_model(shared=False).set_steps(4)


def test_zero_filled_start_matches_normalisation(colin_slice):
    from flatrecon.model import rss

    ex = acquisition(colin_slice, coils=4)
    y, s, m = as_batch(ex)
    with torch.no_grad():
        s0 = tiny_model()(y, s, m)[0]
    assert abs(float(rss(s0).max()) - 1.0) < 1e-5  # scale = max RSS of the zero-filled coil images
    assert ex["scale"] > 0
