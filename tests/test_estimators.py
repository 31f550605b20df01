"""Reference off-policy estimators: hand-computed cases, the on-policy case, unbiasedness,
and the cross-check against RLlib's own old-stack estimators."""

import numpy as np
import pytest

from offrl import (
    EnvConfig,
    Episodes,
    PerDecisionIS,
    PerDecisionWIS,
    SoftmaxSweetness,
    SugarAware,
    TrajectoryIS,
    UniformRandom,
    WeightedIS,
    effective_sample_size,
    evaluate_policy,
    importance_ratios,
    rllib_summary,
    rollout,
)
from offrl.estimators import OnPolicy, cumulative_weights


def make_episodes(rewards, behaviour, target):
    """Episodes from ragged lists of per-step rewards and probabilities (obs are dummies)."""
    n, T = len(rewards), max(len(r) for r in rewards)
    pad = lambda rows, fill: np.array([list(r) + [fill] * (T - len(r)) for r in rows], float)  # noqa: E731
    mask = pad([[1] * len(r) for r in rewards], 0).astype(bool)
    eps = Episodes(
        eps_id=np.arange(n), obs=np.zeros((n, T, 2), np.float32), actions=np.zeros((n, T), int),
        rewards=pad(rewards, 0), new_obs=np.zeros((n, T, 2), np.float32),
        terminateds=np.zeros((n, T), bool), truncateds=mask & ~np.roll(mask, -1, axis=1),
        action_prob=pad(behaviour, 1), mask=mask, line=np.zeros((n, T), int),
    )  # fmt: skip
    return eps, pad(target, 1)


# Episode A: r = [1, 2], mu = [0.5, 0.5], pi = [1.0, 0.25] -> rho = [2, 0.5], w = [2, 1]
# Episode B: r = [4],    mu = [0.8],      pi = [0.4]       -> rho = [0.5],    w = [0.5]
# gamma = 0.5: G_A = 1 + 0.5 * 2 = 2, G_B = 4; trajectory weights W = [1, 0.5]
HAND = dict(rewards=[[1, 2], [4]], behaviour=[[0.5, 0.5], [0.8]], target=[[1.0, 0.25], [0.4]])


def test_weights_by_hand():
    eps, pi = make_episodes(**HAND)
    np.testing.assert_allclose(importance_ratios(eps, pi), [[2, 0.5], [0.5, 1]])
    np.testing.assert_allclose(cumulative_weights(eps, pi), [[2, 1], [0.5, 0.5]])
    assert effective_sample_size([1, 0.5]) == pytest.approx(1.5**2 / 1.25)


@pytest.mark.parametrize(
    "estimator, expected",
    [
        (TrajectoryIS, (1 * 2 + 0.5 * 4) / 2),  # mean_i W_i G_i = 2
        (PerDecisionIS, ((2 * 1 + 0.5 * 1 * 2) + 0.5 * 4) / 2),  # = 2.5
        (WeightedIS, (1 * 2 + 0.5 * 4) / (1 + 0.5)),  # = 2.667
        # wbar_0 = (2 + 0.5) / 2 = 1.25; wbar_1 = 1 (only A reaches t=1)
        (PerDecisionWIS, ((2 / 1.25 * 1 + 0.5 * 1 / 1 * 2) + 0.5 / 1.25 * 4) / 2),  # = 2.1
    ],
)
def test_estimators_by_hand(estimator, expected):
    eps, pi = make_episodes(**HAND)
    est = estimator(gamma=0.5).estimate(eps, pi)
    assert est.value == pytest.approx(expected)
    assert est.per_episode.mean() == pytest.approx(est.value)
    assert est.ess == pytest.approx(1.8)


def test_three_episode_case_with_zero_weight():
    # the target never takes episode C's first action: C contributes nothing
    eps, pi = make_episodes(
        rewards=[[1, 1], [2, 0], [5, 5]],
        behaviour=[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]],
        target=[[1, 1], [0.5, 0.5], [0, 1]],
    )
    assert TrajectoryIS().estimate(eps, pi).value == pytest.approx((4 * 2 + 1 * 2 + 0) / 3)
    assert WeightedIS().estimate(eps, pi).value == pytest.approx((4 * 2 + 1 * 2) / 5)
    # per-decision: A has w = [2, 4], B w = [1, 1], C w = [0, 0]
    assert PerDecisionIS().estimate(eps, pi).value == pytest.approx((2 * 1 + 4 * 1 + 1 * 2 + 0) / 3)
    assert effective_sample_size([4, 1, 0]) == pytest.approx(25 / 17)


