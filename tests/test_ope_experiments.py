"""Tests of offrl.ope_experiments: the vectorised estimators agree with offrl.estimators, the
tables hold what they claim, and the sweeps measure what lesson 05 says they measure."""

import dataclasses
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import offrl  # noqa: E402
from offrl import estimators as E  # noqa: E402
from offrl import ope_experiments as ox  # noqa: E402

# Both sides compute the same float64 sums and products, in a different order: agreement to
# ~1e-15 relative per operation, so 1e-10 leaves ample room while catching any real difference.
RTOL = 1e-10


@pytest.fixture(scope="module")
def config():
    return offrl.canonical_config()


@pytest.fixture(scope="module")
def short_config():
    return dataclasses.replace(offrl.canonical_config(), max_steps=12)


def reference(case_episodes, pi, gamma):
    out = {}
    for cls in E.ESTIMATORS:
        est = cls(gamma).estimate(case_episodes, pi)
        out[est.name] = est.value
        out["ess"] = est.ess
    return out


# ---------------------------------------------------------------------------------------------
# batched_estimates


@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("gamma", [1.0, 0.9])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batched_estimates_match_reference_estimators(seed, gamma, ragged):
    c = ox.random_case(seed, n=15 + seed, T=6 + seed, ragged=ragged)
    ours = ox.batched_estimates(c.pi, c.mu, c.rewards, gamma, c.mask)
    ref = reference(c.episodes, c.pi, gamma)
    assert set(ours) == set(ox.ESTIMATOR_NAMES) | {"ess"}
    for key, value in ref.items():
        assert np.isclose(ours[key], value, rtol=RTOL), (key, ours[key], value)


def test_batched_estimates_on_real_rollouts(short_config):
    behaviour = offrl.behaviour_policy(short_config)
    eps = offrl.Episodes.from_rollouts(offrl.rollout(behaviour, 40, short_config, seed=3))
    targets = (offrl.UniformRandom(short_config), offrl.SugarAware(short_config, temperature=0.1))
    for policy in targets:
        pi = offrl.target_action_probs(policy, eps)
        ours = ox.batched_estimates(pi, eps.action_prob, eps.rewards, 0.95)
        for key, value in reference(eps, pi, 0.95).items():
            assert np.isclose(ours[key], value, rtol=RTOL), key


def test_batched_estimates_leading_axes_are_independent_problems():
    cases = [ox.random_case(s, n=10, T=5) for s in range(4)]
    stack = lambda f: np.stack([f(c) for c in cases]).reshape(2, 2, 10, 5)  # noqa: E731
    pi, mu = stack(lambda c: c.pi), stack(lambda c: c.mu)
    ours = ox.batched_estimates(pi, mu, stack(lambda c: c.rewards), 0.8)
    for k, c in enumerate(cases):
        single = ox.batched_estimates(c.pi, c.mu, c.rewards, 0.8)
        for key in single:
            assert ours[key].shape == (2, 2)
            assert np.isclose(ours[key][k // 2, k % 2], single[key], rtol=RTOL), key


def test_batched_estimates_target_equal_to_behaviour_gives_mean_return():
    c = ox.random_case(5, n=12, T=7, ragged=True)
    out = ox.batched_estimates(c.mu, c.mu, c.rewards, 0.9, c.mask)
    mean_return = c.episodes.returns(0.9).mean()
    for key in ox.ESTIMATOR_NAMES:
        assert np.isclose(out[key], mean_return, rtol=RTOL), key
    assert np.isclose(out["ess"], 12)


def test_batched_estimates_no_overlap_is_nan_not_error_or_warning():
    # The target gives probability 0 to a logged action in every episode: the reference
    # weighted estimators raise; the batched ones give NaN silently (a sweep must go on).
    c = ox.random_case(7, n=6, T=4)
    pi = c.pi.copy()
    pi[:, 2] = 0.0
    with pytest.raises(offrl.OPEError):
        offrl.WeightedIS().estimate(c.episodes, pi)
    with pytest.raises(offrl.OPEError):
        offrl.PerDecisionWIS().estimate(c.episodes, pi)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ox.batched_estimates(pi, c.mu, c.rewards)
    assert np.isnan(out["weighted IS"]) and np.isnan(out["per-decision WIS"])
    assert out["trajectory IS"] == 0.0 and out["ess"] == 0.0
    ref = offrl.PerDecisionIS().estimate(c.episodes, pi).value
    assert np.isclose(out["per-decision IS"], ref, rtol=RTOL)


def test_batched_estimates_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        ox.batched_estimates(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 4)))


