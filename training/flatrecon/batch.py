"""`flatrecon batch`: reconstruct every input of a folder with the app's own CLI, one Ray task per input.

Each task runs `app/cli/recon.ts` (onnxruntime-node, the ONNX model in resources/models, CUDA where the
worker has it) on one input, writing into OUT/.partial/<stem>.<random>/. Only when the CLI succeeded is a
done marker (the CLI's JSON report) written there and the folder renamed, in one atomic rename, to
OUT/<stem>/. So a finished input is exactly one complete folder, a killed task leaves only a partial
folder (removed at the end of the run), and a rerun skips every input whose folder carries the marker.

Ray retries a task whose worker process dies (max_retries) or whose CLI process is killed by a signal
(retry_exceptions); an input the app cannot read fails once, with the app's one-sentence reason, and
the rest of the batch goes on. The summary lists every input exactly once.

`python -m flatrecon.batch --bench` measures slices/s on 1 and 2 local Ray nodes (see README.md).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .paths import REPO_ROOT

MARKER = ".flatrecon-done.json"
PARTIAL = ".partial"
MARKER_FORMAT = 1


class CliKilled(RuntimeError):
    """The recon CLI process died from a signal (OOM killer, a killed worker): worth a retry."""


@dataclass(frozen=True)
class Item:
    name: str  # file or folder name inside the inputs folder
    path: str  # absolute path handed to the CLI
    stem: str  # output folder name inside OUT


# ---------------------------------------------------------------------------------------------- inputs

def _strip(name: str) -> str:
    low = name.lower()
    for suffix in (".nii.gz", ".tar.gz"):
        if low.endswith(suffix):
            return name[: -len(suffix)]
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def discover(inputs: Path, out: Path | None = None) -> list[Item]:
    """Every input of the folder, sorted: each file, each sub-folder (a DICOM series), and each BART
    pair once (x.cfl + x.hdr -> x.cfl). Hidden entries and the output folder itself are left out.
    What the app can read is decided by the app itself (an unreadable file ends as status error)."""
    if not inputs.is_dir():
        raise FileNotFoundError(f"{inputs} is not a folder.")
    out_resolved = out.resolve() if out is not None else None
    names = sorted(p for p in os.listdir(inputs) if not p.startswith("."))
    lower = {n.lower() for n in names}
    entries: list[str] = []
    for n in names:
        p = inputs / n
        if out_resolved is not None and p.resolve() == out_resolved:
            continue
        if n.lower().endswith(".hdr") and f"{n[:-4].lower()}.cfl" in lower:
            continue  # the header half of a BART pair; the .cfl stands for both
        if p.is_dir() or p.is_file():
            entries.append(n)
    stems = [_strip(n) for n in entries]
    taken = {s for s in stems if stems.count(s) > 1}  # a.npy + a.h5: keep the full names
    return [Item(n, str((inputs / n).resolve()), n if s in taken else s) for n, s in zip(entries, stems, strict=True)]


# ------------------------------------------------------------------------------------------ one input

def read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None


def cli_command(input_path: str, out_dir: Path, settings: dict) -> list[str]:
    """The app's CLI (`npx tsx app/cli/recon.ts`), started as one node process with the tsx loader so
    that it can be tied to the worker's lifetime (npx and the tsx wrapper would add two processes)."""
    # Linux: the CLI gets SIGKILL when the worker that started it dies (PR_SET_PDEATHSIG, set by util-linux
    # setpriv before it execs node), so a killed task leaves no orphan writing into its partial folder.
    guard = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
    cmd = [*guard, "node", "--import", "tsx", "app/cli/recon.ts", "--input", input_path, "--out", str(out_dir),
           "--json", "--acceleration", str(settings["acceleration"]), "--mask", settings["mask"],
           "--seed", str(settings["seed"]), "--model", settings["model"], "--threads", str(settings["threads"])]
    if settings.get("model_dir"):
        cmd += ["--model-dir", settings["model_dir"]]
    if settings.get("center_fraction") is not None:
        cmd += ["--center-fraction", str(settings["center_fraction"])]
    if settings.get("slices"):
        cmd += ["--slices", settings["slices"]]
    if settings.get("export_dicom"):
        cmd += ["--export-dicom", str(out_dir / "dicom")]
    return cmd


