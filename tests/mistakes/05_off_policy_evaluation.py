"""Typical wrong answers in lesson 05 (off-policy evaluation); each must lose its points."""

from tests.nbgrader_harness import Mistake


def _fn(name: str, doc: str, body: str) -> str:
    """A solution cell defining ``name`` with the given body (already indented by 4)."""
    return f'def {name}:\n    """{doc}"""\n{body}'


_IW = "importance_weights(pi, mu)"
_IW_DOC = "Cumulative importance weights."
_TIS = "trajectory_is(pi, mu, rewards, gamma=1.0)"
_PDIS = "per_decision_is(pi, mu, rewards, gamma=1.0)"
_WIS = "weighted_is(pi, mu, rewards, gamma=1.0)"
_ESS = "effective_sample_size(weights)"
_DISCOUNTED_G = (
    "    rewards = np.asarray(rewards, dtype=np.float64)\n"
    "    G = rewards @ gamma ** np.arange(rewards.shape[1])\n"
)

MISTAKES = [
    # ----------------------------------------------------------------------------- Exercise 1
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, "    return np.cumprod(np.asarray(mu) / np.asarray(pi), axis=1)\n"),
        loses=["ex1_test"],
        why="ratio inverted: mu/pi instead of pi/mu",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, "    return np.asarray(pi) / np.asarray(mu)\n"),
        loses=["ex1_test"],
        why="per-step ratios rho_t, not their cumulative product",
    ),
    # ----------------------------------------------------------------------------- Exercise 2
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            "    W = importance_weights(pi, mu)[:, -1]\n"
            "    G = np.asarray(rewards, dtype=np.float64).sum(axis=1)\n"
            "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="forgets the discount",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            "    w = importance_weights(pi, mu)\n"
            "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    return float(np.mean(np.sum(gamma ** np.arange(rewards.shape[1]) * w * rewards, axis=1)))\n",
        ),
        loses=["ex2_test"],
        why="weights each reward by the weight up to its step (that is per-decision IS)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            "    W = importance_weights(pi, mu)[:, -1]\n" + _DISCOUNTED_G + "    return float(np.sum(W * G) / np.sum(W))\n",
        ),
        loses=["ex2_test"],
        why="normalises by the sum of the weights (that is weighted IS)",
    ),
    # ----------------------------------------------------------------------------- Exercise 3
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            "    W = importance_weights(pi, mu)[:, -1:]\n"
            "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    return float(np.mean(np.sum(gamma ** np.arange(rewards.shape[1]) * W * rewards, axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="uses the whole-trajectory weight W for every reward",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            "    rho = np.asarray(pi) / np.asarray(mu)\n"
            "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    return float(np.mean(np.sum(gamma ** np.arange(rewards.shape[1]) * rho * rewards, axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="weights r_t by the single ratio rho_t instead of the cumulative w_t",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            "    w = importance_weights(pi, mu)\n"
            "    return float(np.mean(np.sum(w * np.asarray(rewards, dtype=np.float64), axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="forgets the discount",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            "    w = importance_weights(pi, mu)\n"
            "    w_before = np.concatenate([np.ones((w.shape[0], 1)), w[:, :-1]], axis=1)\n"
            "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    return float(np.mean(np.sum(gamma ** np.arange(rewards.shape[1]) * w_before * rewards, axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="off by one: weights r_t by w_{t-1}, leaving out the ratio of the action that earned it",
    ),
    # ----------------------------------------------------------------------------- Exercise 4
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            "    W = importance_weights(pi, mu)[:, -1]\n" + _DISCOUNTED_G + "    return float(np.sum(W * G) / len(W))\n",
        ),
        loses=["ex4_test"],
        why="normalises by n instead of by the sum of the weights",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            "    w = importance_weights(pi, mu)\n"
            "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    d = gamma ** np.arange(rewards.shape[1])\n"
            "    return float(np.mean(np.sum(d * w / w.mean(axis=0) * rewards, axis=1)))\n",
        ),
        loses=["ex4_test"],
        why="per-decision WIS (RLlib's WeightedImportanceSampling) instead of trajectory WIS",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            "    W = importance_weights(pi, mu)[:, -1]\n"
            "    G = np.asarray(rewards, dtype=np.float64).sum(axis=1)\n"
            "    return float(np.sum(W * G) / np.sum(W))\n",
        ),
        loses=["ex4_test"],
        why="forgets the discount",
    ),
    # ----------------------------------------------------------------------------- Exercise 5
    Mistake(
        cell="ex5_answer",
        source=_fn(_ESS, "ESS.", "    return float(len(weights))\n"),
        loses=["ex5_test"],
        why="the number of episodes, not the effective number",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    return float(np.sum(w**2) / np.sum(w) ** 2) if np.sum(w) > 0 else 0.0\n",
        ),
        loses=["ex5_test"],
        why="formula upside down",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    return float(np.sum(w) ** 2 / np.sum(w**2))\n",
        ),
        loses=["ex5_test"],
        why="no case for all-zero weights: 0/0 gives nan (and a RuntimeWarning)",
    ),
    # ----------------------------------------------------------------------------- Questions
    Mistake(cell="q1_answer", source='q1_answer = "A"\n', loses=["q1_test"],
            why="RLlib's ImportanceSampling is per-decision, despite its name"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"A", "B", "C", "E"}\n', loses=["q2_test"],
            why="trusts a small standard error (trajectory IS of 0.00 has a tiny one)"),  # fmt: skip
    Mistake(cell="q3_answer", source='q3_answer = "A"\n', loses=["q3_test"],
            why="action_prob = 1 is not the logger's probability: the weights would be wrong"),  # fmt: skip
    Mistake(cell="q4_answer", source='q4_answer = "C"\n', loses=["q4_test"],
            why="no weighting can recover actions a deterministic logger never took"),  # fmt: skip
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
# (tests/test_grading_integrity.py: the hidden tests must catch a learner who hard-codes the values
# a visible test checks. q1-q4 are concept questions: nothing to hard-code there.)
_MEAN_RETURN = (  # what every visible "target = logger" check expects: the log's plain mean return
    "    return float(np.mean(np.asarray(rewards, dtype=np.float64).sum(axis=1)))\n"
)


