"""Run one command in a bubblewrap sandbox with wall-clock, CPU, memory and process limits.

What the sandboxed process sees (``bwrap``, Debian package ``bubblewrap``):

* a fresh root holding only read-only binds of what Python and the course need: ``/usr`` (and the
  usual ``/bin``, ``/lib`` links), a handful of ``/etc`` files, the interpreter's prefix, the
  virtualenv, and the helper packages and data the lessons import (``offrl/``, ``data/``, this
  ``grading/`` package for the runner); no course directory, no gradebook, no ``solutions/``, no
  ``submitted/``, no home directory of the instructor;
* one writable place, ``/home/learner`` (the notebook's working folder), on a size-capped tmpfs,
  plus size-capped tmpfs ``/tmp`` and ``/dev/shm`` (Ray in lesson 04 needs both);
* its own network namespace holding only a loopback interface (Ray and the Jupyter kernel talk
  over it), its own PID, IPC and UTS namespaces;
* the unprivileged user ``nobody``-like uid ``SANDBOX_UID`` with every capability dropped and
  ``no_new_privs`` set (``setpriv`` from util-linux, inside the sandbox).

Limits are enforced from outside by :func:`run_limited`: a watchdog polls the process tree every
``POLL_S`` seconds and kills the whole tree (its own process group and the PID namespace, whose
init is bwrap: when it dies the kernel kills every process left inside) when the wall-clock time,
the summed CPU time, the summed resident memory or the number of processes/threads exceeds its
limit. Nothing a submission starts outlives it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SANDBOX_UID = 65534  # "nobody": owns nothing outside the sandbox
SANDBOX_HOME = "/home/learner"  # the notebook's working folder inside the sandbox
GRADER_DIR = "/grader"  # read-only inputs of the runner inside the sandbox
POLL_S = 0.2

# /etc files Python, Ray and matplotlib read; the rest of /etc stays invisible.
_ETC_FILES = [
    "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ld.so.cache",
    "/etc/localtime", "/etc/mime.types", "/etc/ssl/certs/ca-certificates.crt", "/etc/fonts",
]  # fmt: skip


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces on this machine."""


@dataclass(frozen=True)
class Limits:
    """Per-submission limits. Defaults fit the course: lesson 04 trains MARWIL with Ray inside the
    kernel (≈ 2.5–3 GB resident for the whole process tree, ≈ 2 min on 2 cores)."""

    wall_s: float = 1800.0  # the whole notebook
    cpu_s: float = 3600.0  # user + system CPU time, summed over the process tree
    memory_bytes: int = 6 * 2**30  # resident memory, summed over the process tree
    max_tasks: int = 2048  # processes + threads in the tree (a fork bomb stops here)
    tmp_bytes: int = 2 * 2**30  # each of /tmp, /dev/shm and the working folder (tmpfs)
    result_bytes: int = 64 * 2**20  # what the runner may send back (the executed notebook)


@dataclass
class RunResult:
    returncode: int | None
    result: bytes  # what the sandboxed command wrote to its result pipe (fd 3)
    stderr: str
    killed: str | None  # why the watchdog killed the tree, or None
    wall_s: float
    cpu_s: float
    peak_rss: int
    peak_tasks: int
    extra: dict = field(default_factory=dict)


def bwrap_path() -> str | None:
    """bubblewrap's executable (GRADING_BWRAP overrides where to look, e.g. for a test)."""
    return shutil.which(os.environ.get("GRADING_BWRAP", "bwrap"))


_AVAILABLE: tuple[bool, str] | None = None


