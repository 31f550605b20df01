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

# --- red-team round (Dec 2026) ----------------------------------------------------------------
VARIANTS += [
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    mu = np.asarray(mu, dtype=np.float64)\n"
            "    return np.cumprod(pi, axis=1) / np.cumprod(mu, axis=1)\n",
        ),
        keeps=["ex1_test"],
        why="ratio of the cumulative products of pi and of mu",
    ),
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    ratio = np.asarray(pi, dtype=np.float64) / np.asarray(mu, dtype=np.float64)\n"
            "    with np.errstate(divide='ignore'):\n"
            "        return np.exp(np.cumsum(np.log(ratio), axis=1))\n",
        ),
        keeps=["ex1_test"],
        why="log of the ratios summed, zeros handled with np.errstate",
    ),
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    pi = np.asarray(pi, dtype=np.float64)\n"
            "    mu = np.asarray(mu, dtype=np.float64)\n"
            "    w = np.ones_like(pi)\n"
            "    acc = np.ones(pi.shape[0])\n"
            "    for t in range(pi.shape[1]):\n"
            "        acc = acc * pi[:, t] / mu[:, t]\n"
            "        w[:, t] = acc\n"
            "    return w\n",
        ),
        keeps=["ex1_test"],
        why="a loop over steps, multiplying then dividing",
    ),
    Variant(
        cell="ex1_answer",
        source=_fn(
            _IW,
            "    with np.errstate(divide='ignore'):  # logs in the inputs' dtype (float32 stays float32)\n"
            "        logw = np.cumsum(np.log(pi) - np.log(mu), axis=1)\n"
            "    return np.exp(logw.astype(np.float64))  # exponentiated in float64: no underflow\n",
        ),
        keeps=["ex1_test"],
        why="log space in the inputs' dtype (float32 logs, ~1e-4 relative), exponentiated in float64",
    ),
    Variant(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "    r = np.asarray(rewards, dtype=np.float64)\n"
            "    d = np.concatenate([[1.0], np.cumprod(np.full(r.shape[1] - 1, float(gamma)))])\n"
            "    return np.mean(np.asarray(w, dtype=np.float64)[:, -1] * (r @ d))\n",
        ),
        keeps=["ex2_test"],
        why="discounts by a cumulative product, a numpy float returned",
    ),
    Variant(
        cell="ex2_answer",
        source=_fn(
            _TIS,
            "    import math\n"
            "    terms = []\n"
            "    for w_i, r_i in zip(np.asarray(w).tolist(), np.asarray(rewards).tolist()):\n"
            "        G = math.fsum(gamma**t * r for t, r in enumerate(r_i))\n"
            "        terms.append(w_i[-1] * G)\n"
            "    return math.fsum(terms) / len(terms)\n",
        ),
        keeps=["ex2_test"],
        why="Python lists and math.fsum, a Python float",
    ),
    Variant(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "    from numpy.polynomial import polynomial as P\n"
            "    wr = np.asarray(w, dtype=np.float64) * np.asarray(rewards, dtype=np.float64)\n"
            "    return float(np.mean(P.polyval(gamma, wr.T)))  # sum_t gamma**t wr[:, t]\n",
        ),
        keeps=["ex3_test"],
        why="the discounted sum as a polynomial in gamma (np.polynomial's polyval)",
    ),
    Variant(
        cell="ex3_answer",
        source=_fn(
            _PDIS,
            "    col = (np.asarray(w, dtype=np.float64) * np.asarray(rewards, dtype=np.float64)).sum(axis=0)\n"
            "    acc = 0.0\n"
            "    for t in range(len(col) - 1, -1, -1):  # Horner, backwards over steps\n"
            "        acc = col[t] + gamma * acc\n"
            "    return acc / np.shape(w)[0]\n",
        ),
        keeps=["ex3_test"],
        why="sums over episodes first, then a backward (Horner) pass over steps",
    ),
    Variant(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "    W = np.asarray(w, dtype=np.float64)[:, -1]\n"
            "    with np.errstate(divide='ignore'):\n"
            "        logW = np.log(W)\n"
            "    p = np.exp(logW - logW.max())  # log space, shifted by the largest\n"
            "    G = np.asarray(rewards, dtype=np.float64) @ gamma ** np.arange(np.shape(rewards)[1])\n"
            "    return float(p @ G / p.sum())\n",
        ),
        keeps=["ex4_test"],
        why="log-space weights shifted by the largest (log-sum-exp style)",
    ),
    Variant(
        cell="ex4_answer",
        source=_fn(
            _WIS,
            "    W = np.asarray(w, dtype=np.float64)[:, -1]\n"
            "    G = np.asarray(rewards, dtype=np.float64) @ gamma ** np.arange(np.shape(rewards)[1])\n"
            "    return float(np.sum(W * G) / (np.sum(W) + 1e-300))  # guard far below any real total\n",
        ),
        keeps=["ex4_test"],
        why="guards the denominator with 1e-300",
    ),
    Variant(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    with np.errstate(invalid='ignore', divide='ignore'):\n"
            "        ess = np.sum(w) ** 2 / np.sum(w * w)\n"
            "    return float(np.nan_to_num(ess))\n",
        ),
        keeps=["ex5_test"],
        why="0/0 silenced with np.errstate, NaN turned into 0 by np.nan_to_num",
    ),
    Variant(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "    w = np.asarray(weights, dtype=np.float64)\n"
            "    if w.sum() == 0:\n"
            "        return 0.0\n"
            "    return float(w.sum() ** 2 / np.dot(w, w))\n",
        ),
        keeps=["ex5_test"],
        why="a zero-sum guard and np.dot",
    ),
    Variant(
        cell="ex5_answer",
        source=_fn(
            _ESS,
            "    import math\n"
            "    ws = [float(x) for x in weights]\n"
            "    sq = math.fsum(x * x for x in ws)\n"
            "    return math.fsum(ws) ** 2 / sq if sq else 0.0\n",
        ),
        keeps=["ex5_test"],
        why="math.fsum over Python floats",
    ),
    Variant(cell="q2_answer", source='q2_answer = {"B"} | {"C", "F"}\n',
            keeps=["q2ab_test", "q2cd_test", "q2ef_test"], why="a union of sets"),  # fmt: skip
]
