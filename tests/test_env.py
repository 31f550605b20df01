"""The gymnasium environment: API conformance, dynamics, reproducibility, observation modes."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import offrl
from offrl.env import OBS_MODES, CandyRecommenderEnv, EnvConfig, transition


@pytest.mark.parametrize("obs_mode", OBS_MODES)
def test_passes_gymnasium_env_checker(obs_mode):
    check_env(CandyRecommenderEnv(obs_mode=obs_mode), skip_render_check=True)


def test_registered_under_gymnasium_id():
    env = gym.make(offrl.ENV_ID, num_candidates=3, obs_mode="sweetness")
    obs, _ = env.reset(seed=0)
    assert obs.shape == (3,)
    assert offrl.make_env(alpha=0.3).config.alpha == 0.3


def test_seed_lecture_steps_are_reproduced_with_alpha_half():
    """The seed lecture logged three steps of a 2-candidate, sweetness-only recommender.
    Its obs were printed as float32, so rewards agree to float32 precision (~6e-8 relative)."""
    logged = [
        ([0.6545137, 0.29728338], 0, 0.6545137),
        ([0.5238871, 0.5144319], 0, 0.35244143),
        ([0.6741674, 0.10163702], 1, 0.05838316),
    ]
    sugar = 0.0
    for obs, action, reward in logged:
        r, sugar = transition(sugar, obs[action], alpha=0.5)
        assert r == pytest.approx(reward, abs=1e-6)
    # ... and a different alpha does not fit them
    sugar, errors = 0.0, []
    for obs, action, reward in logged:
        r, sugar = transition(sugar, obs[action], alpha=0.3)
        errors.append(abs(r - reward))
    assert max(errors) > 1e-3


def test_env_step_follows_the_dynamics():
    env = CandyRecommenderEnv(num_candidates=4, alpha=0.7, max_steps=30, obs_mode="sugar")
    obs, info = env.reset(seed=3)
    sugar = 0.0
    rng = np.random.default_rng(0)
    for t in range(30):
        assert obs[-1] == pytest.approx(sugar, abs=1e-6)  # the observation carries sugar
        a = int(rng.integers(4))
        obs2, r, terminated, truncated, info = env.step(a)
        expect_r = (1 - sugar) * obs[a]
        sugar = 0.7 * sugar + 0.3 * obs[a]
        assert r == pytest.approx(expect_r, rel=1e-5)
        assert info["sugar"] == pytest.approx(sugar, rel=1e-5)
        assert not terminated
        assert truncated == (t == 29)
        obs = obs2


def test_reset_with_seed_is_reproducible_and_seeds_differ():
    def trace(seed):
        env = CandyRecommenderEnv()
        obs, _ = env.reset(seed=seed)
        out = [obs]
        for a in [0, 1, 2, 3, 4, 0]:
            out.append(env.step(a)[0])
        return np.array(out)

    np.testing.assert_array_equal(trace(7), trace(7))
    assert not np.array_equal(trace(7), trace(8))


def test_history_observation_holds_last_recommendations_most_recent_first():
    env = CandyRecommenderEnv(num_candidates=3, obs_mode="history", history_len=2)
    obs, _ = env.reset(seed=1)
    np.testing.assert_array_equal(obs[3:], [0, 0])
    first = obs[1]
    obs, *_ = env.step(1)
    np.testing.assert_allclose(obs[3:], [first, 0])
    second = obs[2]
    obs, *_ = env.step(2)
    np.testing.assert_allclose(obs[3:], [second, first])


@pytest.mark.parametrize("obs_mode, dim", [("sweetness", 5), ("sugar", 6), ("history", 8)])
def test_observation_sizes(obs_mode, dim):
    cfg = EnvConfig(obs_mode=obs_mode, history_len=3)
    assert cfg.obs_dim == dim
    obs, _ = CandyRecommenderEnv(cfg).reset(seed=0)
    assert obs.shape == (dim,) and obs.dtype == np.float32


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(num_candidates=1),
        dict(alpha=1.0),
        dict(alpha=-0.1),
        dict(max_steps=0),
        dict(obs_mode="pixels"),
        dict(history_len=0),
    ],
)
def test_bad_config_is_rejected(kwargs):
    with pytest.raises(ValueError):
        EnvConfig(**kwargs)


@pytest.mark.parametrize("action", [5, -1, 1.5, "0"])
def test_invalid_action_is_rejected(action):
    env = CandyRecommenderEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(action)
