"""Helpers for the tests of what learners and instructors run: fresh copies of the course, the
learner edition with its own virtualenv, `make` targets, JupyterLab servers in the background.

Nothing here writes into the repository: every copy lives in a temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
VENV = VENV_BIN.parent


def load_script(name: str, repo: Path = REPO):
    """scripts/<name>.py as a module (registered in sys.modules, as dataclasses need)."""
    import importlib.util

    key = f"course_script_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, repo / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def env_with_venv(**extra: str) -> dict[str, str]:
    """os.environ with this interpreter's bin/ first on PATH (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = str(VENV_BIN) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def headless_env() -> dict[str, str]:
    """env_with_venv() as on a server: no display."""
    env = env_with_venv()
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    return env


def fresh_clone(dest: Path, repo: Path = REPO, link_installed: bool = False) -> Path:
    """What a fresh clone of this working tree holds: every tracked file, plus new files not yet
    committed, minus what git ignores (in CI the repository is a fresh clone, so this is it).

    link_installed: offrl/ and grading/ become links to the repository's, which this virtualenv
    has installed (editable). Grading runs `python -m grading...` in Ray workers and sandboxes,
    where the copy's grading/ (found from the working directory) and the installed one would
    otherwise differ, and the sandbox binds only the first. With its own venv, as in CI, a clone
    needs no such thing."""
    files = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, files):
        src = repo / rel
        if not src.is_file():  # deleted in the working tree
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)
    if link_installed:
        for pkg in ("offrl", "grading"):
            shutil.rmtree(dest / pkg)
            (dest / pkg).symlink_to(repo / pkg, target_is_directory=True)
    return dest


def make(course: Path, *args: str, timeout: float = 900, use_this_venv: bool = True, env=None):
    """`make -C COURSE ARGS` with output captured. With use_this_venv (the instructor's course),
    the Makefile's .venv is this interpreter's virtualenv and is not reinstalled (`-o STAMP`): the
    copy's requirements.txt is newer than the stamp, and a reinstall would point the editable
    packages at the copy."""
    cmd = ["make", "-C", str(course)]
    env = env or env_with_venv()
    if use_this_venv:
        cmd += ["-o", str(VENV / ".installed-requirements"), f"VENV={VENV}"]
    return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=timeout)


def seed_edition_venv(edition: Path) -> Path:
    """A new virtualenv at edition/.venv that sees this virtualenv's installed distributions
    (a .pth line: their .pth files, hence the instructor's editable offrl and grading, are NOT
    processed), so the edition's own `make` installs only what is missing: its offrl, editable
    from the edition. Saves downloading ~2 GB per test run; everything else is the edition's own
    Makefile."""
    base = getattr(sys, "_base_executable", None) or shutil.which("python3")
    venv = edition / ".venv"
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
    purelib = sysconfig.get_paths()["purelib"]  # this virtualenv's site-packages
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (venv / "lib" / ver / "site-packages" / "zz_course_dependencies.pth").write_text(purelib + "\n")
    # the console scripts pip would have written (jupyter, nbgrader, ...), for the new python
    ours = f"#!{VENV_BIN / 'python'}".encode()
    for script in VENV_BIN.iterdir():
        target = venv / "bin" / script.name
        if target.exists() or not script.is_file():
            continue
        data = script.read_bytes()
        first, _, rest = data.partition(b"\n")
        if first.startswith(ours):  # "#!<venv>/bin/python" or "...python3"
            target.write_bytes(f"#!{venv / 'bin' / 'python'}".encode() + b"\n" + rest)
            target.chmod(0o755)
    return venv


def learner_env() -> dict[str, str]:
    """The environment of a learner on a server: no display, no instructor virtualenv on PATH."""
    env = headless_env()
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(VENV_BIN))
    env.pop("VIRTUAL_ENV", None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_URL = re.compile(r"(http://(?:localhost|127\.0\.0\.1):(\d+)/lab\?token=([0-9a-f]+))")


@dataclass
class Lab:
    """A JupyterLab server started in the background (its own process group)."""

    proc: subprocess.Popen
    url: str  # http://localhost:PORT/lab?token=...
    port: int
    token: str
    log: Path

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"

    def get(self, path: str, timeout: float = 30) -> tuple[int, str]:
        """(status, body) of GET base+path with the token."""
        sep = "&" if "?" in path else "?"
        req = urllib.request.Request(f"{self.base}{path}{sep}token={self.token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", errors="replace")

    def page_config(self) -> dict:
        """JupyterLab's page config (disabled extensions, ...) from the /lab page."""
        status, html = self.get("/lab")
        assert status == 200, f"/lab answered {status}"
        m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)  # fmt: skip
        assert m, "no jupyter-config-data in /lab"
        return json.loads(m.group(1))

    def stop(self) -> str:
        """Stop the server (and make, if it was started through make); return its log."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        return self.log.read_text(errors="replace")


def start_lab(cmd: list[str], cwd: Path, log: Path, timeout: float = 300, env=None) -> Lab:
    """Run `cmd` (make lab / make teach / jupyter lab ...) in the background with its output in
    `log`, and wait until it prints its URL with the token and the server answers."""
    fh = open(log, "w")  # noqa: SIM115 - the server writes to it until stopped
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=env or env_with_venv(), start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    lab = None
    try:
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            m = _URL.search(text)
            if m and lab is None:
                lab = Lab(proc, m.group(1), int(m.group(2)), m.group(3), log)
            if lab is not None:
                try:
                    if lab.get("/api/status", timeout=5)[0] == 200:
                        return lab
                except OSError:
                    pass
            if proc.poll() is not None:
                raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{text[-5000:]}")
            time.sleep(0.5)
        raise RuntimeError(f"{' '.join(cmd)}: no answering server after {timeout} s:\n"
                           f"{log.read_text(errors='replace')[-5000:]}")  # fmt: skip
    except BaseException:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        raise
