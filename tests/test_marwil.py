"""offrl.marwil: the MARWIL training table, the numpy copy of an RLModule, and the shipped
BC / MARWIL policies (data/*_policy.npz) that lesson 05 loads without Ray or torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import offrl
from offrl import marwil
from offrl.dataset import RETURN_TO_GO_GAMMA

CONFIG = offrl.canonical_config()
EVAL_EPISODES = 2000


@pytest.fixture(scope="module")
def log():
    return offrl.load_canonical()


@pytest.fixture(scope="module")
def shipped():
    return {name: marwil.load_trained_policy(name) for name in marwil.TRAINED_POLICY_NAMES}


# ---------------------------------------------------------------------------------------------
# The training table
# ---------------------------------------------------------------------------------------------
def test_training_table_rewards_are_the_files_return_to_go(log):
    """With the file's discount, the table's rewards are the file's own return_to_go column
    (written independently by offrl.dataset.write_jsonl)."""
    table = marwil.training_table(log, RETURN_TO_GO_GAMMA)
    m = log.mask
    # The column is written with repr(float64): exact up to the float64 round trip.
    assert np.allclose(table["rewards"], log.extras["return_to_go"][m], rtol=1e-12, atol=1e-12)
    assert table["terminateds"].all() and not table["truncateds"].any()
    assert np.array_equal(table["actions"], log.actions[m])
    assert np.array_equal(table["obs"], log.obs[m])
    assert np.array_equal(table["new_obs"], log.new_obs[m])
    assert set(table) == set(marwil.TRAINING_COLUMNS)


def test_training_table_by_hand():
    """Two episodes of lengths 3 and 1 (padding must be skipped), gamma = 0.5."""
    ro = offrl.rollout(offrl.UniformRandom(CONFIG), 2, CONFIG, seed=3)
    eps = offrl.Episodes.from_rollouts(ro)
    eps.rewards[:] = 0.0
    eps.rewards[0, :3] = [1.0, 2.0, 4.0]
    eps.rewards[1, 0] = 8.0
    eps.rewards[1, 1:] = 100.0  # padding: must not count
    eps.mask = np.arange(CONFIG.max_steps)[None, :] < np.array([[3], [1]])
    table = marwil.training_table(eps, 0.5)
    assert np.allclose(table["rewards"], [1 + 0.5 * 2 + 0.25 * 4, 2 + 0.5 * 4, 4.0, 8.0])
    assert list(table["eps_id"]) == [0, 0, 0, 1]


def test_training_file_round_trip(tmp_path, log):
    import json

    table = marwil.training_table(log.subset(slice(0, 2)), 0.8)
    path = marwil.write_training_file(table, tmp_path / "t.json")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == len(table["actions"])
    assert set(rows[0]) == set(marwil.TRAINING_COLUMNS)
    assert np.allclose([r["rewards"] for r in rows], table["rewards"], rtol=1e-15)
    assert np.array_equal(np.array([r["obs"] for r in rows], np.float32), table["obs"])
    assert all(r["terminateds"] is True and r["truncateds"] is False for r in rows)


def test_advantage_weights_by_hand():
    w = marwil.advantage_weights([1.0, 3.0, 0.0], [1.0, 1.0, 1.0], beta=0.5, sqd_adv_norm=4.0)
    # c = 2: exp(0.5 * A / 2) for A = 0, 2, -1; RLlib's 1e-8 added to c changes ~5e-9 relative.
    assert np.allclose(w, np.exp([0.0, 0.5, -0.25]), rtol=1e-7)
    assert np.allclose(marwil.advantage_weights([5.0, -5.0], [0.0, 0.0], 0.0, 100.0), 1.0)


# ---------------------------------------------------------------------------------------------
# numpy copy of an RLModule
# ---------------------------------------------------------------------------------------------
def _module(**model_config):
    from offrl.ray_setup import quiet_environment

    quiet_environment()
    import torch
    from ray.rllib.algorithms.ppo.torch.default_ppo_torch_rl_module import (
        DefaultPPOTorchRLModule,
    )
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec

    torch.manual_seed(0)
    spec = RLModuleSpec(
        module_class=DefaultPPOTorchRLModule,
        observation_space=CONFIG.observation_space(),
        action_space=CONFIG.action_space(),
        model_config=DefaultModelConfig(**model_config),
    )
    module = spec.build()
    # Initial pi heads are near zero; perturb every weight so the comparison is not trivial.
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return module


@pytest.mark.parametrize(
    "model_config",
    [
        dict(fcnet_hiddens=[64, 64], vf_share_layers=False),  # the course's module
        dict(fcnet_hiddens=[64, 64], vf_share_layers=True),  # RLlib's default: shared encoder
        dict(fcnet_hiddens=[32], fcnet_activation="relu", head_fcnet_hiddens=[16],
             head_fcnet_activation="tanh"),
    ],  # fmt: skip
    ids=["separate-vf", "shared-encoder", "relu-head-hidden"],
)
def test_numpy_logits_match_torch(model_config, log, tmp_path):
    import torch

    module = _module(**model_config)
    policy = marwil.MLPPolicy.from_module(module, CONFIG)
    obs = log.obs[log.mask][:500]
    with torch.no_grad():
        expected = module.forward_inference({"obs": torch.as_tensor(obs)})["action_dist_inputs"]
    # torch computes in float32 (~1e-7 relative per op), numpy in float64 from the same
    # float32 weights: logits of order 1-10 agree to ~1e-6; 1e-5 is the contract.
    assert np.allclose(policy.logits(obs), expected.numpy(), rtol=0, atol=1e-5)
    probs = policy(obs)
    assert probs.shape == (500, CONFIG.num_candidates)
    assert np.allclose(probs.sum(axis=1), 1.0)
    # Saved and loaded: the same numbers.
    again = marwil.MLPPolicy.load(policy.save(tmp_path / "p.npz"))
    assert np.array_equal(again.logits(obs), policy.logits(obs))
    assert again.activations == policy.activations


def test_blocked_forward_equals_one_block(log, shipped):
    """MLPPolicy multiplies in blocks of rows; the result must not depend on the batch size."""
    obs = log.obs[log.mask]
    p = shipped["marwil"]
    whole = np.concatenate([p.logits(obs[i : i + 1]) for i in range(0, 300)])
    assert np.allclose(p.logits(obs[:300]), whole, rtol=0, atol=1e-12)


def test_mlp_policy_rejects_what_does_not_fit(shipped):
    p = shipped["bc"]
    with pytest.raises(ValueError, match="shape"):
        p(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="obs_dim"):
        marwil.MLPPolicy(p.weights, p.biases, p.activations, offrl.EnvConfig(obs_mode="sweetness"))
    with pytest.raises(ValueError, match="activation"):
        marwil.MLPPolicy(p.weights, p.biases, ["tanh", "tanh", "softsign"])
    with pytest.raises(ValueError, match="name"):
        marwil.load_trained_policy("cql")


# ---------------------------------------------------------------------------------------------
# The shipped policies
# ---------------------------------------------------------------------------------------------
def test_loading_needs_neither_ray_nor_torch(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from offrl.marwil import load_trained_policy
        from offrl import canonical_config, rollout, behaviour_policy
        obs = rollout(behaviour_policy(canonical_config()), 4, seed=0).obs.reshape(-1, 6)
        for name in ("bc", "marwil"):
            p = load_trained_policy(name)
            probs = p(obs)
            assert probs.shape == (len(obs), 5) and np.allclose(probs.sum(axis=1), 1)
        heavy = sorted(m for m in ("ray", "torch") if m in sys.modules)
        print("imported:", heavy)
        """
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "imported: []", res.stdout
    assert res.stderr == "", res.stderr