# ---------------------------------------------------------------------------------------------
# synthetic_episodes, random_case


def test_synthetic_episodes_follow_the_padding_convention():
    mask = np.array([[True, True, True], [True, False, False]])
    eps = ox.synthetic_episodes(np.full((2, 3), 2.0), np.full((2, 3), 0.25), mask)
    assert np.array_equal(eps.lengths, [3, 1])
    assert np.all(eps.rewards[~mask] == 0) and np.all(eps.action_prob[~mask] == 1)
    assert np.array_equal(eps.truncateds, [[False, False, True], [True, False, False]])
    assert np.allclose(eps.returns(), [6.0, 2.0])


def test_random_case_is_a_valid_ope_problem():
    c = ox.random_case(11, n=30, T=9, num_actions=4, ragged=True)
    m = c.mask
    assert m[:, 0].all() and not m.all()
    for arr in (c.pi, c.mu):
        assert np.all((arr > 0) & (arr <= 1)) and np.all(arr[~m] == 1)
    assert np.all(c.rewards[~m] == 0)
    assert np.array_equal(c.mu, c.episodes.action_prob) and np.array_equal(c.mask, c.episodes.mask)
    assert np.all(c.episodes.actions[m] < 4)
    # deterministic in the seed
    assert np.array_equal(ox.random_case(11, n=30, T=9, num_actions=4, ragged=True).pi, c.pi)


# ---------------------------------------------------------------------------------------------
# Tables


@pytest.fixture(scope="module")
def canonical():
    return offrl.load_canonical()