@pytest.mark.parametrize("estimator", [TrajectoryIS, PerDecisionIS, WeightedIS, PerDecisionWIS])
def test_behaviour_equals_target_gives_the_on_policy_mean(estimator):
    cfg = EnvConfig(max_steps=30)
    pol = SoftmaxSweetness(cfg, 0.2)
    eps = Episodes.from_rollouts(rollout(pol, 40, cfg, seed=4))
    est = estimator(gamma=0.9).estimate(eps, pol)
    assert est.value == pytest.approx(OnPolicy(gamma=0.9).estimate(eps).value, rel=1e-12)
    assert est.ess == pytest.approx(40)


@pytest.mark.parametrize("estimator", [TrajectoryIS, PerDecisionIS])
def test_unbiased_estimators_recover_the_true_value(estimator):
    """Short horizon (5 steps), 20k logged episodes: the IS estimates must lie within 4 of their
    standard errors (plus the truth's own SE) of the simulator's value of the target policy."""
    cfg = EnvConfig(max_steps=5)
    target = UniformRandom(cfg)  # 5-step value ~1.74 vs the behaviour's ~1.93
    eps = Episodes.from_rollouts(rollout(SoftmaxSweetness(cfg, 0.5), 20_000, cfg, seed=1))
    est = estimator().estimate(eps, target)
    truth = evaluate_policy(target, cfg, num_episodes=100_000, seed=2)
    assert abs(est.value - truth.mean) < 4 * np.hypot(est.stderr, truth.stderr)
    assert abs(est.value - eps.returns().mean()) > 8 * est.stderr  # and it is not the behaviour's


def test_weighted_estimate_is_consistent():
    cfg = EnvConfig(max_steps=5)
    target = UniformRandom(cfg)
    eps = Episodes.from_rollouts(rollout(SoftmaxSweetness(cfg, 0.5), 20_000, cfg, seed=1))
    truth = evaluate_policy(target, cfg, num_episodes=100_000, seed=2).mean
    assert WeightedIS().estimate(eps, target).value == pytest.approx(truth, rel=0.01)
    assert PerDecisionWIS().estimate(eps, target).value == pytest.approx(truth, rel=0.01)


def test_rllib_summary_figures():
    eps, pi = make_episodes(**HAND)
    s = rllib_summary(PerDecisionIS(gamma=0.5), eps, pi)
    assert s["v_behavior"] == pytest.approx(3.0) and s["v_behavior_std"] == pytest.approx(1.0)
    assert s["v_target"] == pytest.approx(2.5) and s["v_target_std"] == pytest.approx(0.5)
    assert s["v_gain"] == pytest.approx(2.5 / 3) and s["v_delta"] == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "target_factory", [lambda c: SoftmaxSweetness(c, 0.5), lambda c: UniformRandom(c),
                       lambda c: SugarAware(c, temperature=0.2)],
    ids=["softmax0.5", "uniform", "sugar_aware_soft"],
)
def test_matches_rllib_old_stack_estimators(target_factory):
    """RLlib's ImportanceSampling == our PerDecisionIS and its WeightedImportanceSampling == our
    PerDecisionWIS, on the same episodes and policy. RLlib converts the target probabilities to
    float32 (convert_to_numpy), so we feed ours the same float32-rounded probabilities and
    require 1e-6 (relative); with full-precision probabilities the gap is the float32 rounding,
    amplified by products of 100 ratios."""
    from offrl.estimators import target_action_probs
    from offrl.rllib_ope import rllib_estimates

    import offrl

    cfg = offrl.canonical_config()
    eps = offrl.load_canonical()
    target = target_factory(cfg)
    rllib = rllib_estimates(eps, target, cfg, gamma=0.99)
    pi32 = target_action_probs(target, eps).astype(np.float32).astype(np.float64)
    for key, ours in (("is", PerDecisionIS(0.99)), ("wis", PerDecisionWIS(0.99))):
        mine = rllib_summary(ours, eps, pi32)
        for field in ("v_behavior", "v_behavior_std", "v_target", "v_target_std", "v_gain", "v_delta"):
            assert mine[field] == pytest.approx(rllib[key][field], rel=1e-6, abs=1e-9), (key, field)
        full = rllib_summary(ours, eps, target)
        assert full["v_target"] == pytest.approx(rllib[key]["v_target"], rel=1e-4)


