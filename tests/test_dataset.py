"""The logged dataset: schema, round trip, canonical file, regeneration, CLI (good files).
Bad files are covered in test_bad_data.py."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import offrl
from offrl import EnvConfig, Episodes, SoftmaxSweetness, generate_dataset, load_episodes, rollout
from offrl.dataset import REQUIRED_COLUMNS, RETURN_TO_GO_GAMMA, discounted_returns_to_go

REPO = Path(__file__).resolve().parent.parent


def test_regenerating_the_canonical_dataset_reproduces_it(tmp_path):
    """Same rows, same keys, same episodes, actions and float32 observations and rewards; the
    float64 probability columns agree to 1e-13 relative. Byte identity holds on one CPU but not
    across them: numpy's SIMD exp differs in the last bit between AVX2 and AVX-512 machines
    (measured on an AMD EPYC without AVX-512: action_prob 0.603343273978152 vs
    0.6033432739781521 in the committed file, nothing else)."""
    out = tmp_path / "regen.json"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_dataset.py"), "--out", str(out)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    fresh = out.read_text().splitlines()
    canon = offrl.canonical_dataset_path().read_text().splitlines()
    assert len(fresh) == len(canon)
    close = ("action_prob", "action_logp", "return_to_go")
    for n, (a, b) in enumerate(zip(fresh, canon), start=1):
        if a == b:
            continue
        ra, rb = json.loads(a), json.loads(b)
        assert list(ra) == list(rb), f"line {n}: columns differ"
        for key in ra:
            if key in close:
                assert ra[key] == pytest.approx(rb[key], rel=1e-13, abs=1e-300), f"line {n}: {key}"
            else:
                assert ra[key] == rb[key], f"line {n}: {key} differs"


def test_canonical_dataset_shape_and_schema():
    eps = offrl.load_canonical()
    cfg = offrl.canonical_config()
    assert len(eps) == 50 and set(eps.lengths) == {cfg.max_steps}
    assert eps.obs.shape[2] == cfg.obs_dim
    first = json.loads(offrl.canonical_dataset_path().read_text().splitlines()[0])
    assert set(REQUIRED_COLUMNS) <= set(first) and "return_to_go" in first
    assert np.all(eps.truncateds[:, -1]) and not np.any(eps.terminateds)


def test_canonical_dataset_was_logged_by_the_behaviour_policy():
    """Every logged action_prob is the behaviour policy's probability of the logged action, and
    every reward follows the dynamics from the logged sugar level."""
    eps = offrl.load_canonical()
    cfg = offrl.canonical_config()
    probs = offrl.target_action_probs(offrl.behaviour_policy(cfg), eps)
    np.testing.assert_allclose(eps.action_prob, probs, rtol=1e-12)
    chosen = np.take_along_axis(eps.obs[..., :5], eps.actions[..., None], axis=2)[..., 0]
    np.testing.assert_allclose(eps.rewards, (1 - eps.obs[..., 5]) * chosen, rtol=1e-6)
    # behaviour value ~20.3 in the simulator; 50 logged episodes have SE ~0.1
    assert 19.5 < eps.returns().mean() < 21.5


def test_write_then_load_round_trips_exactly(tmp_path):
    cfg = EnvConfig(num_candidates=3, max_steps=7, obs_mode="history", history_len=2)
    written = generate_dataset(tmp_path / "d.json", 4, cfg, SoftmaxSweetness(cfg, 0.5), seed=9)
    back = load_episodes(tmp_path / "d.json", num_actions=3)
    for name in ("obs", "actions", "rewards", "new_obs", "terminateds", "truncateds", "action_prob"):
        np.testing.assert_array_equal(getattr(back, name), getattr(written, name), err_msg=name)
    np.testing.assert_array_equal(back.eps_id, written.eps_id)
    np.testing.assert_allclose(back.extras["return_to_go"], written.returns_to_go(), rtol=1e-15)
    np.testing.assert_allclose(back.action_logp, np.log(back.action_prob))
    assert back.line[0, 0] == 1 and back.line[-1, -1] == 4 * 7


def test_return_to_go_column():
    eps = offrl.load_canonical()
    rtg = eps.extras["return_to_go"]
    np.testing.assert_allclose(rtg[:, 0], eps.returns(RETURN_TO_GO_GAMMA), rtol=1e-12)
    r = eps.rewards.astype(float)
    np.testing.assert_allclose(rtg[:, :-1], r[:, :-1] + RETURN_TO_GO_GAMMA * rtg[:, 1:], rtol=1e-12)
    np.testing.assert_allclose(rtg[:, -1], r[:, -1])


def test_discounted_returns_to_go_by_hand():
    g = discounted_returns_to_go(np.array([[1.0, 2.0, 4.0]]), 0.5)
    np.testing.assert_allclose(g, [[1 + 1 + 1, 2 + 2, 4]])
    g = discounted_returns_to_go(np.array([[1.0, 2.0, 9.0]]), 0.5, mask=np.array([[1, 1, 0]], bool))
    np.testing.assert_allclose(g, [[2, 2, 0]])


def test_episodes_with_different_lengths_and_order_of_lines(tmp_path):
    """Episodes may end early (terminated) and lines may come in any order."""
    rows = []
    for eps_id, length in ((7, 3), (2, 1)):
        for t in range(length):
            rows.append(dict(
                eps_id=eps_id, t=t, obs=[0.5, 0.5 + t], actions=t % 2, rewards=float(t),
                new_obs=[0.5, 0.5 + t + 1], terminateds=t == length - 1, truncateds=False,
                action_prob=0.5, action_logp=float(np.log(0.5)),
            ))  # fmt: skip
    rows.reverse()
    path = tmp_path / "mixed.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    eps = load_episodes(path)
    assert list(eps.eps_id) == [2, 7]  # ordered by first appearance in the file
    np.testing.assert_array_equal(eps.lengths, [1, 3])
    np.testing.assert_array_equal(eps.rewards[1], [0, 1, 2])
    assert eps.returns().tolist() == [0.0, 3.0]
    ep = eps.episode(1)
    assert ep["obs"].shape == (3, 2) and ep["eps_id"] == 7


def test_from_rollouts_and_subset():
    cfg = EnvConfig(max_steps=5)
    eps = Episodes.from_rollouts(rollout(SoftmaxSweetness(cfg), 10, cfg, seed=0))
    assert eps.num_steps == 50 and eps.truncateds[:, -1].all()
    sub = eps.subset(slice(2, 5))
    assert len(sub) == 3
    np.testing.assert_array_equal(sub.rewards, eps.rewards[2:5])


def test_cli_validates_a_good_file():
    res = subprocess.run(
        [sys.executable, "-m", "offrl", "validate-data", str(offrl.canonical_dataset_path())],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("\n") == 1 and "5000 transitions in 50 episodes" in res.stdout
    assert res.stderr == ""


def test_data_dir_is_found_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert offrl.canonical_dataset_path().is_file()
