import numpy as np
import pytest

from flatrecon.masks import eval_seed, make_mask


@pytest.mark.parametrize("kind", ["random", "equispaced"])
@pytest.mark.parametrize("acc,cf", [(4, 0.08), (8, 0.04)])
def test_mask_acceleration_and_centre(kind, acc, cf):
    rates = []
    for s in range(40):
        m = make_mask((64, 256), acc, kind, np.random.default_rng(s))
        cols = m[0] > 0
        assert (m == m[:1]).all()  # whole columns
        n_low = round(256 * cf)
        pad = (256 - n_low + 1) // 2
        assert cols[pad : pad + n_low].all()
        rates.append(cols.mean())
    assert abs(np.mean(rates) - 1 / acc) < 0.25 / acc


def test_eval_seed_is_deterministic_and_distinct():
    a = eval_seed("x.npy", 0, 4, 0)
    assert a == eval_seed("x.npy", 0, 4, 0)
    assert len({eval_seed("x.npy", i, acc, s) for i in range(3) for acc in (4, 8) for s in range(5)}) == 30
