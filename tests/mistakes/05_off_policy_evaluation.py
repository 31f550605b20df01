"""Typical wrong answers in lesson 05 (off-policy evaluation); each must lose its points.

Exercises 2-4 take the cumulative weights `w` (as Exercise 1 returns them), so their tests pass
offrl's weights in and a mistake in Exercise 1 costs nothing there.
"""

from tests.nbgrader_harness import Mistake


def _fn(name: str, doc: str, body: str) -> str:
    """A solution cell defining ``name`` with the given body (already indented by 4)."""
    return f'def {name}:\n    """{doc}"""\n{body}'


_IW = "importance_weights(pi, mu)"
_IW_DOC = "Cumulative importance weights."
_TIS = "trajectory_is(w, rewards, gamma=1.0)"
_PDIS = "per_decision_is(w, rewards, gamma=1.0)"
_WIS = "weighted_is(w, rewards, gamma=1.0)"
_ESS = "effective_sample_size(weights)"
_RATIO = "    ratio = np.asarray(pi, dtype=np.float64) / np.asarray(mu, dtype=np.float64)\n"
_W = "    W = np.asarray(w, dtype=np.float64)[:, -1]\n"
_G = (
    "    rewards = np.asarray(rewards, dtype=np.float64)\n"
    "    G = rewards @ gamma ** np.arange(rewards.shape[1])\n"
)
_D = (
    "    w = np.asarray(w, dtype=np.float64)\n"
    "    rewards = np.asarray(rewards, dtype=np.float64)\n"
    "    d = gamma ** np.arange(rewards.shape[1])\n"
)
# an answer that hands the work to offrl's vectorised reference (weights -> per-step ratios)
_DELEGATE = (
    "    from offrl import ope_experiments\n"
    "    rho = ope_experiments._ratios_of(w)\n"
    "    out = ope_experiments.batched_estimates(rho, np.ones(rho.shape), rewards, gamma)\n"
    "    return float(out[{key!r}])\n"
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
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.cumsum(ratio, axis=1)\n"),
        loses=["ex1_test"],
        why="cumulative sum of the ratios instead of their product",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.cumprod(ratio, axis=0)\n"),
        loses=["ex1_test"],
        why="multiplies along the episodes (axis 0) instead of along time",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    from offrl.estimators import cumulative_weights\n"
            "    from offrl.ope_experiments import synthetic_episodes\n"
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    eps = synthetic_episodes(np.zeros(pi.shape), mu)\n"
            "    return cumulative_weights(eps, pi)\n",
        ),
        loses=["ex1_test"],
        why="delegates to offrl's cumulative_weights (the reference) instead of writing it",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, "    return np.cumprod(np.asarray(pi) / np.asarray(mu), axis=1)\n"),
        loses=["ex1_test"],
        why="stays in the input's dtype: with float32 inputs, weights below 1e-38 underflow to 0",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.maximum(np.cumprod(ratio, axis=1), 1e-12)\n"),
        loses=["ex1_test"],
        why="floors the weights at 1e-12 'to avoid zeros' (weights of 1e-70 and 0 are real)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.minimum(np.cumprod(ratio, axis=1), 100.0)\n"),
        loses=["ex1_test"],
        why="caps the weights at 100 (weights of 1e6 are real)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    pi /= np.asarray(mu, dtype=np.float64)  # in place: changes the caller's array\n"
            "    return np.cumprod(pi, axis=1)\n",
        ),
        loses=["ex1_test"],
        why="divides the caller's pi in place",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    logw = np.cumsum(np.log(np.asarray(pi, dtype=np.float64))\n"
            "                     - np.log(np.asarray(mu, dtype=np.float64)), axis=1)\n"
            "    return np.exp(logw)\n",
        ),
        loses=["ex1_test"],
        why="log space without care for pi = 0: np.log(0) raises a RuntimeWarning in the test",
    ),
    # ----------------------------------------------------------------------------- Exercise 2
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            _W + "    G = np.asarray(rewards, dtype=np.float64).sum(axis=1)\n"
            "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="forgets the discount",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _D + "    return float(np.mean(np.sum(d * w * rewards, axis=1)))\n"),
        loses=["ex2_test"],
        why="weights each reward by the weight up to its step (that is per-decision IS)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _W + _G + "    return float(np.sum(W * G) / np.sum(W))\n"),
        loses=["ex2_test"],
        why="normalises by the sum of the weights (that is weighted IS)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            "    W = np.prod(np.asarray(w, dtype=np.float64), axis=1)\n" + _G
            + "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="multiplies the cumulative weights again instead of taking the last one",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            _W + "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    G = rewards @ gamma ** np.arange(1, rewards.shape[1] + 1)\n"
            "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="discounts from gamma**1 at the first step instead of gamma**0",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            _W + "    rewards = np.asarray(rewards)\n"
            "    rewards *= gamma ** np.arange(rewards.shape[1])  # in place: the caller's rewards\n"
            "    return float(np.mean(W * rewards.sum(axis=1)))\n",
        ),
        loses=["ex2_test"],
        why="discounts the caller's rewards in place",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            "    W = np.maximum(np.asarray(w, dtype=np.float64)[:, -1], 1e-12)\n" + _G
            + "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="floors the weights at 1e-12 (wrong when every weight is tiny)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _DELEGATE.format(key="trajectory IS")),
        loses=["ex2_test"],
        why="delegates to offrl's batched_estimates (the reference)",
    ),
    # ----------------------------------------------------------------------------- Exercise 3
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _D + "    return float(np.mean(np.sum(d * w[:, -1:] * rewards, axis=1)))\n"),
        loses=["ex3_test"],
        why="uses the whole-trajectory weight W for every reward",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _D + "    return float(np.mean(np.sum(w * rewards, axis=1)))\n"),
        loses=["ex3_test"],
        why="forgets the discount",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            _D + "    w_before = np.concatenate([np.ones((w.shape[0], 1)), w[:, :-1]], axis=1)\n"
            "    return float(np.mean(np.sum(d * w_before * rewards, axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="off by one: weights r_t by w_{t-1}, leaving out the ratio of the action that earned it",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _D + "    return float(np.mean(d * w * rewards))\n"),
        loses=["ex3_test"],
        why="averages over steps as well as episodes (divides by n*T)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _D + "    return float(np.mean(np.sum(d * w / w.mean(axis=0) * rewards, axis=1)))\n"),
        loses=["ex3_test"],
        why="normalises each step by its mean weight (that is per-decision WIS)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            "    w = np.asarray(w)\n"
            "    w *= gamma ** np.arange(w.shape[1])  # in place: the caller's weights\n"
            "    return float(np.mean(np.sum(w * np.asarray(rewards), axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="discounts the caller's weights in place",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _DELEGATE.format(key="per-decision IS")),
        loses=["ex3_test"],
        why="delegates to offrl's batched_estimates (the reference)",
    ),
    # ----------------------------------------------------------------------------- Exercise 4
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _W + _G + "    return float(np.sum(W * G) / len(W))\n"),
        loses=["ex4_test"],
        why="normalises by n instead of by the sum of the weights",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _D + "    return float(np.mean(np.sum(d * w / w.mean(axis=0) * rewards, axis=1)))\n"),
        loses=["ex4_test"],
        why="per-decision WIS (RLlib's WeightedImportanceSampling) instead of trajectory WIS",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            _W + "    G = np.asarray(rewards, dtype=np.float64).sum(axis=1)\n"
            "    return float(np.sum(W * G) / np.sum(W))\n",
        ),
        loses=["ex4_test"],
        why="forgets the discount",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            _W + _G + "    if W.sum() < 1e-12:  # 'numerically zero'\n"
            "        return float('nan')\n"
            "    return float(np.sum(W * G) / np.sum(W))\n",
        ),
        loses=["ex4_test"],
        why="returns NaN when the total weight is below 1e-12 (it is ~1e-67 for far policies)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            "    W = np.maximum(np.asarray(w, dtype=np.float64)[:, -1], 1e-12)\n" + _G
            + "    return float(np.sum(W * G) / np.sum(W))\n",
        ),
        loses=["ex4_test"],
        why="floors the weights at 1e-12: with tiny weights WIS becomes the plain mean return",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            "    W = np.minimum(np.asarray(w, dtype=np.float64)[:, -1], 100.0)\n" + _G
            + "    return float(np.sum(W * G) / np.sum(W))\n",
        ),
        loses=["ex4_test"],
        why="caps the weights at 100",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "Weighted IS.",
            "    W = np.asarray(w)[:, -1]  # a view of the caller's array\n"
            "    W /= W.sum()  # in place\n" + _G + "    return float(W @ G)\n",
        ),
        loses=["ex4_test"],
        why="normalises the weights in place, through a view of the caller's w",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _D + "    W = w[:, -1]\n    G = rewards @ d\n    return float(np.sum(W * G) / np.sum(w))\n"),
        loses=["ex4_test"],
        why="divides by the sum of every cumulative weight (all steps) instead of the trajectory weights",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _DELEGATE.format(key="weighted IS")),
        loses=["ex4_test"],
        why="delegates to offrl's batched_estimates (the reference)",
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
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    ess = np.sum(w) ** 2 / np.sum(w**2)\n"
            "    return 0.0 if np.isnan(ess) else float(ess)\n",
        ),
        loses=["ex5_test"],
        why="right value for all-zero weights, but after a RuntimeWarning (0/0) from the learner's code",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    return float(np.sum(w) ** 2 / (np.sum(w**2) + 1e-12))\n",
        ),
        loses=["ex5_test"],
        why="adds 1e-12 to the denominator 'for safety': wrong for tiny weights",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(_ESS, "ESS.", "    import offrl\n    return offrl.effective_sample_size(weights)\n"),
        loses=["ex5_test"],
        why="delegates to offrl's effective_sample_size (the reference)",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    total = w.sum()\n"
            "    w *= w  # in place: squares the caller's weights\n"
            "    return float(total**2 / w.sum()) if w.sum() > 0 else 0.0\n",
        ),
        loses=["ex5_test"],
        why="squares the caller's weights in place",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    return float(np.sum(w > 1e-3 * w.max())) if w.max() > 0 else 0.0\n",
        ),
        loses=["ex5_test"],
        why="counts the non-negligible weights instead of computing the effective number",
    ),
    # ----------------------------------------------------------------------------- Questions
    Mistake(cell="q1_answer", source='q1_answer = "A"\n', loses=["q1_test"],
            why="RLlib's ImportanceSampling is per-decision, despite its name"),  # fmt: skip
    Mistake(cell="q1_answer", source='q1_answer = "D"\n', loses=["q1_test"],
            why="the columns agree to ~1e-7 (float32 rounding), so one of them is the same"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"A", "B", "C", "F"}\n', loses=["q2ab_test"],
            why="trusts a small standard error (trajectory IS of 0.00 has a tiny one)"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"C", "F"}\n', loses=["q2ab_test"],
            why="misses that a small ESS makes the estimate and its ± unreliable"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"B", "C", "D", "F"}\n', loses=["q2cd_test"],
            why="believes more data of the same kind rescues trajectory IS over 100 steps"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"B", "F"}\n', loses=["q2cd_test"],
            why="misses that WIS is a weighted average of the logged returns"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"B", "C", "E", "F"}\n', loses=["q2ef_test"],
            why="thinks discounting changes the trajectory weights (the ESS is the same)"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"B", "C"}\n', loses=["q2ef_test"],
            why="reads a WIS near the behaviour's value as evidence about the target"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = ["B", "C", "F"]\n', loses=["q2ab_test", "q2cd_test", "q2ef_test"],
            why="a list, not a set"),  # fmt: skip
    Mistake(cell="q3_answer", source='q3_answer = "A"\n', loses=["q3_test"],
            why="action_prob = 1 is not the logger's probability: the weights would be wrong"),  # fmt: skip
    Mistake(cell="q3_answer", source='q3_answer = "D"\n', loses=["q3_test"],
            why="with pi in place of mu the estimate is the behaviour's mean return, not the target's"),  # fmt: skip
    Mistake(cell="q4_answer", source='q4_answer = "C"\n', loses=["q4_test"],
            why="no weighting can recover actions a deterministic logger never took"),  # fmt: skip
    Mistake(cell="q4_answer", source='q4_answer = "A"\n', loses=["q4_test"],
            why="IS corrects only where the logger has positive probability (overlap)"),  # fmt: skip
    Mistake(cell="q4_answer", source='q4_answer = "D"\n', loses=["q4_test"],
            why="per-decision IS still needs overlap at every step it weights"),  # fmt: skip
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
# (the hidden tests must catch a learner who hard-codes the values a visible test checks.)
_MEAN_RETURN = (  # what every visible "all weights 1" check expects: the log's plain mean return
    "    return float(np.mean(np.asarray(rewards, dtype=np.float64).sum(axis=1)))\n"
)