def test_estimates_vs_truth_table(config, canonical):
    policies = {
        "behaviour": offrl.behaviour_policy(config),
        "uniform": offrl.UniformRandom(config),
        "greedy": offrl.GreedySweetest(config),
    }
    truths = ox.true_values(policies, config, num_episodes=300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = ox.estimates_vs_truth(canonical, policies, config, truths)
    assert list(table.index) == list(policies)
    for name, policy in policies.items():
        truth = offrl.evaluate_policy(policy, config, num_episodes=300)
        assert table.loc[name, "true value"] == truth.mean
        assert table.loc[name, "± (s.e.)"] == truth.stderr
        pi = offrl.target_action_probs(policy, canonical)
        for cls in E.ESTIMATORS:
            est = cls()
            col = ox.SHORT[est.name]
            try:
                value = est.estimate(canonical, pi).value
            except offrl.OPEError:
                assert np.isnan(table.loc[name, col])
                continue
            assert np.isclose(table.loc[name, col], value, rtol=RTOL)
            rel = 100 * (value - truth.mean) / abs(truth.mean)
            assert np.isclose(table.loc[name, f"{col} err %"], rel, rtol=RTOL)
    assert np.isclose(table.loc["behaviour", "ESS"], len(canonical))
    assert table.loc["greedy", "ESS"] == 0.0
    # the behaviour row: every estimator is the log's mean return
    for col in ox.SHORT.values():
        assert np.isclose(table.loc["behaviour", col], canonical.returns().mean(), rtol=RTOL)


def test_estimates_vs_truth_refuses_truth_of_another_discount(config, canonical):
    policies = {"uniform": offrl.UniformRandom(config)}
    truths = ox.true_values(policies, config, num_episodes=50, gamma=0.9)
    with pytest.raises(ValueError, match="gamma"):
        ox.estimates_vs_truth(canonical, policies, config, truths, gamma=1.0)


def test_rllib_comparison_matches_offrl_quietly(config, canonical, capfd):
    eps = canonical.subset(slice(0, 20))
    policies = {
        "behaviour": offrl.behaviour_policy(config),
        "soft": offrl.SoftmaxSweetness(config, temperature=0.3),
        "greedy": offrl.GreedySweetest(config),
    }
    truths = ox.true_values(policies, config, num_episodes=200)

    def not_done(pi, mu, rewards, gamma):
        raise NotImplementedError

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = ox.rllib_comparison(
            eps, policies, config, truths,
            extra={"mine": lambda pi, mu, r, g: ox.batched_estimates(pi, mu, r, g)["trajectory IS"],
                   "todo": not_done},
        )  # fmt: skip
    out, err = capfd.readouterr()
    assert err == "", f"RLlib cross-check wrote to stderr:\n{err}"
    T = eps.obs.shape[1]
    for name, policy in policies.items():
        pi = offrl.target_action_probs(policy, eps)
        # RLlib works with float32 target probabilities (or log-probabilities): each of the T
        # factors of a cumulative weight carries a relative rounding error of at most
        # 2**-24 * max(1, |log pi|), so the estimates agree to T times that (x2 for safety).
        rtol = 2 * T * 2.0**-24 * max(1.0, float(np.max(np.abs(np.log(pi[pi > 0])))))
        assert np.isclose(table.loc[name, "RLlib IS"], table.loc[name, "PD-IS"], rtol=rtol)
        if name == "greedy":  # no overlap: RLlib divides 0 by 0, offrl refuses
            assert np.isnan(table.loc[name, "RLlib WIS"]) and np.isnan(table.loc[name, "PD-WIS"])
        else:
            assert np.isclose(table.loc[name, "RLlib WIS"], table.loc[name, "PD-WIS"], rtol=rtol)
        assert table.loc[name, "mine"] == table.loc[name, "traj-IS"]
        assert np.isnan(table.loc[name, "todo"])
        gain = offrl.rllib_summary(offrl.PerDecisionIS(), eps, pi)["v_gain"]
        assert np.isclose(table.loc[name, "v_gain IS"], gain, rtol=rtol)
        true_gain = truths[name].mean / truths["behaviour"].mean
        assert np.isclose(table.loc[name, "true gain"], true_gain)


# ---------------------------------------------------------------------------------------------
# Sweeps


def test_sweep_num_episodes(short_config):
    target = offrl.SoftmaxSweetness(short_config, temperature=0.3)
    sizes = (3, 10, 40)
    sw = ox.sweep_num_episodes(
        target, short_config, sizes=sizes, repeats=3, seed=5, truth_episodes=200
    )
    assert np.array_equal(sw.x, sizes) and sw.repeats == 3
    assert np.all(sw.truth == offrl.evaluate_policy(target, short_config, 200).mean)
    behaviour = offrl.behaviour_policy(short_config)
    assert np.all(sw.behaviour_value == offrl.evaluate_policy(behaviour, short_config, 200).mean)
    # repeat r is the first n episodes of one log of max(sizes) episodes
    for r, seed in enumerate(ox._spawn(5, 3)):
        eps = offrl.Episodes.from_rollouts(offrl.rollout(behaviour, 40, short_config, seed=seed))
        for j, n in enumerate(sizes):
            sub = eps.subset(slice(0, n))
            ref = reference(sub, offrl.target_action_probs(target, sub), 1.0)
            for key in ox.ESTIMATOR_NAMES:
                assert np.isclose(sw.estimates[key][r, j], ref[key], rtol=RTOL), key
            assert np.isclose(sw.ess[r, j], ref["ess"], rtol=RTOL)


def test_sweep_num_episodes_takes_given_truths(short_config):
    target = offrl.UniformRandom(short_config)
    both = {"t": target, "b": offrl.behaviour_policy(short_config)}
    truths = ox.true_values(both, short_config, 100)
    kw = dict(sizes=(4,), repeats=2, seed=1, truth_episodes=100)
    given = ox.sweep_num_episodes(
        target, short_config, truth=truths["t"], behaviour_value=truths["b"], **kw
    )
    measured = ox.sweep_num_episodes(target, short_config, **kw)
    assert np.array_equal(given.truth, measured.truth)
    assert np.array_equal(given.behaviour_value, measured.behaviour_value)
    for key in ox.ESTIMATOR_NAMES:
        assert np.array_equal(given.estimates[key], measured.estimates[key])
    assert np.all(ox.sweep_num_episodes(target, short_config, truth=1.5, **kw).truth == 1.5)
    with pytest.raises(ValueError, match="gamma"):
        ox.sweep_num_episodes(target, short_config, truth=truths["t"], gamma=0.9, **kw)


def test_sweep_num_episodes_horizon_and_behaviour_target(config):
    behaviour = offrl.behaviour_policy(config)
    sw = ox.sweep_num_episodes(
        behaviour, config, sizes=(5, 20), repeats=2, horizon=7, truth_episodes=100
    )
    cfg7 = dataclasses.replace(config, max_steps=7)
    assert np.all(sw.truth == offrl.evaluate_policy(behaviour, cfg7, 100).mean)
    assert np.array_equal(sw.truth, sw.behaviour_value)
    assert np.allclose(sw.ess, [[5, 20], [5, 20]])
    for key in ox.ESTIMATOR_NAMES[1:]:
        assert np.allclose(sw.estimates[key], sw.estimates["trajectory IS"], rtol=RTOL)


def test_sweep_horizon_truth_is_the_value_of_shorter_episodes(short_config):
    target = offrl.UniformRandom(short_config)
    horizons = (1, 4, 12)
    sw = ox.sweep_horizon(
        target, short_config, horizons=horizons, num_episodes=8, repeats=5, seed=2,
        truth_episodes=150, gamma=0.9,
    )  # fmt: skip
    for j, H in enumerate(horizons):
        cfg = dataclasses.replace(short_config, max_steps=H)
        truth = offrl.evaluate_policy(target, cfg, 150, gamma=0.9).mean
        assert np.isclose(sw.truth[j], truth, rtol=RTOL), H
        bvalue = offrl.evaluate_policy(offrl.behaviour_policy(cfg), cfg, 150, gamma=0.9).mean
        assert np.isclose(sw.behaviour_value[j], bvalue, rtol=RTOL), H
    # the estimates at horizon H are those of the episodes' first H steps, repeat by repeat
    eps = offrl.Episodes.from_rollouts(
        offrl.rollout(offrl.behaviour_policy(short_config), 40, short_config, seed=2)
    )
    for j, H in enumerate(horizons):
        cut = ox.synthetic_episodes(
            eps.rewards[:, :H], eps.action_prob[:, :H], actions=eps.actions[:, :H]
        )
        pi = offrl.target_action_probs(target, eps)[:, :H]
        for r in range(5):
            sub = cut.subset(slice(8 * r, 8 * r + 8))
            ref = reference(sub, pi[8 * r : 8 * r + 8], 0.9)
            for key in ox.ESTIMATOR_NAMES:
                assert np.isclose(sw.estimates[key][r, j], ref[key], rtol=RTOL), (key, H, r)


def test_sweeps_reject_empty_sizes(config):
    with pytest.raises(ValueError):
        ox.sweep_num_episodes(offrl.UniformRandom(config), config, sizes=(0, 5))
    with pytest.raises(ValueError):
        ox.sweep_horizon(offrl.UniformRandom(config), config, horizons=(0, 5))


def test_summary_and_plots_run_quietly(short_config, capfd):
    c = ox.random_case(0, n=10, T=12)
    target = offrl.GreedySweetest(short_config)  # weighted estimators undefined in most logs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sw = ox.sweep_horizon(
            target, short_config, horizons=(1, 12), num_episodes=5, repeats=4, truth_episodes=50
        )
        table = sw.summary()
        assert list(table.columns)[0] == "true value" and len(table) == 2
        assert list(table.columns)[-1] == "ESS (median)" and len(table.columns) == 10
        assert np.array_equal(table["ESS (median)"], np.median(sw.ess, axis=0))
        e = sw.estimates["per-decision IS"]
        assert np.allclose(table["PD-IS median"], np.median(e, axis=0))
        assert np.allclose(table["PD-IS RMSE"], np.sqrt(np.mean((e - sw.truth) ** 2, axis=0)))
        means = sw.summary(estimators=["weighted IS"], stats=("mean",))
        assert list(means.columns) == ["true value", "WIS mean", "ESS (median)"]
        with pytest.raises(ValueError, match="unknown stats"):
            sw.summary(stats=("mode",))
        fig, ax = sw.plot(relative=True, ylim=(0, 2))
        assert ax.get_ylim() == (0, 2) and len(ax.get_legend().get_texts()) == 6
        sw.plot_ess(ax=ax)
        fig2, ax2 = ox.plot_cumulative_weights(c.pi, c.mu, max_episodes=3, title="w")
        assert len(ax2.get_lines()) == 4  # 3 episodes + the line at 0
    plt.close("all")
    assert capfd.readouterr().err == ""