def check_available() -> None:
    """Raise SandboxUnavailable (with what to do) unless bwrap can build the sandbox here."""
    global _AVAILABLE
    if _AVAILABLE is None:
        exe = bwrap_path()
        if exe is None:
            _AVAILABLE = (False, "bubblewrap (`bwrap`) is not installed")
        elif shutil.which("setpriv") is None:
            _AVAILABLE = (False, "`setpriv` (util-linux) is not installed")
        else:
            probe = subprocess.run(
                sandbox_argv(["/bin/true"], binds=[]), capture_output=True, text=True, timeout=30
            )
            if probe.returncode == 0:
                _AVAILABLE = (True, "")
            else:
                why = probe.stderr.strip() or f"exit {probe.returncode}"
                _AVAILABLE = (False, f"bwrap cannot create the sandbox here: {why}")
    ok, why = _AVAILABLE
    if not ok:
        raise SandboxUnavailable(
            f"{why}. Grading runs every submission in a sandbox; install it with "
            "`sudo apt-get install bubblewrap` (Debian/Ubuntu; bubblewrap needs root or "
            "unprivileged user namespaces). To grade WITHOUT isolation anyway (learner code then "
            "runs with your rights, next to the gradebook), pass --unsafe."
        )


def python_binds() -> list[str]:
    """Read-only paths the course's Python needs: its prefixes and every import root outside them
    (the editable helper packages, so only their folders, not the course root)."""
    paths = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)}
    import grading
    import offrl
    import offrl.dataset

    paths.add(str(Path(offrl.__file__).resolve().parent))
    paths.add(str(Path(grading.__file__).resolve().parent))
    data = offrl.dataset.data_dir() if hasattr(offrl.dataset, "data_dir") else None
    if data is not None and Path(data).is_dir():
        paths.add(str(Path(data).resolve()))
    figures = Path(offrl.__file__).resolve().parent.parent / "img"  # the lessons' diagrams
    if figures.is_dir():
        paths.add(str(figures))
    return sorted(p for p in paths if Path(p).exists())


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def sandbox_argv(
    argv: list[str],
    binds: list[str] | None = None,
    ro_files: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    limits: Limits = Limits(),
) -> list[str]:
    """The bwrap command line running `argv` as described in the module docstring.

    `binds`: host paths bound read-only at the same place (default :func:`python_binds`);
    `ro_files`: {sandbox path: host path} extra read-only files (the runner's inputs);
    `env`: the complete environment inside (nothing of the grader's environment leaks in)."""
    binds = python_binds() if binds is None else binds
    cmd = [
        bwrap_path() or "bwrap",
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session",
        "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib",
    ]  # fmt: skip
    if Path("/lib64").exists():
        cmd += ["--symlink", "usr/lib64", "/lib64"]
    for f in _ETC_FILES:
        if Path(f).exists():
            cmd += ["--ro-bind", f, f]
    # The fresh file systems first, the read-only binds after: a course (and its venv) that
    # lives under /tmp or /home stays visible above the tmpfs instead of hidden beneath it.
    cmd += [
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/dev/shm",
        "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp",
        "--perms", "0755", "--dir", "/home",
        "--size", str(limits.tmp_bytes), "--perms", "0777", "--tmpfs", SANDBOX_HOME,
        "--perms", "0755", "--dir", GRADER_DIR,
    ]  # fmt: skip
    made: set[str] = {"/usr", "/bin", "/lib", "/lib64", "/etc", "/tmp", "/dev", "/proc", "/home"}
    for p in sorted(binds):
        for anc in _ancestors(p):
            if anc not in made:  # bwrap would create missing parents 0700: unreadable for uid
                cmd += ["--perms", "0755", "--dir", anc]
                made.add(anc)
        cmd += ["--ro-bind", p, p]
    for inside, host in (ro_files or {}).items():
        cmd += ["--ro-bind", host, inside]
    cmd += ["--chdir", SANDBOX_HOME, "--clearenv"]
    for k, v in (env or {}).items():
        cmd += ["--setenv", k, v]
    cmd += [
        "--",
        shutil.which("setpriv") or "setpriv",
        f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
    ]  # fmt: skip
    return cmd + list(argv)


