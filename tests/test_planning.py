"""offrl.planning: the dynamic-programming optimum, and policies with memory in the simulator."""

from __future__ import annotations

import numpy as np
import pytest

from offrl import EnvConfig, SugarAware, UniformRandom, evaluate_policy, rollout
from offrl.planning import PlannedPolicy, plan


@pytest.fixture(scope="module")
def course_plan():
    return plan(EnvConfig())


def test_last_step_is_the_expected_sweetest_item(course_plan):
    """With no future, the best item is the sweetest: V_{T-1}(s) = (1 - s) K / (K + 1)."""
    k = course_plan.config.num_candidates
    s = course_plan.sugar_grid
    np.testing.assert_allclose(course_plan.values[-2], (1 - s) * k / (k + 1), atol=1e-4)
    assert np.all(course_plan.values[-1] == 0)


def test_alpha_zero_has_a_closed_form():
    """alpha = 0, K = 2, T = 2: the sugar level after step 0 is the chosen item's sweetness x,
    and step 1 then pays (1 - x) times the expected sweetest of 2 items, 2/3."""
    cfg = EnvConfig(num_candidates=2, alpha=0.0, max_steps=2)
    p = plan(cfg, num_sugar=2001, num_sweetness=2000)
    # step 1 from sugar s: (1 - s) * 2/3; step 0 from sugar 0: max_a x_a + (1 - x_a) 2/3
    # = max_a (2/3 + x_a / 3): expected 2/3 + (2/3) / 3 = 8/9
    assert p.start_value == pytest.approx(8 / 9, abs=1e-5)


def test_grid_is_fine_enough(course_plan):
    finer = plan(EnvConfig(), num_sugar=801, num_sweetness=800)
    assert abs(finer.start_value - course_plan.start_value) < 1e-3
    assert 29.7 < course_plan.start_value < 29.9  # the course quotes about 29.8


@pytest.mark.parametrize("mode", ["sweetness", "sugar", "history"])
def test_planned_policy_reaches_the_planned_value_in_every_mode(course_plan, mode):
    cfg = EnvConfig(obs_mode=mode)
    v = evaluate_policy(PlannedPolicy(cfg, course_plan), cfg, num_episodes=1000, seed=3)
    assert abs(v.mean - course_plan.start_value) < 4 * v.stderr + 0.01
    # the ceiling is above the course's sugar-aware rule and random
    assert v.mean > evaluate_policy(SugarAware(EnvConfig()), EnvConfig(), 1000, seed=3).mean
    assert v.mean > evaluate_policy(UniformRandom(cfg), cfg, 1000, seed=3).mean + 4


def test_planned_policy_tracks_the_hidden_sugar_level():
    cfg = EnvConfig(obs_mode="sweetness", alpha=0.3, num_candidates=3, max_steps=20)
    pol = PlannedPolicy(cfg)
    seen = []

    def recording(obs):
        probs = pol(obs)
        seen.append(pol.sugar.copy())
        return probs

    ro = rollout(recording, 50, cfg, seed=1)
    np.testing.assert_allclose(np.stack(seen, axis=1), ro.sugar, atol=1e-5)


def test_rollout_resets_a_policy_with_memory():
    """rollout calls policy.reset() first: the same policy object gives the same rollouts."""
    cfg = EnvConfig(obs_mode="sweetness", max_steps=10)
    pol = PlannedPolicy(cfg)
    a = rollout(pol, 20, cfg, seed=4)
    b = rollout(pol, 20, cfg, seed=4)
    np.testing.assert_array_equal(a.actions, b.actions)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    fresh = rollout(PlannedPolicy(cfg), 20, cfg, seed=4)
    np.testing.assert_array_equal(a.actions, fresh.actions)


def test_mismatched_plan_is_refused(course_plan):
    with pytest.raises(ValueError, match="another recommender"):
        PlannedPolicy(EnvConfig(alpha=0.3), course_plan)
    pol = PlannedPolicy(EnvConfig(), course_plan)
    pol(np.random.default_rng(0).random((4, 6)))
    with pytest.raises(ValueError, match="reset"):
        pol(np.random.default_rng(0).random((3, 6)))
