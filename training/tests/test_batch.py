"""`flatrecon batch` on a real two-node Ray cluster on this machine, through the app's own CLI.

20 real Colin27 crops (64x64 .npy) plus one truncated .npy; a Ray worker is SIGKILLed while it runs a
reconstruction; just before that every socket the cluster and the driver listen on is listed (`ss -ltunp`)
for the check that all of them are on 127.0.0.1 (a strict xfail: Ray 2.60 does not allow it, see below).
Expected: 20 ok (the killed task retried, no duplicates, every folder complete), the
broken file one clear error, a rerun that does no work, and other settings refused on existing results.
Skipped when ray is not installed. Never reads ../shared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from flatrecon.batch import MARKER, PARTIAL, Item, LocalCluster, colin_crops, discover
from flatrecon.paths import COLIN_HEAD, REPO_ROOT

TIMEOUT_S = 600  # the batch takes ~30-60 s on 2 quiet cores, a few times that beside other jobs; a hang fails


_LISTENERS: list[dict] = []  # sockets of the cluster and the driver, seen mid-run by the batch test


def _flatrecon(*args: str) -> list[str]:
    # like the app's tests: the shipped model, unless FLAT_TEST_MODEL_DIR/FLAT_TEST_MODEL point elsewhere
    model = ["--model", os.environ.get("FLAT_TEST_MODEL", "flat")]
    if os.environ.get("FLAT_TEST_MODEL_DIR"):
        model += ["--model-dir", os.environ["FLAT_TEST_MODEL_DIR"]]
    return [sys.executable, "-m", "flatrecon.cli", "batch", *model, *args]


def _recon_cli_processes(psutil) -> list:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info.get("cmdline") or []
        if any(c.endswith("app/cli/recon.ts") for c in cmd):
            found.append(p)
    return found


def _kill_a_busy_worker(psutil) -> tuple[int, int] | None:
    """SIGKILL the Ray worker process that runs a recon CLI right now; (worker pid, CLI pid)."""
    for child in _recon_cli_processes(psutil):
        try:
            worker = child.parent()
            if worker is None or not any("ray::" in c or "default_worker" in c for c in worker.cmdline()):
                continue
            worker.kill()
            return worker.pid, child.pid
        except psutil.Error:
            continue
    return None


def test_discover_pairs_and_stems(tmp_path: Path) -> None:
    for n in ("a.npy", "a.h5", "b.cfl", "b.hdr", "c.nii.gz", ".hidden.npy"):
        (tmp_path / n).write_bytes(b"x")
    (tmp_path / "series1").mkdir()
    (tmp_path / "out").mkdir()
    items = discover(tmp_path, tmp_path / "out")
    assert [(i.name, i.stem) for i in items] == [("a.h5", "a.h5"), ("a.npy", "a.npy"), ("b.cfl", "b"),
                                                 ("c.nii.gz", "c"), ("series1", "series1")]
    assert all(isinstance(i, Item) and Path(i.path).is_absolute() for i in items)


@pytest.mark.skipif(not COLIN_HEAD.exists(), reason="Colin27 (Debian mricron-data) is not installed")
@pytest.mark.skipif(shutil.which("node") is None or not (REPO_ROOT / "node_modules" / "tsx").exists(),
                    reason="node and the npm dependencies (tsx) are needed to run the app CLI")
def test_batch_two_nodes_killed_worker_rerun_and_corrupt_file(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="ray is not installed (pip install -e 'training[ray]'); skipping the batch test")
    psutil = pytest.importorskip("psutil", reason="psutil (comes with ray[default]) is needed to find a worker")

    inputs, out = tmp_path / "in", tmp_path / "out"
    crops = colin_crops(inputs, 20, 64)
    broken = inputs / "broken.npy"
    np.save(broken, np.ones((64, 64), np.float32))
    broken.write_bytes(broken.read_bytes()[:300])  # a valid header, a truncated array

    with LocalCluster(nodes=2, cpus_per_node=1, log_dir=tmp_path / "ray", timeout=90) as cluster:
        # 1. the batch, with a worker killed mid-run
        s1 = tmp_path / "s1.json"
        proc = subprocess.Popen(_flatrecon("--inputs", str(inputs), "--out", str(out), "--address", cluster.address,
                                           "--json", str(s1)), cwd=REPO_ROOT, env=cluster.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.time() + TIMEOUT_S
        killed = None
        try:
            while proc.poll() is None and time.time() < deadline:
                if killed is None and len(list(out.glob(f"*/{MARKER}"))) >= 3:
                    # mid-run, every process of the cluster and the driver up: what listens, and where
                    sockets = cluster.listeners({proc.pid})
                    killed = _kill_a_busy_worker(psutil)
                time.sleep(0.05)
            stdout, stderr = proc.communicate(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"the batch did not finish within {TIMEOUT_S} s")
        assert killed is not None, "no running reconstruction was found to kill"
        # what listens, and where: kept for test_local_cluster_listens_on_loopback_only (a strict xfail)
        assert any(s["port"] == cluster.port for s in sockets), f"the GCS port was not seen listening: {sockets}"
        _LISTENERS[:] = sockets
        time.sleep(0.5)
        cli = psutil.Process(killed[1]) if psutil.pid_exists(killed[1]) else None
        assert cli is None or cli.status() == psutil.STATUS_ZOMBIE, "the killed worker's CLI process outlived it"
        assert proc.returncode == 1, stderr  # one input failed, the batch went on
        assert "21/21" in stderr  # progress line

        summary = json.loads(s1.read_text())
        results = summary["results"]
        assert len(results) == 21 and len({r["input"] for r in results}) == 21
        by_name = {Path(r["input"]).name: r for r in results}
        bad = by_name.pop("broken.npy")
        assert bad["status"] == "error" and bad["outputs"] == []
        assert "broken.npy" in bad["message"] and "truncated" in bad["message"] and "\n" not in bad["message"]
        assert f"error: {bad['message']}" in stderr
        assert sorted(by_name) == sorted(f.name for f in crops)
        for f in crops:
            r = by_name[f.name]
            assert r["status"] == "ok", r
            folder = out / f.stem
            assert sorted(p.name for p in folder.iterdir()) == [MARKER, "slice000_final.npy", "slice000_final.png"]
            assert sorted(r["outputs"]) == [str(folder / "slice000_final.npy"), str(folder / "slice000_final.png")]
            final = np.load(folder / "slice000_final.npy")
            assert final.dtype == np.complex64 and final.shape == (64, 64)
            marker = json.loads((folder / MARKER).read_text())
            assert marker["report"]["model"]["name"] == os.environ.get("FLAT_TEST_MODEL", "flat")
            assert len(marker["report"]["results"]) == 1
            assert len(r["psnr"]) == 1 and r["psnr"][0] == marker["report"]["results"][0]["psnr"][-1]
            assert np.isfinite(r["psnr"][0])
            assert r["ms"] > 0
        # exactly one folder per input that worked; nothing partial left behind
        assert sorted(p.name for p in out.iterdir()) == sorted(f.stem for f in crops)
        assert summary["counts"] == {"ok": 20, "skipped": 0, "error": 1} and summary["nodes"] == 2

        # 2. rerun without the broken file: no work at all
        broken.unlink()
        stamps = {p: p.stat().st_mtime_ns for p in out.glob(f"*/{MARKER}")}
        s2 = tmp_path / "s2.json"
        rerun = subprocess.run(_flatrecon("--inputs", str(inputs), "--out", str(out), "--address", cluster.address,
                                          "--json", str(s2)), cwd=REPO_ROOT, env=cluster.env, capture_output=True,
                               text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr
        again = json.loads(s2.read_text())
        assert again["tasks"] == 0 and again["counts"] == {"ok": 0, "skipped": 20, "error": 0}
        assert [r["outputs"] for r in again["results"]] == [by_name[f.name]["outputs"] for f in crops]
        assert {p: p.stat().st_mtime_ns for p in out.glob(f"*/{MARKER}")} == stamps
        assert not (out / PARTIAL).exists()

        # 3. other settings on finished results: refused, one line each, nothing overwritten
        s3 = tmp_path / "s3.json"
        other = subprocess.run(_flatrecon("--inputs", str(inputs), "--out", str(out), "--address", cluster.address,
                                          "--acceleration", "8", "--json", str(s3)), cwd=REPO_ROOT, env=cluster.env,
                               capture_output=True, text=True, timeout=60)
        assert other.returncode == 1
        third = json.loads(s3.read_text())
        assert third["tasks"] == 0 and third["counts"]["error"] == 20
        assert all("other settings" in r["message"] for r in third["results"])
        assert {p: p.stat().st_mtime_ns for p in out.glob(f"*/{MARKER}")} == stamps


@pytest.mark.xfail(strict=True, reason=(
    "Ray 2.60 cannot be kept on 127.0.0.1: gcs_server, raylet and the core workers (driver included) bind "
    "their gRPC servers to all interfaces (*), and `ray start --node-ip-address 127.0.0.1` is rewritten to the "
    "machine's address (resolve_ip_for_localhost), so the dashboard and runtime-env agents bind 0.0.0.0 and that "
    "address. Strict: when a Ray release binds loopback only, this XPASSes and fails, so the marker goes."))
def test_local_cluster_listens_on_loopback_only() -> None:
    if not _LISTENERS:
        pytest.skip("the batch test above did not run (it records the listening sockets)")
    outside = [s for s in _LISTENERS if s["host"] not in ("127.0.0.1", "::1", "::ffff:127.0.0.1")]
    assert not outside, f"Ray listens beyond 127.0.0.1: {outside}"