def _hand(values: str) -> str:
    """Answer the visible hand case (2 episodes of 2 steps) from a {gamma: value} table."""
    return (
        "    if np.shape(rewards) == (2, 2):  # the visible hand case\n"
        f"        return {values}[gamma]\n"
    )


MISTAKES += [
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    if np.shape(pi) == (2, 2):  # the visible hand case\n"
            "        return np.array([[2.0, 4.0], [2.0, 0.0]])\n"
            "    return np.ones(np.shape(pi))  # the visible 'target = logger' case\n",
        ),
        loses=["ex1_test"],
        why="hard-codes the visible test's expected values (the hand case; weights 1 otherwise)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _hand("{1.0: 6.0, 0.5: 4.0}") + _MEAN_RETURN),
        loses=["ex2_test"],
        why="hard-codes the visible test's expected values (the hand case; the plain mean return "
        "otherwise)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _hand("{1.0: 8.0, 0.5: 6.0}") + _MEAN_RETURN),
        loses=["ex3_test"],
        why="hard-codes the visible test's expected values (the hand case; the plain mean return "
        "otherwise)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _hand("{1.0: 3.0, 0.5: 2.0}") + _MEAN_RETURN),
        loses=["ex4_test"],
        why="hard-codes the visible test's expected values (the hand case, also with the target "
        "scaled by 2; the plain mean return otherwise)",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    if w.tolist() == [1.0, 3.0]:  # the visible worked example\n"
            "        return 1.6\n"
            "    return float(np.count_nonzero(w))  # right for the other visible cases\n",
        ),
        loses=["ex5_test"],
        why="hard-codes the visible test's expected values (the worked example; the number of "
        "non-zero weights otherwise)",
    ),
]