def test_intervals_vs_truth_table():
    """Rows (policy, estimator); the interval is the reference estimate's normal interval and
    `covers truth` compares it with the true value; an undefined weighted estimate is NaN and
    does not cover."""
    import offrl
    from offrl.ope_experiments import intervals_vs_truth, true_values

    cfg = offrl.EnvConfig(num_candidates=3, max_steps=6)
    eps = offrl.Episodes.from_rollouts(offrl.rollout(offrl.behaviour_policy(cfg), 60, cfg, seed=2))
    policies = {"softmax": offrl.SoftmaxSweetness(cfg, 0.5), "greedy": offrl.GreedySweetest(cfg)}
    truths = true_values(policies, cfg, num_episodes=300)
    table = intervals_vs_truth(eps, policies, cfg, truths, level=0.9)
    assert list(table.index.get_level_values(0).unique()) == ["softmax", "greedy"]
    assert list(table.loc["softmax"].index) == ["traj-IS", "PD-IS", "WIS", "PD-WIS"]
    est = offrl.WeightedIS().estimate(eps, policies["softmax"])
    row = table.loc[("softmax", "WIS")]
    assert row["estimate"] == est.value and row["s.e."] == est.stderr
    assert (row["low"], row["high"]) == est.interval(0.9)
    assert row["covers truth"] == (row["low"] <= truths["softmax"].mean <= row["high"])
    if not (offrl.estimators.trajectory_weights(eps, policies["greedy"]) > 0).any():
        assert np.isnan(table.loc[("greedy", "WIS"), "estimate"])
        assert not table.loc[("greedy", "WIS"), "covers truth"]
    with pytest.raises(ValueError, match="gamma"):
        intervals_vs_truth(eps, policies, cfg, truths, gamma=0.9)


