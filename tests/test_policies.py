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


def _softmax_reference(x, temperature=1.0):
    """The textbook formula on a C-ordered float64 array (the definition the fast path keeps)."""
    z = np.asarray(x, dtype=np.float64) / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("k", range(1, 10))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_softmax_fast_path_is_bit_identical_to_the_formula(k, dtype):
    """softmax works on a transposed copy for K <= 7 (and the plain formula above): the numbers
    must not change by a single bit, including huge, tiny and -inf logits, or the canonical
    dataset (sampled from a softmax policy) would change."""
    from offrl.policies import softmax

    rng = np.random.default_rng(k)
    for scale in (1e-3, 1.0, 30.0, 1e3):
        x = (rng.normal(size=(997, k)) * scale).astype(dtype)
        if dtype is not np.int64 and k > 1:
            x[3, 0] = -np.inf  # an action ruled out
        for tau in (1.0, 0.2, 3.0):
            got = softmax(x, temperature=tau)
            assert got.shape == (997, k) and got.dtype == np.float64
            np.testing.assert_array_equal(got, _softmax_reference(x, tau))


def test_softmax_other_axes_and_shapes():
    from offrl.policies import softmax

    x = np.random.default_rng(0).normal(size=(4, 3, 6))
    np.testing.assert_allclose(softmax(x, axis=1).sum(axis=1), 1.0)
    np.testing.assert_array_equal(softmax(x[0], axis=0), _softmax_reference(x[0].T).T)
    np.testing.assert_array_equal(softmax(np.zeros((0, 5))), np.zeros((0, 5)))


def test_softmax_sweetness_reads_float32_observations_without_converting_them(obs):
    """The policy converts only the sweetness columns; float32 and float64 observations give
    the same probabilities."""
    pol = SoftmaxSweetness(EnvConfig(), 0.2)
    np.testing.assert_array_equal(pol(obs), pol(obs.astype(np.float64)))
    np.testing.assert_array_equal(pol(obs), _softmax_reference(obs[:, :5], 0.2))