def sandbox_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment inside the sandbox: minimal, no grader variables."""
    env = {
        "HOME": SANDBOX_HOME,
        "USER": "learner",
        "LOGNAME": "learner",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": "/tmp",
        # what nbgrader sets while it autogrades: lessons skip demonstrations under it
        "NBGRADER_EXECUTION": "autograde",
        # Ray's driver otherwise replaces builtins.print from a background thread, at a moment no
        # cell chose, and the guard would flag an honest notebook (offrl.ray_setup sets it too)
        "RAY_TQDM_PATCH_PRINT": "0",
    }
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "RAY_AUTH_MODE"):
        if k in os.environ:  # machine facts that keep numerical libraries correct, not secrets
            env[k] = os.environ[k]
    env.update(extra or {})
    return env


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc] + proc.children(recursive=True)
    except psutil.Error:
        return []


def _kill_tree(popen: subprocess.Popen) -> None:
    try:
        procs = _tree(psutil.Process(popen.pid))
    except psutil.Error:
        procs = []
    try:
        os.killpg(popen.pid, signal.SIGKILL)  # bwrap is the group leader (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass
    for p in procs:  # anything that left the group: bwrap's PID namespace init kills the rest
        try:
            p.kill()
        except psutil.Error:
            pass


def run_limited(
    cmd: list[str],
    limits: Limits = Limits(),
    stdin: bytes | None = None,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run `cmd` under the watchdog. The command writes its result to a pipe whose file descriptor
    replaces the text ``{result_fd}`` in its arguments (read up to `limits.result_bytes`); its
    stdout is discarded and its stderr kept (the last 32 kB)."""
    rfd, wfd = os.pipe()
    cmd = [a.replace("{result_fd}", str(wfd)) for a in cmd]
    t0 = time.monotonic()
    popen = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(wfd,),
        start_new_session=True,
        cwd=cwd,
        env=env,
    )
    os.close(wfd)
    result = bytearray()
    err = bytearray()
    over = {"result": False}

    def reader(f, buf: bytearray, cap: int, key: str | None) -> None:
        with f:
            while chunk := f.read(1 << 16):
                if len(buf) + len(chunk) > cap:
                    if key:
                        over[key] = True
                    buf.extend(chunk[: max(0, cap - len(buf))])
                    if not key:  # stderr: keep the tail
                        del buf[: len(buf) - cap // 2]
                    continue
                buf.extend(chunk)

    threads = [
        threading.Thread(
            target=reader,
            args=(os.fdopen(rfd, "rb", buffering=0), result, limits.result_bytes, "result"),
        ),
        threading.Thread(target=reader, args=(popen.stderr, err, 1 << 15, None)),
    ]
    for t in threads:
        t.daemon = True
        t.start()
    if stdin is not None:
        try:
            popen.stdin.write(stdin)
            popen.stdin.close()
        except BrokenPipeError:
            pass
    root = psutil.Process(popen.pid)
    killed = None
    peak_rss = peak_tasks = 0
    cpu_seen: dict[int, float] = {}  # pid -> last CPU time seen (dead children keep theirs)
    while popen.poll() is None:
        procs = _tree(root)
        rss = tasks = 0
        for p in procs:
            try:
                with p.oneshot():
                    rss += p.memory_info().rss
                    tasks += p.num_threads()
                    ct = p.cpu_times()
                    cpu_seen[p.pid] = ct.user + ct.system
            except psutil.Error:
                continue
        peak_rss, peak_tasks = max(peak_rss, rss), max(peak_tasks, tasks)
        elapsed = time.monotonic() - t0
        cpu = sum(cpu_seen.values())
        if over["result"]:
            killed = f"result larger than {limits.result_bytes} bytes"
        elif elapsed > limits.wall_s:
            killed = f"wall-clock limit of {limits.wall_s:.0f} s"
        elif cpu > limits.cpu_s:
            killed = f"CPU-time limit of {limits.cpu_s:.0f} s"
        elif rss > limits.memory_bytes:
            killed = f"memory limit of {limits.memory_bytes / 2**30:.1f} GiB"
        elif tasks > limits.max_tasks:
            killed = f"limit of {limits.max_tasks} processes and threads"
        if killed:
            _kill_tree(popen)
            break
        time.sleep(POLL_S)
    popen.wait()
    _kill_tree(popen)  # nothing may outlive the submission
    for t in threads:
        t.join(timeout=5)
    return RunResult(
        returncode=popen.returncode,
        result=bytes(result),
        stderr=err.decode("utf-8", "replace"),
        killed=killed,
        wall_s=time.monotonic() - t0,
        cpu_s=sum(cpu_seen.values()),
        peak_rss=peak_rss,
        peak_tasks=peak_tasks,
    )
