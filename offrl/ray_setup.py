"""Quiet, safe Ray start-up for notebooks and tests.

``init_ray()`` starts (or joins) Ray without the walls of warnings a learner would otherwise see,
and ``offline_data_kwargs()`` gives the ``AlgorithmConfig.offline_data`` settings that train from
a file without deadlocking a 2-CPU machine. See ``shared/RLLIB_NOTES.md`` for the measurements.

If the environment variable ``RAY_ADDRESS`` is set (e.g. ``ray://head:10001`` or ``auto``),
``init_ray`` connects to that existing cluster instead of starting a local one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import warnings

#: Environment variables that silence Ray's start-up noise. Set before ``import ray`` and
#: inherited by Ray's worker processes.
QUIET_ENV = {
    "RAY_AUTH_MODE": "disabled",  # token-auth warning
    "RAY_DATA_DISABLE_PROGRESS_BARS": "1",  # Ray Data progress bars in the notebook
    "RAY_BACKEND_LOG_LEVEL": "fatal",  # C++ lines such as "max_restarts"
    "RAY_DEDUP_LOGS": "0",
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage-stats notice, no network attempt
    "RAY_DISABLE_IMPORT_WARNING": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",  # RLlib deprecation warnings in workers
    "TUNE_DISABLE_AUTO_CALLBACK_LOGGERS": "1",
    # Ray's driver replaces builtins.print (tqdm_ray.safe_print) the first time its background
    # thread relays a message from the cluster, at a moment no cell chose; the grading guard
    # rightly flags a replaced builtin, and the learner gains nothing from the patch.
    "RAY_TQDM_PATCH_PRINT": "0",
}


def quiet_environment() -> None:
    """Set :data:`QUIET_ENV` (without overriding what the user set) and mute Python warnings
    and loggers that RLlib and Ray Data use for notices, not errors."""
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*install gputil.*")
    # RLlib re-registers its env wrapper with gymnasium for every EnvRunner after the first
    warnings.filterwarnings("ignore", message=r".*Overriding environment rllib-single-agent-env-v0")
    for name in ("ray", "ray.rllib", "ray.data", "ray.tune", "ray.train"):
        logging.getLogger(name).setLevel(logging.ERROR)


#: Lines Ray's C++ core writes straight to file descriptor 2 at start-up that are notices, not
#: errors (ipykernel forwards fd-level output into the notebook, so they would show up there).
BENIGN_STDERR = (
    re.compile(r"logging\.cc:\d+: Set ray log level from environment variable"),
    # A machine without a route to the internet (the grading sandbox, an offline laptop): Ray
    # falls back to the loopback address, which is what a single-machine course uses anyway.
    re.compile(
        r"network_util\.cc:\d+: (?:Failed to determine local IP|Hostname resolution failed"
        r"|Unable to detect local IP)"
    ),
)


@contextlib.contextmanager
def _filtered_fd_stderr():
    """Capture what is written to fd 2 (C++ included); re-emit all but :data:`BENIGN_STDERR`."""
    fd = 2  # the C++ core writes to the process's fd 2, whatever sys.stderr is
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            for line in tmp.read().decode("utf-8", "replace").splitlines():
                if line.strip() and not any(p.search(line) for p in BENIGN_STDERR):
                    print(line, file=sys.stderr)


def init_ray(num_cpus: int | None = None, **kwargs):
    """Start a quiet local Ray (or connect to ``RAY_ADDRESS``); idempotent.

    Returns the ``ray`` module's context. Extra keyword arguments go to ``ray.init``.
    """
    quiet_environment()
    import ray

    if ray.is_initialized():
        return ray.get_runtime_context()
    options = dict(
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
        configure_logging=True,
    )
    address = os.environ.get("RAY_ADDRESS")
    if address:
        options["address"] = address
        options.pop("include_dashboard")
    elif num_cpus is not None:
        options["num_cpus"] = num_cpus
    options.update(kwargs)
    # Ray takes 10-20 s to start: tell the learner why the cell is waiting
    print("Starting Ray (the engine under RLlib); this takes 10-20 s ...", flush=True)
    for attempt in (1, 2):
        try:
            with _filtered_fd_stderr():
                ray.init(**options)
            break
        except Exception as e:
            # Ray waits a hard-coded 30 s for its raylet; on a busy 2-core machine (autograding
            # a class, CI) that can pass. One clean retry is enough in practice.
            if attempt == 2 or "timed out during startup" not in str(e):
                raise
            ray.shutdown()
    try:
        from ray.data import DataContext

        DataContext.get_current().enable_progress_bars = False
    except Exception:  # pragma: no cover - older Ray Data
        pass
    quiet_environment()  # ray.init re-configures its loggers
    return ray.get_runtime_context()


def shutdown_ray() -> None:
    """Stop the local Ray started by :func:`init_ray` (no-op if none)."""
    import ray

    if ray.is_initialized():
        ray.shutdown()


def offline_data_kwargs() -> dict:
    """Settings for ``AlgorithmConfig.offline_data`` that train from a file on 2 CPUs:

    * the connector pipeline runs once and its output is kept (``materialize_mapped_data``)
      instead of restarting the pre-learner actors every iteration (6-8 s each);
    * one pre-learner actor, so the read task always finds a free CPU (two actors deadlock).
    """
    from ray.data import ActorPoolStrategy

    return dict(
        materialize_data=False,
        materialize_mapped_data=True,
        map_batches_kwargs={"concurrency": None, "compute": ActorPoolStrategy(size=1)},
    )
