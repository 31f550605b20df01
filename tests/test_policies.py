"""Reference policies return valid probability rows and behave as documented."""

import numpy as np
import pytest

from offrl import EnvConfig, GreedySweetest, SoftmaxSweetness, SugarAware, UniformRandom, sample_actions
from offrl.policies import estimate_sugar


@pytest.fixture
def obs():
    rng = np.random.default_rng(0)
    return rng.random((500, 6)).astype(np.float32)


@pytest.mark.parametrize(
    "make",
    [UniformRandom, GreedySweetest, lambda c: SoftmaxSweetness(c, 0.2), SugarAware,
     lambda c: SugarAware(c, temperature=0.1)],
)
def test_rows_are_probability_distributions(make, obs):
    p = make(EnvConfig())(obs)
    assert p.shape == (500, 5)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_softmax_formula_and_limits(obs):
    cfg = EnvConfig()
    x = obs[:, :5].astype(float)
    expect = np.exp(x / 0.2) / np.exp(x / 0.2).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(SoftmaxSweetness(cfg, 0.2)(obs), expect)
    np.testing.assert_allclose(SoftmaxSweetness(cfg, 1e-4)(obs), GreedySweetest(cfg)(obs), atol=1e-6)
    np.testing.assert_allclose(SoftmaxSweetness(cfg, 1e4)(obs), UniformRandom(cfg)(obs), atol=1e-4)


def test_sugar_aware_switches_at_the_threshold():
    cfg = EnvConfig(num_candidates=3)
    obs = np.array([[0.2, 0.9, 0.5, 0.1], [0.2, 0.9, 0.5, 0.8]])
    np.testing.assert_array_equal(SugarAware(cfg, threshold=0.5)(obs), [[0, 1, 0], [1, 0, 0]])


def test_history_mode_estimates_sugar_from_recent_recommendations():
    cfg = EnvConfig(num_candidates=2, alpha=0.5, obs_mode="history", history_len=3)
    obs = np.array([[0.1, 0.2, 0.8, 0.4, 0.2]])
    expect = 0.5 * (0.8 + 0.5 * 0.4 + 0.25 * 0.2)
    assert estimate_sugar(obs, cfg)[0] == pytest.approx(expect)
    with pytest.raises(ValueError, match="sweetness"):
        SugarAware(EnvConfig(obs_mode="sweetness"))


def test_wrong_observation_shape_is_a_clear_error():
    with pytest.raises(ValueError, match=r"shape \(n, 6\)"):
        UniformRandom(EnvConfig())(np.zeros((3, 5)))


def test_sample_actions_follows_probabilities():
    rng = np.random.default_rng(0)
    probs = np.tile([0.1, 0.0, 0.6, 0.3], (100_000, 1))
    freq = np.bincount(sample_actions(probs, rng), minlength=4) / 100_000
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.6, 0.3], atol=0.006)  # > 4 binomial SE
    assert np.all(sample_actions(np.tile([0.0, 1.0], (1000, 1)), rng) == 1)