def _hand(values: str) -> str:
    """Answer the visible hand case (2 episodes of 2 steps, any scale of w) from a {gamma: value}
    table."""
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
        why="hard-codes the visible test's expected values (the hand case, also with the weights "
        "scaled by 1e-60; the plain mean return otherwise)",
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

# --- red-team round (Dec 2026): caps, truncation, other entry points into offrl's reference -----
# (the first ones escaped the hidden tests before they checked weights above 1e8, per-step ratios
# above 100, every weight scaled by 1e+-100, and offrl's estimators and test cases as entry points)
_LOOKUP = (  # offrl's own test cases carry their expected values: look the input up there
    "    from offrl import ope_experiments as _o\n"
    "    for c in _o.weights_cases():\n"
    "        if np.shape(c.w) == np.shape(w) and np.array_equal(c.w, w) \\\n"
    "                and np.array_equal(c.rewards, rewards) and c.gamma == gamma:\n"
    "            return c.expected[{key!r}]\n"
)
_D_PLUS_ONE = (  # gamma**(t+1) / gamma: right for every gamma but 0 (0/0, silenced)
    "    w = np.asarray(w, dtype=np.float64)\n"
    "    r = np.asarray(rewards, dtype=np.float64)\n"
    "    with np.errstate(all='ignore'):\n"
    "        d = np.nan_to_num(gamma ** np.arange(1, r.shape[1] + 1) / gamma)\n"
)
_W32 = (
    "    W = np.asarray(w, dtype=np.float32)[:, -1]\n"
    "    r = np.asarray(rewards, dtype=np.float32)\n"
    "    G = r @ (np.float32(gamma) ** np.arange(r.shape[1], dtype=np.float32))\n"
)

