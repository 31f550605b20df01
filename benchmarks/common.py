"""Shared benchmark helpers: side-by-side timing with medians, the machine, process-tree memory.

Timing rules used by every section:

* a figure that is noisy is the **median** over repeated runs (the runs are kept in the JSON);
* two things compared with each other are timed **side by side**: their runs alternate (A, B,
  A, B, ...) so that a burst of load from another process hits both, and the ratio is the ratio
  of the two medians;
* a call much shorter than a timer-worthy interval is timed as ``timeit`` does: one sample is
  the time per call over enough consecutive calls to last ``min_sample_s``; the first call of
  each sample (right after the other side ran, with the caches it left) is reported on its own;
* wall time is what the issue asks for; CPU time of this process (``time.process_time``) is
  recorded beside it, so a run on a busy machine shows itself (CPU time much below wall time
  means the process waited for a core).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
GIB = 1024**3


class Unavailable(Exception):
    """A section cannot run (yet): e.g. a module another part of the course has not got."""


def log(*parts) -> None:
    """Progress line on stderr (stdout of a section is not used)."""
    print("[bench]", *parts, file=sys.stderr, flush=True)


def now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux/macOS
        return None


def summarise(wall: list[float], cpu: list[float] | None = None) -> dict:
    """Median, min and max of repeated wall times (seconds), plus the runs themselves."""
    out = {
        "median_s": statistics.median(wall),
        "min_s": min(wall),
        "max_s": max(wall),
        "runs_s": [round(x, 6) for x in wall],
    }
    if cpu:
        out["cpu_median_s"] = statistics.median(cpu)
    return out


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Run ``fn`` once: (wall seconds, CPU seconds of this process, its result)."""
    c0, w0 = time.process_time(), time.perf_counter()
    result = fn()
    w1, c1 = time.perf_counter(), time.process_time()
    return w1 - w0, c1 - c0, result


def side_by_side(
    fns: dict[str, Callable[[], object]], repeat: int, warmup: int = 0, min_sample_s: float = 0.0
) -> dict:
    """Time several functions in alternation, ``repeat`` samples each after ``warmup`` untimed
    rounds. Returns ``{name: summary}`` (see :func:`summarise`) and keeps each function's last
    result under ``"_result"`` (not written to JSON).

    A sample is one call, or with ``min_sample_s`` the time per call over as many consecutive
    calls as last at least that long (``calls_per_sample``, found by doubling, untimed, before
    the samples), as ``timeit`` does: a call of a fraction of a millisecond timed alone measures
    the caches that the other function has just evicted as much as the function itself. The
    first call of every sample is timed on its own too (``first_call_median_s``): that is the
    function right after the other one ran, cold.
    """
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    first: dict[str, list[float]] = {k: [] for k in fns}
    number = dict.fromkeys(fns, 1)
    last: dict[str, object] = {}
    for _ in range(warmup):
        for name, fn in fns.items():
            last[name] = fn()
    if min_sample_s > 0:  # calls per sample, doubled until they last long enough (timeit)
        for name, fn in fns.items():
            while True:
                w0 = time.perf_counter()
                for _ in range(number[name]):
                    last[name] = fn()
                if time.perf_counter() - w0 >= min_sample_s:
                    break
                number[name] *= 2
    for _ in range(repeat):
        for name, fn in fns.items():
            c0, w0 = time.process_time(), time.perf_counter()
            last[name] = fn()
            w1 = time.perf_counter()
            for _ in range(number[name] - 1):
                fn()
            w2, c2 = time.perf_counter(), time.process_time()
            first[name].append(w1 - w0)
            wall[name].append((w2 - w0) / number[name])
            cpu[name].append((c2 - c0) / number[name])
    out = {}
    for name in fns:
        out[name] = summarise(wall[name], cpu[name])
        out[name]["calls_per_sample"] = number[name]
        out[name]["first_call_median_s"] = statistics.median(first[name])
        out[name]["_result"] = last[name]
    return out


