"""Smoke tests of offrl.plots with the non-interactive Agg backend: every helper draws what it
says on a new figure or on given Axes, returns (fig, ax), and rejects malformed input."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display needed, no GUI warnings

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from offrl import EnvConfig, GreedySweetest, UniformRandom, evaluate_policy, rollout  # noqa: E402
from offrl import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def rollouts():
    cfg = EnvConfig(max_steps=30)
    return {
        "random": rollout(UniformRandom(cfg), 3, cfg, seed=0),
        "greedy": rollout(GreedySweetest(cfg), 3, cfg, seed=0),
    }


def test_episode_traces_from_rollouts(rollouts):
    fig, axes = plots.episode_traces(rollouts, episode=1, title="two policies")
    assert isinstance(fig, plt.Figure) and len(axes) == 2
    ax_sugar, ax_reward = axes
    assert len(ax_sugar.lines) == 2 and len(ax_reward.lines) == 2
    # the lines hold episode 1's sugar (before each step) and rewards, in the order given
    np.testing.assert_allclose(ax_sugar.lines[1].get_ydata(), rollouts["greedy"].sugar[1])
    np.testing.assert_allclose(ax_reward.lines[0].get_ydata(), rollouts["random"].rewards[1])
    labels = [t.get_text() for t in ax_sugar.get_legend().get_texts()]
    assert labels[0].startswith("random (return ")
    fig.canvas.draw()


def test_episode_traces_from_mappings_and_given_axes():
    fig, given = plt.subplots(2, 1)
    trace = {"sugar": np.linspace(0, 0.5, 10), "rewards": np.full(10, 0.25)}
    out_fig, axes = plots.episode_traces({"hand-made": trace}, axes=given)
    assert out_fig is fig and axes[0] is given[0] and axes[1] is given[1]
    assert "return 2.5" in given[0].get_legend().get_texts()[0].get_text()


@pytest.mark.parametrize(
    "bad, error",
    [({}, ValueError), ({"x": {"sugar": np.zeros(3)}}, KeyError),
     ({"x": {"sugar": np.zeros(3), "rewards": np.zeros(4)}}, ValueError)],
)  # fmt: skip
def test_episode_traces_rejects_bad_input(bad, error):
    with pytest.raises(error):
        plots.episode_traces(bad)


def test_action_histogram_fractions_and_counts():
    actions = np.array([0, 0, 1, 3, 3, 3])
    fig, ax = plots.action_histogram(actions, num_actions=5, label="log")
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [2 / 6, 1 / 6, 0, 3 / 6, 0])
    assert ax.get_legend() is not None
    _, ax2 = plots.action_histogram(actions, density=False)
    assert [p.get_height() for p in ax2.patches] == [2, 1, 0, 3]
    # two histograms side by side on the same Axes
    fig3, ax3 = plt.subplots()
    plots.action_histogram(actions, 5, ax=ax3, width=0.4, offset=-0.2)
    out_fig, out_ax = plots.action_histogram(actions[::-1], 5, ax=ax3, width=0.4, offset=0.2)
    assert out_fig is fig3 and out_ax is ax3 and len(ax3.patches) == 10


@pytest.mark.parametrize("bad", [[], [0, -1], [0.5, 1.0]])
def test_action_histogram_rejects_bad_actions(bad):
    with pytest.raises(ValueError):
        plots.action_histogram(np.array(bad))


def test_action_histogram_rejects_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        plots.action_histogram([0, 5], num_actions=5)


def test_value_and_reward_histograms():
    rng = np.random.default_rng(0)
    values = np.append(rng.random(200), np.nan)  # NaNs are left out
    fig, ax = plots.reward_histogram(values, bins=10, range=(0, 1))
    assert sum(p.get_height() for p in ax.patches) == 200
    assert ax.get_xlabel() == "reward"
    _, ax2 = plots.value_histogram(
        values, bins=5, xlabel="chosen sweetness", density=True, label="x"
    )
    widths = [p.get_width() for p in ax2.patches]
    # a density integrates to 1 over the bins
    np.testing.assert_allclose(sum(p.get_height() * w for p, w in zip(ax2.patches, widths)), 1.0)
    assert ax2.get_xlabel() == "chosen sweetness"
    with pytest.raises(ValueError):
        plots.value_histogram([np.nan])


def test_returns_per_episode():
    g = np.array([10.0, 20.0, 30.0])
    fig, ax = plots.returns_per_episode(g, eps_ids=[7, 8, 9], label="log", reference=25.0)
    dots, mean, ref = ax.lines
    np.testing.assert_allclose(dots.get_ydata(), g)
    assert mean.get_ydata()[0] == 20.0 and ref.get_ydata()[0] == 25.0
    assert [t.get_text() for t in ax.get_xticklabels()] == ["7", "8", "9"]
    with pytest.raises(ValueError):
        plots.returns_per_episode(np.zeros((2, 2)))
    with pytest.raises(ValueError):
        plots.returns_per_episode(g, eps_ids=[1, 2])


def test_policy_values_accepts_policy_values_pairs_and_numbers():
    cfg = EnvConfig(max_steps=10)
    pv = evaluate_policy(UniformRandom(cfg), cfg, num_episodes=50)
    values = {"random": pv, "pair": (3.0, 0.1), "number": 2.0}
    fig, ax = plots.policy_values(values, reference=pv.mean)
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, [pv.mean, 3.0, 2.0])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["random", "pair", "number"]
    assert ax.get_legend() is not None
    fig.canvas.draw()
    with pytest.raises(ValueError):
        plots.policy_values({})


def test_episode_traces_steps_and_cumulative(rollouts):
    _, (ax_sugar, ax_reward) = plots.episode_traces(rollouts, steps=10, cumulative=True)
    np.testing.assert_allclose(ax_sugar.lines[0].get_ydata(), rollouts["random"].sugar[0, :10])
    np.testing.assert_allclose(
        ax_reward.lines[1].get_ydata(), np.cumsum(rollouts["greedy"].rewards[0])[:10], rtol=1e-6
    )
    assert ax_reward.get_ylabel() == "cumulative reward"
    # the legend still reports the return of the whole episode
    total = rollouts["greedy"].rewards[0].sum()
    assert f"return {total:.1f}" in ax_sugar.get_legend().get_texts()[1].get_text()
