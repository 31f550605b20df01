"""Quiet, safe Ray start-up."""

import subprocess
import sys
import textwrap

import pytest

from offrl import ray_setup


def test_init_ray_is_quiet_and_works(tmp_path):
    """A learner's first Ray cell: nothing on stderr (C++ core included), tasks run."""
    code = textwrap.dedent(
        """
        from offrl.ray_setup import init_ray, shutdown_ray
        init_ray(num_cpus=1)
        init_ray(num_cpus=1)  # idempotent
        import builtins, ray
        print(ray.get(ray.remote(lambda: 40 + 2).remote()))
        # Ray's background thread creates this the first time it relays a cluster message (at
        # any moment); it must not replace builtins.print (the grading guard flags that)
        from ray.experimental import tqdm_ray
        before = builtins.print
        tqdm_ray.instance()
        assert builtins.print is before, "Ray replaced builtins.print"
        shutdown_ray()
        """
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "RAY_ADDRESS"}
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    # one line saying why the cell waits (the second, idempotent call says nothing), then 42
    assert res.stdout.strip().splitlines() == [
        "Starting Ray (the engine under RLlib); this takes 10-20 s ...", "42"
    ], res.stdout
    assert res.stderr == ""


class FakeRay:
    def __init__(self):
        self.calls = []

    def is_initialized(self):
        return False

    def init(self, **kwargs):
        self.calls.append(kwargs)

    def get_runtime_context(self):
        return "ctx"


@pytest.fixture
def fake_ray(monkeypatch):
    fake = FakeRay()
    monkeypatch.setitem(sys.modules, "ray", fake)
    return fake


def test_ray_address_connects_to_an_existing_cluster(fake_ray, monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", "ray://head-node:10001")
    ray_setup.init_ray(num_cpus=2)
    (call,) = fake_ray.calls
    assert call["address"] == "ray://head-node:10001"
    assert "num_cpus" not in call and "include_dashboard" not in call  # not allowed for clients
    assert call["log_to_driver"] is False


def test_local_start_is_quiet_and_sized(fake_ray, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ray_setup.init_ray(num_cpus=2)
    (call,) = fake_ray.calls
    assert call["num_cpus"] == 2 and call["include_dashboard"] is False
    assert "address" not in call


def test_benign_stderr_lines_are_dropped_and_others_kept(capfd):
    import os

    with ray_setup._filtered_fd_stderr():
        os.write(2, b"[2026 I 1 1] logging.cc:303: Set ray log level from environment variable X\n")
        os.write(2, b"a real error\n")
    err = capfd.readouterr().err
    assert "a real error" in err and "Set ray log level" not in err


def test_offline_data_kwargs_use_one_pre_learner_actor():
    kwargs = ray_setup.offline_data_kwargs()
    assert kwargs["map_batches_kwargs"]["compute"].min_size == 1
    assert kwargs["materialize_mapped_data"] is True and kwargs["materialize_data"] is False