# --------------------------------------------------------------------------------------------
# The fast paths: blocks of episodes, whole-array checks, a column-wise cumulative product. Each
# must give the same numbers (bit for bit) as the plain formula, and the same located errors.

import offrl.estimators as est_module  # noqa: E402
from offrl.estimators import OPEError, target_action_probs  # noqa: E402


@pytest.fixture(scope="module")
def rollouts_with_padding():
    """37 logged episodes of up to 100 steps, some cut short (padding: zeros and mu = 1)."""
    cfg = EnvConfig()
    eps = Episodes.from_rollouts(rollout(SoftmaxSweetness(cfg, 0.2), 37, cfg, seed=3))
    lengths = np.random.default_rng(0).integers(1, 101, size=37)
    eps.mask[:] = np.arange(100) < lengths[:, None]
    for name in ("obs", "rewards", "actions"):
        getattr(eps, name)[~eps.mask] = 0
    eps.action_prob[~eps.mask] = 1.0
    return cfg, eps


@pytest.mark.parametrize("block_steps", [100, 250, 1 << 14])
def test_target_probs_in_blocks_equal_one_direct_evaluation(block_steps, rollouts_with_padding, monkeypatch):
    cfg, eps = rollouts_with_padding
    monkeypatch.setattr(est_module, "BLOCK_STEPS", block_steps)
    for policy in (SoftmaxSweetness(cfg, 0.5), UniformRandom(cfg), lambda obs: np.ascontiguousarray(SoftmaxSweetness(cfg, 0.3)(obs))):
        probs = np.asarray(policy(eps.obs.reshape(-1, cfg.obs_dim)))
        direct = probs[np.arange(len(probs)), eps.actions.reshape(-1)].reshape(eps.mask.shape)
        np.testing.assert_array_equal(target_action_probs(policy, eps), np.where(eps.mask, direct, 1.0))


@pytest.mark.parametrize("block_steps", [100, 1 << 14])
def test_bad_policy_row_in_a_later_block_is_located(block_steps, rollouts_with_padding, monkeypatch):
    cfg, eps = rollouts_with_padding
    monkeypatch.setattr(est_module, "BLOCK_STEPS", block_steps)
    i, t = 30, int(eps.mask[30].sum()) - 1  # the last real step of episode 30
    mark = eps.obs[i, t].copy()

    def policy(obs):
        p = UniformRandom(cfg)(obs)
        p[np.all(obs == mark, axis=1)] = np.nan
        return p

    with pytest.raises(OPEError, match=rf"not all finite at episode {i} step {t}:"):
        PerDecisionIS().estimate(eps, policy)


def test_bad_policy_rows_on_padding_are_ignored(rollouts_with_padding):
    """The fast whole-array check fails on padding, the exact check finds no real step: fine."""
    cfg, eps = rollouts_with_padding

    def policy(obs):
        p = UniformRandom(cfg)(obs)
        p[np.all(obs == 0, axis=1)] = np.nan  # padded observations are all zeros
        return p

    assert (~eps.mask).any()
    want = PerDecisionIS().estimate(eps, UniformRandom(cfg)).value
    assert PerDecisionIS().estimate(eps, policy).value == want


def test_columnwise_cumulative_product_is_numpys(rollouts_with_padding):
    cfg, eps = rollouts_with_padding
    big = eps.subset(np.arange(300) % len(eps))  # >= 256 episodes: the column-wise path
    pi = target_action_probs(SoftmaxSweetness(cfg, 0.5), big)
    np.testing.assert_array_equal(cumulative_weights(big, pi), np.cumprod(importance_ratios(big, pi), axis=1))


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_pick_reads_the_logged_action_in_any_layout(layout):
    rng = np.random.default_rng(0)
    probs = rng.random((50, 5))
    a = rng.integers(0, 5, 50)
    x = {"C": probs, "F": np.asfortranarray(probs), "strided": np.hstack([probs, probs])[:, ::2]}[layout]
    np.testing.assert_array_equal(est_module._pick(x, a), x[np.arange(50), a])


def test_summary_statistics_are_numpys():
    rng = np.random.default_rng(0)
    for n in (2, 3, 50, 1001):
        x = rng.normal(size=n) * 1e3 + 7
        for ddof in (0, 1):
            assert est_module._mean_std(x, ddof) == (float(np.mean(x)), float(np.std(x, ddof=ddof)))