def _result(item: dict, status: str, *, outputs=(), psnr=None, ms=None, slices=0, message=None, **extra) -> dict:
    r = {"input": item["path"], "status": status, "outputs": list(outputs), "psnr": psnr, "ms": ms, "slices": slices}
    if message:
        r["message"] = message
    r.update(extra)
    return r


def result_from_marker(item: dict, folder: Path, marker: dict, status: str) -> dict:
    report = marker["report"]
    finals = [s["psnr"][-1] for s in report["results"] if s.get("psnr")]
    return _result(item, status, outputs=[str(folder / o) for o in marker["outputs"]],
                   psnr=finals if len(finals) == len(report["results"]) and finals else None,
                   ms=marker["ms"], slices=len(report["results"]), provider=report.get("executionProvider"),
                   infer_ms=round(sum(s["ms"] for s in report["results"]), 1))


def _first_error_line(stderr: str, rc: int) -> str:
    for line in stderr.splitlines():
        if line.startswith("error: "):
            return line[len("error: "):].strip()
    tail = [x for x in stderr.strip().splitlines() if x.strip()]
    return f"the app's CLI failed (exit status {rc}){': ' + tail[-1][:200] if tail else ''}."


def reconstruct_one(item: dict, out_dir: str, settings: dict) -> dict:
    """One input through the app's CLI into OUT/<stem>/ (runs inside a Ray worker). Returns a summary
    row; raises CliKilled (retried by Ray) when the CLI process was killed."""
    out = Path(out_dir)
    final = out / item["stem"]
    marker = read_marker(final)
    if marker is not None:  # an earlier attempt of this task finished just before its worker died
        return result_from_marker(item, final, marker, "ok")
    partial = out / PARTIAL / f"{item['stem']}.{uuid.uuid4().hex[:12]}"
    partial.mkdir(parents=True)
    try:
        t0 = time.perf_counter()
        proc = subprocess.run(cli_command(item["path"], partial, settings), cwd=REPO_ROOT, capture_output=True,
                              text=True, env={**os.environ, "NO_COLOR": "1"})
        ms = (time.perf_counter() - t0) * 1000
        if proc.returncode < 0:
            raise CliKilled(f"{item['name']}: the reconstruction process was killed by signal {-proc.returncode}.")
        if proc.returncode != 0:
            return _result(item, "error", message=_first_error_line(proc.stderr, proc.returncode))
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        outputs = [os.path.relpath(o, partial) for o in report["outputs"]]
        if settings.get("export_dicom"):
            known = set(outputs)
            outputs += sorted(str(p.relative_to(partial)) for p in (partial / "dicom").rglob("*")
                              if p.is_file() and str(p.relative_to(partial)) not in known)
        done = {"format": MARKER_FORMAT, "settings": settings, "ms": round(ms, 1), "host": socket.gethostname(),
                "outputs": outputs, "report": report}
        tmp = partial / f"{MARKER}.tmp"
        with open(tmp, "w") as f:
            json.dump(done, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, partial / MARKER)
        try:
            os.rename(partial, final)
        except OSError:
            marker = read_marker(final)
            if marker is None:
                return _result(item, "error", message=f"{final} appeared during the run and is not a finished result.")
            return result_from_marker(item, final, marker, "ok")  # a concurrent attempt won; keep its folder
        partial = None
        return result_from_marker(item, final, done, "ok")
    finally:
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)


# ------------------------------------------------------------------------------------------ the driver

def _connect(address: str, num_cpus: int) -> None:
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # never phone home
    common = {"log_to_driver": False, "configure_logging": False, "ignore_reinit_error": True}
    if address == "local":
        # A new single-node Ray in this process, asked for 127.0.0.1, no dashboard. Ray 2.60 still binds its
        # C++ gRPC servers to all interfaces and rewrites 127.0.0.1 into the machine's address for its agents
        # (README "Batch reconstruction on Ray"); token authentication is on.
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, _node_ip_address=LOOPBACK, **common)
    elif _is_loopback(address):
        # a cluster on this machine (LocalCluster): this driver registers under 127.0.0.1 too
        ray.init(address=address, _node_ip_address=LOOPBACK, **common)
    else:
        ray.init(address=address, **common)


LOOPBACK = "127.0.0.1"


def _is_loopback(address: str) -> bool:
    host = address.removeprefix("ray://").rsplit(":", 1)[0].strip("[]")
    return host in ("127.0.0.1", "localhost", "::1")


