"""Right answers to lesson 05 written differently; each must keep full marks."""

from tests.nbgrader_harness import Variant


def _fn(name: str, body: str) -> str:
    return f"def {name}:\n{body}"


_IW = "importance_weights(pi, mu)"
_TIS = "trajectory_is(w, rewards, gamma=1.0)"
_PDIS = "per_decision_is(w, rewards, gamma=1.0)"
_WIS = "weighted_is(w, rewards, gamma=1.0)"
_ESS = "effective_sample_size(weights)"

VARIANTS = [
    # ----------------------------------------------------------------------------- Exercise 1
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    mu = np.asarray(mu, dtype=np.float64)\n"
            "    with np.errstate(divide='ignore'):  # log(0) = -inf -> weight 0\n"
            "        logw = np.cumsum(np.log(pi) - np.log(mu), axis=1)\n"
            "    return np.exp(logw)\n",
        ),
        keeps=["ex1_test"],
        why="log space (a sum of log-ratios), zeros handled without a warning",
    ),
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    pi = np.array(pi, dtype=np.float64)\n"
            "    mu = np.array(mu, dtype=np.float64)\n"
            "    w = np.empty_like(pi)\n"
            "    for i in range(pi.shape[0]):\n"
            "        running = 1.0\n"
            "        for t in range(pi.shape[1]):\n"
            "            running *= pi[i, t] / mu[i, t]\n"
            "            w[i, t] = running\n"
            "    return w\n",
        ),
        keeps=["ex1_test"],
        why="two Python loops",
    ),
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    ratio = (np.asarray(pi) / np.asarray(mu)).astype(np.float64)  # divide in the input dtype\n"
            "    return np.multiply.accumulate(ratio, axis=1)\n",
        ),
        keeps=["ex1_test"],
        why="divides in float32 for float32 inputs, multiplies in float64 (np.multiply.accumulate)",
    ),
    # ----------------------------------------------------------------------------- Exercise 2
    Variant(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "    total = 0.0\n"
            "    for w_i, r_i in zip(np.asarray(w, dtype=np.float64), np.asarray(rewards, dtype=np.float64)):\n"
            "        G = sum(gamma**t * r for t, r in enumerate(r_i))\n"
            "        total += w_i[-1] * G\n"
            "    return float(total / len(w))\n",
        ),
        keeps=["ex2_test"],
        why="a loop over episodes with Python sums",
    ),
    Variant(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "    r = np.asarray(rewards)  # float32 rewards stay float32 here\n"
            "    d = np.power(float(gamma), np.arange(r.shape[1]))\n"
            "    return float(np.dot(np.asarray(w)[:, -1], r @ d) / r.shape[0])\n",
        ),
        keeps=["ex2_test"],
        why="no casts (float32 inputs mixed with float64 discounts), np.dot",
    ),
    # ----------------------------------------------------------------------------- Exercise 3
    Variant(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "    w = np.asarray(w, dtype=np.float64)\n"
            "    r = np.asarray(rewards, dtype=np.float64)\n"
            "    total = np.zeros(w.shape[0])\n"
            "    for t in range(w.shape[1]):\n"
            "        total += gamma**t * w[:, t] * r[:, t]\n"
            "    return float(total.mean())\n",
        ),
        keeps=["ex3_test"],
        why="a loop over steps",
    ),
    Variant(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "    d = gamma ** np.arange(np.shape(w)[1])\n"
            "    return float(np.einsum('it,it,t->', np.asarray(w), np.asarray(rewards), d) / len(w))\n",
        ),
        keeps=["ex3_test"],
        why="np.einsum, inputs in their own dtype",
    ),
    # ----------------------------------------------------------------------------- Exercise 4
    Variant(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "    W = np.asarray(w, dtype=np.float64)[:, -1]\n"
            "    G = np.asarray(rewards, dtype=np.float64) @ gamma ** np.arange(np.shape(rewards)[1])\n"
            "    return float(np.average(G, weights=W))\n",
        ),
        keeps=["ex4_test"],
        why="np.average with weights",
    ),
    Variant(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "    W = np.asarray(w, dtype=np.float64)[:, -1]\n"
            "    W = W / W.max()  # rescale first: the largest weight becomes 1\n"
            "    G = (np.asarray(rewards) * gamma ** np.arange(np.shape(rewards)[1])).sum(axis=1)\n"
            "    return float((W / W.sum()) @ G)\n",
        ),
        keeps=["ex4_test"],
        why="normalises the weights to probabilities first (after rescaling by the largest)",
    ),
    # ----------------------------------------------------------------------------- Exercise 5
    Variant(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    if not np.any(w > 0):\n"
            "        return 0.0\n"
            "    p = w / w.sum()\n"
            "    return float(1.0 / np.sum(p**2))\n",
        ),
        keeps=["ex5_test"],
        why="1 / sum of squared normalised weights",
    ),
    Variant(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "    s = sq = 0.0\n"
            "    for x in weights:\n"
            "        s += x\n"
            "        sq += x * x\n"
            "    return float(s * s / sq) if sq > 0 else 0.0\n",
        ),
        keeps=["ex5_test"],
        why="a Python loop (float32 weights stay float32)",
    ),
    Variant(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    norm2 = np.linalg.norm(w)\n"
            "    return float((np.linalg.norm(w, 1) / norm2) ** 2) if norm2 > 0 else 0.0\n",
        ),
        keeps=["ex5_test"],
        why="ratio of the 1-norm and the 2-norm (np.linalg.norm)",
    ),
    # ----------------------------------------------------------------------------- Questions
    Variant(cell="q1_answer", source='q1_answer = "b".upper()\n', keeps=["q1_test"],
            why="computed string"),  # fmt: skip
    Variant(cell="q2_answer", source='q2_answer = set("FCB")\n', keeps=["q2ab_test", "q2cd_test", "q2ef_test"],
            why="set built from a string, another order"),  # fmt: skip
    Variant(cell="q3_answer", source='answer = "C"\nq3_answer = answer\n', keeps=["q3_test"],
            why="through another name"),  # fmt: skip
    Variant(cell="q4_answer", source='q4_answer = "B"  # overlap fails\n', keeps=["q4_test"],
            why="with a comment"),  # fmt: skip
]