def test_shipped_policies_were_trained_with_the_course_settings(shipped):
    """data/*.npz are stale if offrl.marwil.COURSE_SETTINGS changed: rerun
    scripts/train_policies.py."""
    for name, p in shipped.items():
        meta = p.metadata
        expected = {**marwil.COURSE_SETTINGS, "beta": 0.0 if name == "bc" else
                    marwil.COURSE_SETTINGS["beta"]}  # fmt: skip
        assert meta["name"] == name
        assert meta["settings"] == expected, f"{name}: regenerate with scripts/train_policies.py"
        assert meta["iterations"] == marwil.COURSE_ITERATIONS


@pytest.mark.parametrize("seed", [12345, 777])
def test_shipped_marwil_beats_behaviour_and_bc(shipped, seed):
    """In the simulator, on the same users (common random numbers), MARWIL's return exceeds the
    behaviour policy's and BC's by more than 3 standard errors of the paired difference."""
    behaviour = offrl.behaviour_policy(CONFIG)
    for other, label in ((behaviour, "behaviour"), (shipped["bc"], "BC")):
        d, se = marwil.paired_difference(shipped["marwil"], other, CONFIG, EVAL_EPISODES, seed)
        assert d > 3 * se, f"MARWIL - {label} = {d:.3f} ± {se:.3f}"