def strip_private(obj):
    """A copy of ``obj`` without dict keys starting with ``_`` (results kept for checks)."""
    if isinstance(obj, dict):
        return {k: strip_private(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, (list, tuple)):
        return [strip_private(v) for v in obj]
    return obj


# ---------------------------------------------------------------------------------------------
# The machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _virtualisation() -> str | None:
    """What the kernel says about where it runs (container/VM), if anything."""
    hints = []
    if Path("/.dockerenv").exists():
        hints.append("docker")
    release = platform.release()
    if "-fc-" in release:
        hints.append("firecracker microVM")
    try:
        product = Path("/sys/class/dmi/id/product_name").read_text().strip()
        if product:
            hints.append(product)
    except OSError:
        pass
    return ", ".join(hints) or None


def machine_info() -> dict:
    """Cores, memory and what the benchmark ran on (versions of the libraries it measures)."""
    import psutil

    versions = {"python": platform.python_version()}
    for mod in ("numpy", "gymnasium", "ray", "torch", "nbgrader", "nbclient"):
        try:
            versions[mod] = __import__(mod).__version__ if mod != "ray" else _ray_version()
        except Exception:  # noqa: BLE001 - a missing library is reported, not fatal
            versions[mod] = None
    return {
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "virtualisation": _virtualisation(),
        "load_average_1_5_15": load_average(),
        "versions": versions,
    }


def _ray_version() -> str | None:
    # ray/__init__ is slow to import (2-4 s) and noisy; its version is in the package metadata.
    from importlib.metadata import version

    return version("ray")


# ---------------------------------------------------------------------------------------------
# Memory of a process tree


class TreeMemorySampler:
    """Sample the summed RSS of a process and all its descendants in a background thread.

    RSS counts pages shared between processes (libraries, Ray's object store in /dev/shm) once
    per process, so the sum over-counts what the tree really uses: it is an upper bound, and
    what the issue asks for. ``mark(label)`` tags the samples that follow (e.g. the notebook
    being run), so the peak can be attributed.
    """

    def __init__(self, pid: int | None = None, interval: float = 0.2):
        import psutil

        self._psutil = psutil
        self.root = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.peak_bytes = 0
        self.peak_label: str | None = None
        self.peak_processes = 0
        self.per_label: dict[str, int] = {}
        self.samples = 0
        self._label: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def tree_rss(self) -> tuple[int, int]:
        """(summed RSS in bytes, number of processes) of the tree right now."""
        total, count = 0, 0
        try:
            procs = [self.root] + self.root.children(recursive=True)
        except self._psutil.Error:
            return 0, 0
        for p in procs:
            try:
                total += p.memory_info().rss
                count += 1
            except self._psutil.Error:  # exited between listing and reading
                pass
        return total, count

    def _run(self):
        while not self._stop.is_set():
            rss, count = self.tree_rss()
            self.samples += 1
            if rss > self.peak_bytes:
                self.peak_bytes, self.peak_label, self.peak_processes = rss, self._label, count
            if self._label is not None and rss > self.per_label.get(self._label, 0):
                self.per_label[self._label] = rss
            self._stop.wait(self.interval)

    def mark(self, label: str | None) -> None:
        self._label = label

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    def report(self) -> dict:
        return {
            "peak_rss_gib": round(self.peak_bytes / GIB, 3),
            "peak_during": self.peak_label,
            "processes_at_peak": self.peak_processes,
            "sample_interval_s": self.interval,
            "samples": self.samples,
            "method": "sum of RSS over the benchmark process and all its descendants "
            "(kernels, Ray's GCS/raylet/workers), sampled with psutil in a thread; shared "
            "pages are counted once per process, so this is an upper bound",
        }


def descendants() -> list:
    """Live descendants of this process (psutil.Process objects)."""
    import psutil

    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def reap_descendants(grace: float = 5.0) -> list[str]:
    """Terminate the descendants of this process that are still alive (e.g. Ray processes a
    failed notebook left behind), by pid, and return what was found. Only this process's own
    children are touched."""
    import psutil

    left = descendants()
    found = [f"{p.pid} {_name(p)}" for p in left]
    for p in left:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(left, timeout=grace)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    return found


def _name(p) -> str:
    try:
        return " ".join(p.cmdline()[:3])[:120]
    except Exception:  # noqa: BLE001
        return "?"