def test_estimators_leave_the_callers_probabilities_untouched(rollouts_with_padding):
    cfg, eps = rollouts_with_padding
    full = eps.subset(np.arange(len(eps)))
    full.mask[:] = True  # no padding: the path that divides without np.where
    pi = target_action_probs(SoftmaxSweetness(cfg, 0.5), full)
    before = pi.copy()
    for est in (TrajectoryIS, PerDecisionIS, WeightedIS, PerDecisionWIS):
        est().estimate(full, pi)
        est().estimate(full, pi[:, :])  # a view
    np.testing.assert_array_equal(pi, before)


# --------------------------------------------------------------------------------------------
# Standard errors and normal intervals (lesson 05 shows them beside the truth)

from offrl.estimators import normal_interval  # noqa: E402
from offrl.ope_experiments import random_case  # noqa: E402


def test_normal_interval_uses_the_normal_quantile():
    lo, hi = normal_interval(10.0, 2.0, 0.95)
    assert (lo, hi) == pytest.approx((10 - 1.959964 * 2, 10 + 1.959964 * 2), rel=1e-6)
    assert normal_interval(0.0, 1.0, 0.6827) == pytest.approx((-1.0, 1.0), rel=1e-3)
    for bad in (0.0, 1.0, 95):
        with pytest.raises(ValueError, match="level"):
            normal_interval(1.0, 1.0, bad)


def test_estimate_interval_is_value_plus_minus_z_stderr():
    eps, pi = make_episodes(**HAND)
    est = PerDecisionIS(gamma=0.5).estimate(eps, pi)
    lo, hi = est.interval(0.9)
    assert (lo + hi) / 2 == pytest.approx(est.value)
    assert (hi - lo) / 2 == pytest.approx(1.644854 * est.stderr, rel=1e-6)
    one = TrajectoryIS().estimate(eps.subset(np.arange(1)), pi[:1])
    assert np.isnan(one.stderr) and all(np.isnan(one.interval()))


def test_weighted_is_stderr_is_the_delta_method_one():
    """V = sum W G / sum W: terms V + (W_i / mean W)(G_i - V), mean V; scale-free; 0 when every
    return is the same (the estimate is then that return, whatever the weights)."""
    eps, pi = make_episodes(**HAND)
    est = WeightedIS(gamma=0.5).estimate(eps, pi)
    W, G = np.array([1.0, 0.5]), np.array([2.0, 4.0])
    V = (W @ G) / W.sum()
    terms = V + W / W.mean() * (G - V)
    assert est.value == pytest.approx(V)
    np.testing.assert_allclose(est.per_episode, terms)
    assert est.stderr == pytest.approx(terms.std(ddof=1) / np.sqrt(2))
    assert est.per_episode.mean() == pytest.approx(est.value)
    scaled = pi.copy()
    scaled[:, 0] *= 1e-60  # every trajectory weight scaled by 1e-60: WIS does not change
    tiny = WeightedIS(gamma=0.5).estimate(eps, scaled)
    assert tiny.value == pytest.approx(est.value, rel=1e-12)
    assert tiny.stderr == pytest.approx(est.stderr, rel=1e-12)
    flat, p = make_episodes(rewards=[[1, 1], [2], [0.5, 1.5]], behaviour=[[0.5, 0.5], [0.4], [0.2, 0.5]],
                            target=[[0.9, 0.1], [0.3], [0.6, 0.2]])  # fmt: skip
    e = WeightedIS().estimate(flat, p)  # every return is 2
    assert e.value == pytest.approx(2.0) and e.stderr == pytest.approx(0.0, abs=1e-12)


def test_weighted_is_stderr_matches_its_spread_over_many_logs():
    """400 independent logs of 300 three-step episodes (uniform logger over 3 actions, a target
    that prefers the action with the higher reward): the typical reported standard error of WIS
    is within 10 % of the actual spread of the estimates (measured: 0.103 vs 0.104; the old
    std(n W G / sum W) / sqrt(n) gave 0.31)."""
    from offrl.ope_experiments import synthetic_episodes

    probs = np.array([0.2, 0.3, 0.5])
    values, stderrs = [], []
    for seed in range(400):
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 3, size=(300, 3))
        eps = synthetic_episodes(a + rng.random((300, 3)), np.full((300, 3), 1 / 3), actions=a)
        e = WeightedIS().estimate(eps, probs[a])
        values.append(e.value)
        stderrs.append(e.stderr)
    assert np.median(stderrs) == pytest.approx(np.std(values), rel=0.1)
