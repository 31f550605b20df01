"""offrl.recording: the behaviour policy as an RLlib RLModule, reading RLlib's recordings, and the
facts about RLlib 2.60's recorder that lesson 02 states (checked against the installed RLlib)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from offrl import EnvConfig, SoftmaxSweetness, behaviour_policy, rollout

recording = pytest.importorskip("offrl.recording")  # imports Ray and torch

# every EnvRunner re-registers RLlib's env wrapper with gymnasium, which then warns (harmless)
pytestmark = pytest.mark.filterwarnings("ignore:.*Overriding environment rllib-single-agent-env-v0")


# ---------------------------------------------------------------------------------------------
# BehaviourPolicyModule
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "config,temperature",
    [(EnvConfig(), 0.2), (EnvConfig(num_candidates=3, obs_mode="history"), 0.7)],
)
def test_module_is_the_softmax_policy(config, temperature):
    import torch
    from ray.rllib.core.columns import Columns

    module = recording.behaviour_module_spec(config, temperature).build()
    obs = np.random.default_rng(0).random((64, config.obs_dim)).astype(np.float32)
    out = module.forward_exploration({Columns.OBS: torch.from_numpy(obs)})
    dist = module.get_exploration_action_dist_cls().from_logits(out[Columns.ACTION_DIST_INPUTS])
    k = config.num_candidates
    # RLlib's own distribution: the probability it records (exp of logp) for every action
    probs = np.stack(
        [np.exp(dist.logp(torch.full((64,), a, dtype=torch.int64)).numpy()) for a in range(k)], axis=1
    )
    # float32 softmax in torch vs float64 in numpy: relative rounding ~1e-7; 1e-5 is ample and far
    # below any real difference (another temperature changes probabilities by > 1e-2).
    np.testing.assert_allclose(probs, SoftmaxSweetness(config, temperature)(obs), rtol=1e-5, atol=1e-7)


def test_module_spec_defaults_to_the_course_behaviour_policy():
    spec = recording.behaviour_module_spec()
    assert spec.model_config == {"num_candidates": 5, "temperature": 0.2}
    assert spec.module_class is recording.BehaviourPolicyModule
    assert behaviour_policy(EnvConfig()).temperature == 0.2


def test_module_rejects_a_non_positive_temperature():
    with pytest.raises(ValueError, match="temperature"):
        recording.behaviour_module_spec(EnvConfig(), 0.0).build()


# ---------------------------------------------------------------------------------------------
# Reading recordings (no Ray needed)
# ---------------------------------------------------------------------------------------------
def _fake_rows(n=3, compress=True):
    from ray.rllib.utils.compression import pack

    ro = rollout(behaviour_policy(EnvConfig(max_steps=n)), 1, EnvConfig(max_steps=n), seed=0)
    rows = []
    for t in range(n):
        obs, new_obs = ro.obs[0, t], ro.next_obs[0, t]
        rows.append({
            "eps_id": "abc", "obs": pack(obs) if compress else obs.tolist(),
            "actions": int(ro.actions[0, t]), "rewards": float(ro.rewards[0, t]),
            "new_obs": pack(new_obs) if compress else new_obs.tolist(),
            "terminateds": False, "truncateds": t == n - 1,
            "action_logp": float(np.log(ro.action_prob[0, t])),
        })  # fmt: skip
    return ro, rows


def test_read_recording_decompresses_json_in_writing_order(tmp_path):
    ro, rows = _fake_rows(4)
    env_dir = tmp_path / "candyrecommenderenv"
    for k, chunk in ((9, rows[:2]), (100000, rows[2:])):  # two writes, as RLlib names them
        d = env_dir / ("run-000000" + f"-{k}".zfill(6))  # RLlib's own naming
        d.mkdir(parents=True)
        (d / "x_000000.json").write_text("".join(json.dumps(r) + "\n" for r in chunk))
    (env_dir / "notes.txt").write_text("not data")
    files = recording.recorded_files(tmp_path)
    # RLlib pads the call number to 5 digits only: -100000 sorts before -00009 as text
    assert [f.parent.name for f in files] == ["run-000000-00009", "run-000000-100000"]
    assert isinstance(recording.read_rows(files[0])[0]["obs"], str)  # as stored: compressed
    back = recording.read_recording(tmp_path)
    assert len(back) == 4
    np.testing.assert_array_equal(np.stack([r["obs"] for r in back]), ro.obs[0])
    np.testing.assert_array_equal(np.stack([r["new_obs"] for r in back]), ro.next_obs[0])
    raw = recording.read_recording(tmp_path, decompress=False)
    assert isinstance(raw[0]["obs"], str)


def test_read_recording_plain_lists_and_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    ro, rows = _fake_rows(3, compress=False)
    (tmp_path / "run-000000-00001").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "run-000000-00001" / "a.parquet")
    back = recording.read_recording(tmp_path)
    assert isinstance(back[0]["obs"], np.ndarray)
    np.testing.assert_array_equal(np.stack([r["obs"] for r in back]), ro.obs[0])


def test_read_recording_of_nothing_raises(tmp_path):
    assert recording.recorded_files(tmp_path / "missing") == []
    with pytest.raises(FileNotFoundError, match="no recorded data"):
        recording.read_recording(tmp_path)


# ---------------------------------------------------------------------------------------------
# What RLlib 2.60 actually records (one Ray start for all checks)
# ---------------------------------------------------------------------------------------------
RLLIB_COLUMNS = {
    "eps_id", "agent_id", "module_id", "obs", "actions", "rewards", "new_obs", "terminateds",
    "truncateds", "action_dist_inputs", "action_logp", "weights_seq_no",
}  # fmt: skip


@pytest.fixture(scope="module")
def ray_session():
    from offrl.ray_setup import init_ray, shutdown_ray

    init_ray(num_cpus=1)
    yield
    shutdown_ray()


def _record(out, calls, episodes_per_call, steps=10, **offline):
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.offline.offline_env_runner import OfflineSingleAgentEnvRunner

    from offrl import CandyRecommenderEnv

    cfg = EnvConfig(max_steps=steps)
    config = (
        PPOConfig()
        .environment(CandyRecommenderEnv, env_config=cfg.to_dict())
        .env_runners(num_env_runners=0)
        .rl_module(rl_module_spec=recording.behaviour_module_spec(cfg))
        .offline_data(output=str(out), output_write_episodes=False, output_write_method="write_json",
                      **offline)  # fmt: skip
        .debugging(seed=0)
    )
    runner = OfflineSingleAgentEnvRunner(config=config, worker_index=0)
    sampled = sum(len(ep) for _ in range(calls) for ep in runner.sample(num_episodes=episodes_per_call))
    runner.stop()
    return cfg, sampled


def test_rllib_records_rows_with_logp_but_no_prob_and_no_t(tmp_path, ray_session):
    cfg, sampled = _record(
        tmp_path, calls=5, episodes_per_call=1, output_max_rows_per_file=20,
        output_write_remaining_data=True, output_write_method_kwargs={"min_rows_per_file": 20},
    )  # fmt: skip
    files = recording.recorded_files(tmp_path)
    assert [len(recording.read_rows(f)) for f in files] == [20, 20, 10]
    raw = recording.read_rows(files[0])[0]
    assert set(raw) == RLLIB_COLUMNS  # no "t", no "action_prob"
    assert isinstance(raw["obs"], str) and isinstance(raw["eps_id"], str)  # compressed; uuid
    rows = recording.read_recording(tmp_path)
    assert len(rows) == sampled == 50
    obs = np.stack([r["obs"] for r in rows])
    actions = np.array([r["actions"] for r in rows])
    mu = behaviour_policy(cfg)(obs)[np.arange(len(rows)), actions]
    # torch float32 log-softmax written with 10 significant digits: ~1e-7 relative
    np.testing.assert_allclose(np.exp([r["action_logp"] for r in rows]), mu, rtol=1e-5)
    assert [r["truncateds"] for r in rows].count(True) == 5


def test_rllib_drops_chunks_when_one_sample_exceeds_twice_the_file_size(tmp_path, ray_session):
    """RLlib 2.60's while loop in OfflineSingleAgentEnvRunner.sample() writes only the last
    N-row chunk (lesson 02 warns about it; if this fails, RLlib fixed it: update the lesson)."""
    _, sampled = _record(tmp_path, calls=1, episodes_per_call=3, output_max_rows_per_file=10,
                         output_write_remaining_data=True)  # fmt: skip
    assert sampled == 30
    assert len(recording.read_recording(tmp_path)) == 10


def test_rllib_rewrites_the_whole_buffer_without_max_rows(tmp_path, ray_session):
    """Without output_max_rows_per_file every sample() writes the whole (never emptied) buffer."""
    _, sampled = _record(tmp_path, calls=3, episodes_per_call=1)
    assert sampled == 30
    assert len(recording.read_recording(tmp_path)) == 10 + 20 + 30
    # and, without output_write_method_kwargs={"min_rows_per_file": N}, one file per row
    assert len(recording.recorded_files(tmp_path)) == 10 + 20 + 30


def test_rllib_default_episode_recording_needs_msgpack_numpy(tmp_path, ray_session):
    """The default output_write_episodes=True imports msgpack_numpy, which ray[rllib] does not
    install (lesson 02 says so; if this fails, the dependency changed: update the lesson)."""
    pytest.importorskip("msgpack")
    try:
        import msgpack_numpy  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("msgpack_numpy is installed here")
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.offline.offline_env_runner import OfflineSingleAgentEnvRunner

    from offrl import CandyRecommenderEnv

    cfg = EnvConfig(max_steps=3)
    config = (
        PPOConfig()
        .environment(CandyRecommenderEnv, env_config=cfg.to_dict())
        .env_runners(num_env_runners=0)
        .rl_module(rl_module_spec=recording.behaviour_module_spec(cfg))
        .offline_data(output=str(tmp_path))  # all defaults: episodes, Parquet
    )
    runner = OfflineSingleAgentEnvRunner(config=config, worker_index=0)
    with pytest.raises(ModuleNotFoundError, match="msgpack_numpy"):
        runner.sample(num_episodes=1)
