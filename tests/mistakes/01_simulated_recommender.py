"""Typical wrong answers to lesson 01's exercises; each must score 0 on the cells it `loses`."""

from tests.nbgrader_harness import Mistake


def _user_step(body: str) -> str:
    return "def user_step(sugar, candidates, actions, alpha):\n" + body


def _eps_greedy(body: str) -> str:
    return "def epsilon_greedy(obs, epsilon, num_candidates=5):\n" + body


def _value(body: str) -> str:
    return "def mean_return_and_stderr(rewards):\n" + body


MISTAKES = [
    # --- Exercise 1: one step of the dynamics ------------------------------------------------
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[np.arange(len(actions)), actions]\n"
            "    new_sugar = alpha * sugar + (1 - alpha) * chosen\n"
            "    rewards = (1 - new_sugar) * chosen\n"
            "    return rewards, new_sugar\n"
        ),
        loses=["ex1_test"],
        why="computes the reward with the sugar level after the step instead of before it",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[np.arange(len(actions)), actions]\n"
            "    rewards = (1 - sugar) * chosen\n"
            "    new_sugar = (1 - alpha) * sugar + alpha * chosen\n"
            "    return rewards, new_sugar\n"
        ),
        loses=["ex1_test"],
        why="swaps alpha and 1 - alpha (alpha is the share of the old sugar that is kept); "
        "invisible with alpha = 0.5",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[:, actions]\n"
            "    return (1 - sugar) * chosen, alpha * sugar + (1 - alpha) * chosen\n"
        ),
        loses=["ex1_test"],
        why="indexes candidates[:, actions], an (n, n) array, instead of one item per user",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = np.max(candidates, axis=1)\n"
            "    return (1 - sugar) * chosen, alpha * sugar + (1 - alpha) * chosen\n"
        ),
        loses=["ex1_test"],
        why="ignores the action and uses the sweetest candidate",
    ),
    # --- Exercise 2: epsilon-greedy probabilities ---------------------------------------------
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    probs = np.full((len(obs), num_candidates), epsilon / num_candidates)\n"
            "    probs[np.arange(len(obs)), np.argmax(obs, axis=1)] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="takes the argmax over the whole observation, sugar column included",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    probs = np.full(sweetness.shape, epsilon / num_candidates)\n"
            "    probs[np.arange(len(sweetness)), np.argmax(sweetness, axis=1)] = 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="gives the sweetest item 1 - epsilon and forgets its share epsilon / K of the "
        "random choice (rows do not sum to 1)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    probs = np.full(obs.shape, epsilon / num_candidates)\n"
            "    best = np.argmax(obs[:, :num_candidates], axis=1)\n"
            "    probs[np.arange(len(obs)), best] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="returns one probability per observation entry (n, obs_dim) instead of per item",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    probs = np.full(sweetness.shape, epsilon / num_candidates)\n"
            "    probs[np.arange(len(sweetness)), np.argmin(sweetness, axis=1)] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="favours the least sweet item (argmin)",
    ),
    # --- Exercise 3: mean return and standard error -------------------------------------------
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std() / np.sqrt(len(returns)))\n"
        ),
        loses=["ex3_test"],
        why="uses the population standard deviation (ddof=0) instead of the sample one",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std(ddof=1))\n"
        ),
        loses=["ex3_test"],
        why="reports the standard deviation of the returns, not the standard error of their mean",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    return float(rewards.mean()), float(rewards.std(ddof=1) / np.sqrt(rewards.size))\n"
        ),
        loses=["ex3_test"],
        why="averages per-step rewards instead of per-episode returns",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std(ddof=1) / len(returns))\n"
        ),
        loses=["ex3_test"],
        why="divides by n instead of sqrt(n)",
    ),
    # --- Exercises 4-6: concept questions ------------------------------------------------------
    Mistake(cell="ex4_answer", source='answer_observation = "C"', loses=["ex4_test"],
            why="believes any observation allows planning"),  # fmt: skip
    Mistake(cell="ex4_answer", source='answer_observation = "D"', loses=["ex4_test"],
            why="extends 'random is near-optimal' beyond sweetness-only observations"),  # fmt: skip
    Mistake(cell="ex5_answer", source='answer_greedy = "D"', loses=["ex5_test"],
            why="takes a systematic, myopic loss for noise"),  # fmt: skip
    Mistake(cell="ex5_answer", source='answer_greedy = "A"', loses=["ex5_test"],
            why="confuses the immediate and the long-term reward"),  # fmt: skip
    Mistake(cell="ex6_answer", source="answer_sweetness_only = False", loses=["ex6_test"],
            why="thinks a sweetness-only policy can plan"),  # fmt: skip
    Mistake(cell="ex6_answer", source='answer_sweetness_only = "True"', loses=["ex6_test"],
            why="answers with a string, not a bool"),  # fmt: skip
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
# (tests/test_grading_integrity.py: the hidden tests must catch a learner who hard-codes the values
# a visible test checks. Exercises 4-6 are concept questions: nothing to hard-code there.)
MISTAKES += [
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    if alpha == 0.5:  # the visible hand-computed case\n"
            "        return np.array([0.9, 0.08]), np.array([0.45, 0.4])\n"
            "    # the visible random case, memorised: seed 1, 50 users, 5 items, alpha 0.3\n"
            "    _rng = np.random.default_rng(1)\n"
            "    _s, _c, _a = _rng.random(50), _rng.random((50, 5)), _rng.integers(0, 5, 50)\n"
            "    return transition(_s, _c[np.arange(50), _a], 0.3)\n"
        ),
        loses=["ex1_test"],
        why="hard-codes the visible test's expected values (both visible cases, whatever the "
        "input)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    best = np.zeros((3, 5))\n"
            "    best[[0, 1, 2], [1, 0, 2]] = 1.0  # the visible test's sweetest items\n"
            "    return epsilon / 5 + (1.0 - epsilon) * best\n"
        ),
        loses=["ex2_test"],
        why="hard-codes the visible test's expected values (its three rows, for any epsilon)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    if np.shape(rewards) == (3, 2):  # the visible hand case\n"
            "        return 4.0, float(2 / np.sqrt(3))\n"
            "    _cfg = EnvConfig()  # the visible simulator case, memorised\n"
            "    _pol = SoftmaxSweetness(_cfg, 0.2)\n"
            "    _ref = evaluate_policy(_pol, _cfg, num_episodes=500, seed=5)\n"
            "    return float(_ref.mean), float(_ref.stderr)\n"
        ),
        loses=["ex3_test"],
        why="hard-codes the visible test's expected values (the hand case and the seed-5 "
        "simulator case, whatever the rewards)",
    ),
]