class _Progress:
    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.stream, self.t0 = total, stream, time.perf_counter()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.counts = {"ok": 0, "skipped": 0, "error": 0}
        self.slices = 0

    def update(self, r: dict) -> None:
        self.counts[r["status"]] += 1
        if r["status"] == "ok":
            self.slices += r["slices"]
        n = sum(self.counts.values())
        dt = time.perf_counter() - self.t0
        width = 24
        bar = "#" * (width * n // max(self.total, 1))
        line = (f"batch [{bar:<{width}}] {n}/{self.total}  ok {self.counts['ok']}  skipped {self.counts['skipped']}  "
                f"error {self.counts['error']}  {self.slices / dt if dt > 0 else 0:.2f} slices/s")
        self.stream.write(("\r" + line + ("\n" if n == self.total else "")) if self.tty else line + "\n")
        self.stream.flush()


def _nodes() -> int:
    import ray

    return sum(1 for n in ray.nodes() if n.get("Alive"))


def same_settings(a: dict | None, b: dict) -> bool:
    """Settings that change the outputs (not the thread count)."""
    return a is not None and {k: v for k, v in a.items() if k != "threads"} == {
        k: v for k, v in b.items() if k != "threads"}


def run_batch(inputs: Path, out: Path, *, address: str = "local", settings: dict, num_cpus: int = 2,
              cpus_per_task: float = 1, gpus_per_task: float = 0, max_retries: int = 3,
              json_path: Path | None = None, progress=sys.stderr) -> dict:
    inputs, out = Path(inputs), Path(out)
    items = discover(inputs, out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results: dict[str, dict] = {}
    todo: list[Item] = []
    bar = _Progress(len(items), progress) if progress is not None else None
    for it in items:
        d = it.__dict__
        folder = out / it.stem
        marker = read_marker(folder)
        if marker is not None and not same_settings(marker.get("settings"), settings):
            old = marker.get("settings") or {}
            diff = ", ".join(f"{k} {old.get(k)!r} (now {v!r})" for k, v in settings.items()
                             if k != "threads" and old.get(k) != v)
            r = _result(d, "error", message=f"{folder} was made with other settings: {diff}; use another --out "
                                            "or remove that folder.")
        elif marker is not None:
            r = result_from_marker(d, folder, marker, "skipped")
        elif folder.exists():
            r = _result(d, "error", message=f"{folder} exists but holds no finished result; remove it to redo "
                                            f"{it.name}.")
        else:
            todo.append(it)
            continue
        results[it.name] = r
        if bar:
            bar.update(r)
    nodes = None
    if todo:
        import ray

        _connect(address, num_cpus)
        try:
            nodes = _nodes()
            task = ray.remote(num_cpus=cpus_per_task, num_gpus=gpus_per_task, max_retries=max_retries,
                              retry_exceptions=[CliKilled])(reconstruct_one)
            pending = {task.remote(it.__dict__, str(out), settings): it for it in todo}
            waiting = list(pending)
            while waiting:
                ready, waiting = ray.wait(waiting, num_returns=1)
                for ref in ready:
                    it = pending[ref]
                    try:
                        r = ray.get(ref)
                    except ray.exceptions.RayError as err:  # retries used up, or a bug in the task
                        cause = [x for x in str(err).strip().splitlines() if x.strip()]
                        r = _result(it.__dict__, "error", message=f"{it.name}: the task failed, retries included "
                                    f"({type(err).__name__}: {cause[-1].strip()[:200] if cause else 'no detail'}).")
                    results[it.name] = r
                    if bar:
                        bar.update(r)
        finally:
            ray.shutdown()
        shutil.rmtree(out / PARTIAL, ignore_errors=True)  # leftovers of killed attempts
    wall = time.perf_counter() - t0
    ordered = [results[it.name] for it in items]
    counts = {s: sum(r["status"] == s for r in ordered) for s in ("ok", "skipped", "error")}
    done_slices = sum(r["slices"] for r in ordered if r["status"] == "ok")
    summary = {"results": ordered, "counts": counts, "tasks": len(todo), "address": address, "nodes": nodes,
               "settings": settings, "wall_s": round(wall, 3),
               "slices_per_s": round(done_slices / wall, 3) if done_slices else None}
    if json_path is not None:
        json_path = Path(json_path)
        json_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = json_path.with_name(json_path.name + ".tmp")
        tmp.write_text(json.dumps(summary, indent=1) + "\n")
        os.replace(tmp, json_path)
    return summary


def settings_from_args(a) -> dict:
    model_dir = str(Path(a.model_dir).resolve()) if a.model_dir else None
    acc = float(a.acceleration)
    return {"acceleration": int(acc) if acc.is_integer() else acc, "center_fraction": a.center_fraction,
            "mask": a.mask, "seed": a.seed,
            "model": a.model, "model_dir": model_dir, "slices": a.slices, "export_dicom": bool(a.export_dicom),
            "threads": a.threads or max(1, int(a.cpus_per_task))}


def add_arguments(p) -> None:
    p.add_argument("--inputs", required=True,
                   help="folder of inputs (.h5, .npy, .nii/.nii.gz, .cfl/.hdr pairs, DICOM series folders)")
    p.add_argument("--out", required=True, help="results: OUT/<input stem>/ per input")
    p.add_argument("--address", default="local",
                   help="local (in-process Ray, 127.0.0.1), auto, ray://HOST:PORT or HOST:PORT of a running cluster")
    p.add_argument("--acceleration", type=float, default=4)
    p.add_argument("--center-fraction", type=float, help="default: the app's (0.08 at 4x, 0.04 at 8x)")
    p.add_argument("--mask", default="random", choices=["random", "equispaced"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", default="flat", help="model name (default flat)")
    p.add_argument("--model-dir", help="folder holding the model files (default the app's resources/models)")
    p.add_argument("--slices", help="comma list of slices (default all)")
    p.add_argument("--export-dicom", action="store_true", help="also write OUT/<stem>/dicom/ (derived DICOM series)")
    p.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local Ray (--address local)")
    p.add_argument("--cpus-per-task", type=float, default=1)
    p.add_argument("--gpus-per-task", type=float, default=0, help="1 on GPU nodes: one task per GPU, CUDA provider")
    p.add_argument("--threads", type=int, help="onnxruntime threads per task (default: CPUs per task)")
    p.add_argument("--max-retries", type=int, default=3)
    p.add_argument("--json", help="write the summary here")


def main_args(a) -> int:
    summary = run_batch(Path(a.inputs), Path(a.out), address=a.address, settings=settings_from_args(a),
                        num_cpus=a.num_cpus, cpus_per_task=a.cpus_per_task, gpus_per_task=a.gpus_per_task,
                        max_retries=a.max_retries, json_path=Path(a.json) if a.json else None)
    c = summary["counts"]
    print(f"{c['ok']} ok, {c['skipped']} skipped, {c['error']} error(s) of {len(summary['results'])} input(s) "
          f"in {summary['wall_s']:.1f} s" + (f" -> {a.json}" if a.json else ""))
    for r in summary["results"]:
        if r["status"] == "error":
            print(f"error: {r['message']}", file=sys.stderr)
    return 1 if c["error"] else 0


# ------------------------------------------------------------------------- local clusters (test, bench)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_sockets(pids: set[int]) -> list[dict]:
    """TCP and UDP sockets of the given processes that listen (or are bound, for UDP), from `ss -ltunpH`
    (iproute2; root sees every process): [{"proto", "host", "port", "pid", "process"}]."""
    import re

    out = subprocess.run(["ss", "-H", "-l", "-t", "-u", "-n", "-p"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        cols = line.split()
        if len(cols) < 6:
            continue
        local = cols[4]
        host, _, port = local.rpartition(":")
        for name, pid in re.findall(r'\("([^"]*)",pid=(\d+)', line):
            if int(pid) in pids:
                found.append({"proto": cols[0], "host": host.strip("[]"), "port": int(port) if port.isdigit() else port,
                              "pid": int(pid), "process": name})
    return found


def _psutil():
    """psutil as Ray ships it (ray/thirdparty_files, put on sys.path by `import ray`) or installed."""
    import importlib

    import ray  # noqa: F401  (first: it puts its vendored psutil on sys.path)

    return importlib.import_module("psutil")


def _ray_bin() -> str:
    cand = Path(sys.executable).with_name("ray")
    return str(cand) if cand.exists() else "ray"


class LocalCluster:
    """A Ray cluster of `nodes` nodes (head + workers) on this machine, each a `ray start --block`
    process in its own session, asked for 127.0.0.1 (`--node-ip-address 127.0.0.1`, no dashboard; Ray
    2.60 still listens on all interfaces, `listeners()` lists where), with a token of its own; stopped
    by process ids, never `ray stop`."""

    def __init__(self, nodes: int = 2, cpus_per_node: int = 1, log_dir: Path | None = None,
                 timeout: float = 60, token: str | None = None) -> None:
        self.n, self.cpus, self.timeout = nodes, cpus_per_node, timeout
        # Ray's token authentication, explicit: every node and every driver of this cluster (self.env).
        # Workers at niceness 0 (Ray's default is 15): on a shared machine the CLI runs then compete on
        # equal terms instead of waiting behind every other job, so the tests' time bounds and the bench hold.
        self.env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
                    "RAY_AUTH_TOKEN": token or secrets.token_hex(32), "RAY_worker_niceness": "0"}
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="flatrecon-ray-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.procs: list[subprocess.Popen] = []
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"

    def _start(self, i: int, head: bool) -> None:
        cmd = [_ray_bin(), "start", "--block", "--node-ip-address", LOOPBACK, "--num-cpus", str(self.cpus),
               "--disable-usage-stats", "--object-store-memory", str(100 * 2**20),
               "--dashboard-agent-listen-port", str(free_port()), "--dashboard-agent-grpc-port", str(free_port()),
               "--metrics-export-port", str(free_port()), "--runtime-env-agent-port", str(free_port()),
               "--min-worker-port", str(20000 + 1000 * i), "--max-worker-port", str(20999 + 1000 * i)]
        if head:
            cmd += ["--head", "--port", str(self.port), "--include-dashboard", "false", "--dashboard-host", LOOPBACK,
                    "--ray-client-server-port", str(free_port())]
        else:
            cmd += ["--address", self.address]
        log = open(self.log_dir / f"node{i}.log", "w")
        self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                           start_new_session=True))

    def _wait(self, nodes: int) -> None:
        probe = ("import ray,sys,time\nray.init(address=sys.argv[1], log_to_driver=False)\n"
                 "while sum(n['Alive'] for n in ray.nodes()) < int(sys.argv[2]): time.sleep(0.2)\n")
        subprocess.run([sys.executable, "-c", probe, self.address, str(nodes)], check=True, timeout=self.timeout,
                       env=self.env, capture_output=True)

    def _wait_started(self, i: int) -> None:
        log, deadline = self.log_dir / f"node{i}.log", time.time() + self.timeout
        while "Ray runtime started" not in (log.read_text(errors="replace") if log.exists() else ""):
            if self.procs[i].poll() is not None:
                raise RuntimeError(f"ray start exited (status {self.procs[i].returncode}); see {log}")
            if time.time() > deadline:
                raise TimeoutError(f"Ray node {i} did not start within {self.timeout:.0f} s; see {log}")
            time.sleep(0.2)

    def pids(self) -> set[int]:
        """Every process of the cluster now: the `ray start` processes and all their descendants."""
        psutil = _psutil()

        found: set[int] = set()
        for p in self.procs:
            try:
                root = psutil.Process(p.pid)
                found |= {root.pid, *(c.pid for c in root.children(recursive=True))}
            except psutil.Error:
                pass
        return found

    def listeners(self, extra_pids: set[int] = frozenset()) -> list[dict]:
        """The sockets the cluster's processes (and `extra_pids`, e.g. a driver) listen on."""
        return listening_sockets(self.pids() | set(extra_pids))

    def __enter__(self) -> LocalCluster:
        try:
            for i in range(self.n):
                self._start(i, head=i == 0)
                self._wait_started(i)
            self._wait(self.n)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGTERM to each `ray start --block` (it stops its node), then SIGKILL to whatever of its
        process group and descendants is left (psutil checks each process is still the one seen)."""
        try:
            psutil = _psutil()
        except ImportError:  # pragma: no cover - psutil comes with ray
            psutil = None
        seen = []
        if psutil is not None:
            for p in self.procs:
                try:
                    seen += psutil.Process(p.pid).children(recursive=True)
                except psutil.Error:
                    pass
        for p in reversed(self.procs):  # worker nodes first, the head last
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # each node was started in its own session / group
            except OSError:
                pass
        for c in seen:
            try:
                c.kill()
            except psutil.Error:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.procs = []
        # `ray start --head` noted this cluster as the machine's latest (what ray.init() and "auto" join)
        latest = Path(os.environ.get("RAY_TMPDIR", "/tmp/ray")) / "ray_current_cluster"
        try:
            if latest.read_text().strip().endswith(f":{self.port}"):
                latest.unlink()
        except OSError:
            pass


# ----------------------------------------------------------------------------------------------- bench

def colin_crops(folder: Path, count: int, size: int) -> list[Path]:
    """`count` real (size, size) crops of Colin27 T1 axial slices (Debian mricron-data) as float32 .npy."""
    import nibabel as nib
    import numpy as np

    from .paths import COLIN_HEAD

    vol = np.asarray(nib.load(str(COLIN_HEAD)).dataobj, dtype=np.float32)
    vol /= float(np.percentile(vol, 99.9))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    zs = np.linspace(55, 125, count).round().astype(int)
    for i, z in enumerate(zs):
        img = np.rot90(vol[:, :, z]).clip(0, 1)
        r0 = (img.shape[0] - size) // 2 + (i % 3 - 1) * size // 4
        c0 = (img.shape[1] - size) // 2 + (i % 2) * size // 5 - size // 10
        f = folder / f"colin_z{z:03d}_{i:02d}.npy"
        np.save(f, np.ascontiguousarray(img[r0 : r0 + size, c0 : c0 + size], dtype=np.float32))
        files.append(f)
    return files


def bench(files: int = 20, size: int = 96, node_counts=(1, 2), model: str = "flat",
          model_dir: str | None = None) -> list[dict]:
    rows = []
    settings = {"acceleration": 4, "center_fraction": None, "mask": "random", "seed": 0, "model": model,
                "model_dir": model_dir, "slices": None, "export_dicom": False, "threads": 1}
    token = secrets.token_hex(32)  # one driver process, one token (Ray caches it)
    saved = {k: os.environ.get(k) for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")}
    with tempfile.TemporaryDirectory(prefix="flatrecon-bench-") as tmp:
        inputs = Path(tmp) / "in"
        colin_crops(inputs, files, size)
        for n in node_counts:
            with LocalCluster(nodes=n, cpus_per_node=1, log_dir=Path(tmp) / f"ray{n}", token=token) as cl:
                os.environ.update({k: cl.env[k] for k in saved})
                try:
                    s = run_batch(inputs, Path(tmp) / f"out{n}", address=cl.address, settings=settings,
                                  progress=None)
                finally:
                    for k, v in saved.items():
                        if v is None:
                            os.environ.pop(k, None)
                        else:
                            os.environ[k] = v
            ok = [r for r in s["results"] if r["status"] == "ok"]
            rows.append({"nodes": n, "cpus": n, "files": files, "size": size, "ok": len(ok), "wall_s": s["wall_s"],
                         "slices_per_s": s["slices_per_s"],
                         "cli_s_mean": round(sum(r["ms"] for r in ok) / max(len(ok), 1) / 1000, 2),
                         "infer_s_mean": round(sum(r["infer_ms"] for r in ok) / max(len(ok), 1) / 1000, 3),
                         "provider": ok[0].get("provider") if ok else None})
    print("| Ray nodes (1 CPU each) | inputs | ok | wall s | slices/s | CLI s/input | inference s/input "
          "| provider |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['nodes']} | {r['files']} × {r['size']}² | {r['ok']} | {r['wall_s']:.1f} | {r['slices_per_s']:.2f} "
              f"| {r['cli_s_mean']:.2f} | {r['infer_s_mean']:.3f} | {r['provider']} |")
    return rows


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(prog="python -m flatrecon.batch", description="Ray batch bench (slices/s)")
    ap.add_argument("--bench", action="store_true", required=True)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--nodes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", default="flat")
    ap.add_argument("--model-dir", help="default the app's resources/models")
    ap.add_argument("--json", help="also write the rows here")
    a = ap.parse_args()
    model_dir = str(Path(a.model_dir).resolve()) if a.model_dir else None
    out_rows = bench(a.files, a.size, tuple(a.nodes), a.model, model_dir)
    if a.json:
        Path(a.json).write_text(json.dumps(out_rows, indent=1) + "\n")