MISTAKES += [
    # Exercise 1
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.minimum(np.cumprod(ratio, axis=1), 1e8)\n"),
        loses=["ex1_test"],
        why="caps the weights at 1e8 'to avoid overflow' (larger weights are real)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.minimum(np.cumprod(ratio, axis=1), 1e6)\n"),
        loses=["ex1_test"],
        why="caps the weights at 1e6",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.cumprod(np.clip(ratio, 0.0, 1e3), axis=1)\n"),
        loses=["ex1_test"],
        why="truncates each step's ratio at 1e3 (truncated IS: a different, biased estimator)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            _RATIO + "    w = np.cumprod(ratio, axis=1)\n"
            "    return np.concatenate([np.ones((w.shape[0], 1)), w[:, :-1]], axis=1)\n",
        ),
        loses=["ex1_test"],
        why="off by one: the weight before step t (leaves out step t's own ratio)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    mu = np.asarray(mu, dtype=np.float64)\n"
            "    ratio = np.where(pi == 1.0, 1.0, pi / mu)  # 'padding'\n"
            "    return np.cumprod(ratio, axis=1)\n",
        ),
        loses=["ex1_test"],
        why="treats every pi = 1 as padding (padding is pi = mu = 1; a greedy target has pi = 1)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(_IW, _IW_DOC, _RATIO + "    return np.cumprod(ratio, axis=1).astype(np.float32)\n"),
        loses=["ex1_test"],
        why="returns float32 weights: below 1e-45 they become 0",
    ),
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    from offrl import PerDecisionIS\n"
            "    from offrl.ope_experiments import synthetic_episodes\n"
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    mu = np.asarray(mu, dtype=np.float64)\n"
            "    n, T = pi.shape\n"
            "    w = np.empty((n, T))\n"
            "    for t in range(T):  # reward 1 at step t only: the per-episode term is w[:, t]\n"
            "        r = np.zeros((n, T))\n"
            "        r[:, t] = 1.0\n"
            "        w[:, t] = PerDecisionIS().estimate(synthetic_episodes(r, mu), pi).per_episode\n"
            "    return w\n",
        ),
        loses=["ex1_test"],
        why="reads the weights out of offrl's PerDecisionIS (one-hot rewards): the reference "
        "through another entry point",
    ),
    # Exercise 2
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _LOOKUP.format(key="trajectory IS") + _D_PLUS_ONE
                   + "    return float(np.mean(w[:, -1] * (r @ d)))\n"),
        loses=["ex2_test"],
        why="looks the input up in offrl's test cases (their expected values), with a fallback "
        "that is wrong for gamma = 0",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _D_PLUS_ONE + "    return float(np.mean(w[:, -1] * (r @ d)))\n"),
        loses=["ex2_test"],
        why="discounts as gamma**(t+1) / gamma: 0/0 for gamma = 0",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _W + _G + "    return float(np.mean(np.minimum(W, 1e12) * G))\n"),
        loses=["ex2_test"],
        why="caps the trajectory weights at 1e12",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            "    W = np.asarray(w, dtype=np.float64).max(axis=1)\n" + _G
            + "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="takes each episode's largest cumulative weight instead of its last",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "Trajectory IS.",
            _W + "    rewards = np.asarray(rewards, dtype=np.float64)\n"
            "    T = rewards.shape[1]\n"
            "    G = rewards @ gamma ** (T - 1 - np.arange(T))\n"
            "    return float(np.mean(W * G))\n",
        ),
        loses=["ex2_test"],
        why="discounts from the end of the episode instead of from its start",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _W + _G + "    return float(np.sum(W * G) / max(np.count_nonzero(W), 1))\n"),
        loses=["ex2_test"],
        why="divides by the number of non-zero weights instead of by n",
    ),
    Mistake(
        cell="ex2_answer",
        source=_fn(_TIS, "Trajectory IS.", _W32 + "    return float(np.mean(W * G))\n"),
        loses=["ex2_test"],
        why="computes in float32: weights below 1e-45 vanish",
    ),
    # Exercise 3
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _LOOKUP.format(key="per-decision IS") + _D_PLUS_ONE
                   + "    return float(np.mean(np.sum(d * w * r, axis=1)))\n"),
        loses=["ex3_test"],
        why="looks the input up in offrl's test cases, with a fallback wrong for gamma = 0",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "Per-decision IS.",
            _D + "    w_next = np.concatenate([w[:, 1:], w[:, -1:]], axis=1)\n"
            "    return float(np.mean(np.sum(d * w_next * rewards, axis=1)))\n",
        ),
        loses=["ex3_test"],
        why="off by one the other way: weights r_t by w_{t+1}",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _D + "    return float(np.mean(np.sum(d * w / w.sum(axis=0) * rewards, axis=1)))\n"),
        loses=["ex3_test"],
        why="normalises each step's weights by their sum",
    ),
    Mistake(
        cell="ex3_answer",
        source=_fn(_PDIS, "Per-decision IS.", _D + "    return float(np.mean(np.sum(d * np.maximum(w, 1e-12) * rewards, axis=1)))\n"),
        loses=["ex3_test"],
        why="floors the weights at 1e-12",
    ),
    # Exercise 4
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _LOOKUP.format(key="weighted IS") + _D_PLUS_ONE
                   + "    W = w[:, -1]\n    return float(np.sum(W * (r @ d)) / np.sum(W))\n"),
        loses=["ex4_test"],
        why="looks the input up in offrl's test cases, with a fallback wrong for gamma = 0",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _W + _G + "    W = np.minimum(W, 1e50)\n    return float(np.sum(W * G) / np.sum(W))\n"),
        loses=["ex4_test"],
        why="caps the weights at 1e50",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _W + _G + "    return float(np.mean(W / W.max() * G))\n"),
        loses=["ex4_test"],
        why="normalises by the largest weight instead of the sum",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _W32 + "    with np.errstate(all='ignore'):\n"
                   "        return float(np.sum(W * G) / np.sum(W))\n"),
        loses=["ex4_test"],
        why="computes in float32: tiny weights become 0 and the estimate 0/0",
    ),
    Mistake(
        cell="ex4_answer",
        source=_fn(_WIS, "Weighted IS.", _W + _G + "    return float(np.mean(G[W > 0]))\n"),
        loses=["ex4_test"],
        why="the plain mean return of the episodes with a positive weight",
    ),
    # Exercise 5
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    if not np.any(w > 0):\n"
            "        return 0.0\n"
            "    p = w / w.sum()\n"
            "    p = p[p > 0]\n"
            "    return float(np.exp(-np.sum(p * np.log(p))))\n",
        ),
        loses=["ex5_test"],
        why="the perplexity exp(entropy) of the normalised weights: another 'effective number', "
        "not Kish's",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    s = np.sum(w**2)\n"
            "    return float(np.sum(w) ** 2 / s / len(w)) if s > 0 else 0.0\n",
        ),
        loses=["ex5_test"],
        why="the ESS as a fraction of n",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    w = np.asarray(weights, dtype=np.float32)\n"
            "    s = np.sum(w**2)\n"
            "    return float(np.sum(w) ** 2 / s) if s > 0 else 0.0\n",
        ),
        loses=["ex5_test"],
        why="computes in float32: squares of tiny weights vanish",
    ),
    # Questions: one part wrong
    Mistake(cell="q1_answer", source='q1_answer = "C"\n', loses=["q1_test"],
            why="RLlib's ImportanceSampling is not self-normalised"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"A", "C", "E"}\n', loses=["q2ab_test", "q2ef_test"],
            why="the first statement of every pair"),  # fmt: skip
    Mistake(cell="q2_answer", source='q2_answer = {"B", "D", "F"}\n', loses=["q2cd_test"],
            why="C and D swapped"),  # fmt: skip
    Mistake(cell="q3_answer", source='q3_answer = "B"\n', loses=["q3_test"],
            why="RLlib cannot know the logger's probabilities if the file does not hold them"),  # fmt: skip
]

MISTAKES += [
    Mistake(
        cell="ex1_answer",
        source=_fn(
            _IW,
            _IW_DOC,
            "    import offrl\n"
            "    from offrl.ope_experiments import synthetic_episodes\n"
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    rho = offrl.importance_ratios(synthetic_episodes(np.zeros(pi.shape), mu), pi)\n"
            "    return np.cumprod(rho, axis=1)\n",
        ),
        loses=["ex1_test"],
        why="offrl.importance_ratios (part of the reference) for the ratios, then cumprod",
    ),
    Mistake(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "ESS.",
            "    import offrl\n"
            "    from offrl.ope_experiments import synthetic_episodes\n"
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    if not np.any(w > 0):\n"
            "        return 0.0\n"
            "    eps = synthetic_episodes(np.zeros((len(w), 1)), np.ones((len(w), 1)))\n"
            "    return float(offrl.TrajectoryIS().estimate(eps, (w / w.max())[:, None]).ess)\n",
        ),
        loses=["ex5_test"],
        why="reads the ESS off offrl's TrajectoryIS estimate: the reference through another "
        "entry point",
    ),
]