def test_weights_cases_hold_what_they_say():
    """The lesson-05 hidden tests' inputs: padding repeats the last weight with reward 0, the
    extremes are there, and the expected values are the plain formulas on the float64 data."""
    cases = ox.weights_cases()
    kinds = " ".join(c.what for c in cases)
    for word in ("1e-70", "tiny total", "exactly 0", "float32", "unequal lengths", "1 episode", "1 step"):
        assert word in kinds, word
    for c in cases:
        w, r = c.w.astype(np.float64), c.rewards.astype(np.float64)
        n, T = w.shape
        d = c.gamma ** np.arange(T)
        W, G = w[:, -1], r @ d
        assert c.expected["trajectory IS"] == pytest.approx(np.mean(W * G), rel=1e-9, abs=0)
        assert c.expected["per-decision IS"] == pytest.approx(np.mean((w * r) @ d), rel=1e-9, abs=0)
        assert c.expected["weighted IS"] == pytest.approx((W @ G) / W.sum(), rel=1e-9)
        assert c.expected["ess"] == pytest.approx(W.sum() ** 2 / (W @ W), rel=1e-9)
        assert c.rtol == (1e-5 if c.w.dtype == np.float32 else 1e-9)
    tiny = next(c for c in cases if "tiny total" in c.what)
    assert tiny.w[:, -1].sum() < 1e-60
    wide = next(c for c in cases if "1e-70 to 1e8" in c.what)
    assert wide.w[:, -1].min() < 1e-69 and wide.w[:, -1].max() > 1e6