def test_shipped_bc_imitates(shipped, log):
    """BC maximises the likelihood of the logged actions: it fits them better than MARWIL (which
    re-weights them) and its value is closer to the behaviour policy's."""
    m = log.mask
    rows = np.arange(int(m.sum()))

    def loglik(p):
        return np.mean(np.log(p(log.obs[m])[rows, log.actions[m]]))

    assert loglik(shipped["bc"]) > loglik(shipped["marwil"])
    behaviour = offrl.behaviour_policy(CONFIG)
    d_bc, _ = marwil.paired_difference(shipped["bc"], behaviour, CONFIG, EVAL_EPISODES, 12345)
    d_mw, _ = marwil.paired_difference(shipped["marwil"], behaviour, CONFIG, EVAL_EPISODES, 12345)
    assert abs(d_bc) < abs(d_mw)


def test_paired_difference_is_exact_for_identical_policies():
    b = offrl.behaviour_policy(CONFIG)
    d, se = marwil.paired_difference(b, b, CONFIG, 200, 5)
    assert d == 0.0 and se == 0.0


def test_sqd_adv_norm_trace_by_hand():
    """c2 <- c2 + rate * (a_k - c2) before update k, as RLlib's MARWIL learner does."""
    trace = marwil.sqd_adv_norm_trace(100.0, 0.5, [4.0, 0.0, 2.0])
    assert np.allclose(trace, [52.0, 26.0, 14.0])
    assert np.array_equal(marwil.sqd_adv_norm_trace(3.0, 0.0, np.ones(4)), np.full(4, 3.0))
    assert np.array_equal(marwil.sqd_adv_norm_trace(3.0, 1.0, [5.0, 7.0]), [5.0, 7.0])
    # RLlib's defaults: c**2 stays at 100 however small the advantages are.
    assert np.allclose(marwil.sqd_adv_norm_trace(100.0, 1e-8, np.full(200, 0.05)), 100.0, rtol=1e-5)


def test_module_from_checkpoint_reads_the_policy_component(tmp_path, log):
    """The module lives at learner_group/learner/rl_module/default_policy of an algorithm's
    checkpoint (save_to_path writes the MultiRLModule at rl_module/, one folder per module)."""
    import torch
    from ray.rllib.algorithms.ppo.torch.default_ppo_torch_rl_module import (
        DefaultPPOTorchRLModule,
    )
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
    from ray.rllib.core.rl_module.multi_rl_module import MultiRLModuleSpec
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec

    _module()  # quiet environment
    spec = RLModuleSpec(
        module_class=DefaultPPOTorchRLModule,
        observation_space=CONFIG.observation_space(),
        action_space=CONFIG.action_space(),
        model_config=DefaultModelConfig(fcnet_hiddens=[64, 64], vf_share_layers=False),
    )
    multi = MultiRLModuleSpec(rl_module_specs={"default_policy": spec}).build()
    module = multi["default_policy"]
    torch.manual_seed(1)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.3 * torch.randn_like(p))
    ck = tmp_path / "checkpoint"
    multi.save_to_path(ck / "learner_group" / "learner" / "rl_module")
    restored = marwil.module_from_checkpoint(str(ck))
    obs = torch.as_tensor(log.obs[log.mask][:50])
    with torch.no_grad():
        a = module.forward_inference({"obs": obs})["action_dist_inputs"]
        b = restored.forward_inference({"obs": obs})["action_dist_inputs"]
    assert restored is not module and torch.equal(a, b)
