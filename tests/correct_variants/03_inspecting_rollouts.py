"""Right answers to lesson 03's exercises written differently: each must keep full marks on the
test cells in `keeps`."""

from tests.nbgrader_harness import Variant

VARIANTS = [
    # --- Exercise 1: rows_to_episodes --------------------------------------------------------
    Variant(
        cell="ex1_answer",
        source='''def rows_to_episodes(rows):
    from collections import defaultdict
    by_eps = defaultdict(dict)
    for r in rows:
        by_eps[r["eps_id"]][r["t"]] = r
    out = {}
    for e, steps in by_eps.items():
        ordered = [steps[t] for t in sorted(steps)]
        out[e] = {"obs": np.array([r["obs"] for r in ordered], dtype=np.float32),
                  "actions": np.array([r["actions"] for r in ordered]),
                  "rewards": np.array([r["rewards"] for r in ordered], dtype=np.float32)}
    return out
''',
        keeps=["ex1_test"],
        why="a defaultdict keyed by t; float32 arrays (the file's numbers are float32 values)",
    ),
    Variant(
        cell="ex1_answer",
        source='''def rows_to_episodes(rows):
    ordered = sorted(rows, key=lambda r: r["t"])  # a sorted copy; stable per episode
    out = {}
    for r in ordered:
        ep = out.setdefault(r["eps_id"], {"obs": [], "actions": [], "rewards": []})
        ep["obs"].append(r["obs"])
        ep["actions"].append(r["actions"])
        ep["rewards"].append(r["rewards"])
    for ep in out.values():
        ep["obs"] = np.array(ep["obs"], dtype=float)
        ep["actions"] = np.array(ep["actions"], dtype=int)
        ep["rewards"] = np.array(ep["rewards"], dtype=float)
    return out
''',
        keeps=["ex1_test"],
        why="sorts a copy of all rows by t first, then groups (another valid order)",
    ),
    # --- Exercise 2: discounted_return, returns_to_go -----------------------------------------
    Variant(
        cell="ex2_answer",
        source='''def discounted_return(rewards, gamma):
    total = 0.0
    for r in reversed(list(rewards)):
        total = r + gamma * total
    return total


def returns_to_go(rewards, gamma):
    r = np.asarray(rewards)  # float32 in, float32 arithmetic
    out = np.empty_like(r, dtype=np.result_type(r.dtype, np.float32))
    acc = out.dtype.type(0)
    for t in range(len(r) - 1, -1, -1):
        acc = r[t] + out.dtype.type(gamma) * acc
        out[t] = acc
    return out
''',
        keeps=["ex2_test"],
        why="Horner's scheme for the return; the return-to-go in the rewards' own precision "
        "(float32 arithmetic on float32 rewards)",
    ),
    Variant(
        cell="ex2_answer",
        source='''def returns_to_go(rewards, gamma):
    r = np.asarray(rewards, dtype=np.float64)
    T = len(r)
    k = np.arange(T)
    d = np.triu(float(gamma) ** np.clip(k[None, :] - k[:, None], 0, None))  # d[t, t'] = gamma^(t'-t)
    return d @ r


def discounted_return(rewards, gamma):
    return float(returns_to_go(rewards, gamma)[0])
''',
        keeps=["ex2_test"],
        why="a matrix of discounts (vectorised, quadratic); the return as the first return-to-go",
    ),
    # --- Exercise 4: recover_sugar -----------------------------------------------------------
    Variant(
        cell="ex4_answer",
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.asarray(obs)
    chosen = np.take_along_axis(obs[:, :num_candidates], np.asarray(actions)[:, None], axis=1)[:, 0]
    out = np.full(chosen.shape, np.nan)
    np.divide(rewards, chosen, out=out, where=chosen > 0)
    return np.where(chosen > 0, 1.0 - out, np.nan)
''',
        keeps=["ex4_test"],
        why="np.divide(..., where=...) and take_along_axis",
    ),
    Variant(
        cell="ex4_answer",
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    chosen = np.asarray(obs)[np.arange(len(actions)), actions]
    with np.errstate(divide="ignore", invalid="ignore"):
        sugar = 1.0 - np.asarray(rewards, dtype=np.float64) / chosen
    return np.where(chosen > 0, sugar, np.nan)
''',
        keeps=["ex4_test"],
        why="divides everywhere inside np.errstate (no warning), then masks",
    ),
    Variant(
        cell="ex4_answer",
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    out = []
    for o, a, r in zip(obs, actions, rewards):
        x = float(o[int(a)])
        out.append(1.0 - float(r) / x if x > 0 else float("nan"))
    return np.array(out)
''',
        keeps=["ex4_test"],
        why="a plain-Python loop",
    ),
    # --- Exercise 5: estimate_alpha ----------------------------------------------------------
    Variant(
        cell="ex5_answer",
        source='''def estimate_alpha(sugar, chosen, mask):
    import math
    num = den = 0.0
    for s, x, m in zip(np.asarray(sugar).tolist(), np.asarray(chosen).tolist(), np.asarray(mask).tolist()):
        for t in range(len(s) - 1):
            if m[t] and m[t + 1]:
                y, z = s[t + 1] - x[t], s[t] - x[t]
                if math.isfinite(y) and math.isfinite(z):
                    num += y * z
                    den += z * z
    return num / den
''',
        keeps=["ex5_test"],
        why="plain-Python loops over episodes and steps",
    ),
    Variant(
        cell="ex5_answer",
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.asarray(sugar), np.asarray(chosen)  # float32 stays float32
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = np.asarray(mask)[:, 1:] & np.asarray(mask)[:, :-1] & ~np.isnan(y) & ~np.isnan(z)
    (slope,), *_ = np.linalg.lstsq(z[ok][:, None], y[ok], rcond=None)
    return float(slope)
''',
        keeps=["ex5_test"],
        why="np.linalg.lstsq with a single column (no intercept), in the inputs' precision",
    ),
    # --- Exercises 3 and 6: concept questions ------------------------------------------------
    Variant(cell="ex3_answer", source="answer_actions = 'B'  # positions, not items\n",
            keeps=["ex3_test"], why="single quotes and a comment"),  # fmt: skip
    Variant(
        cell="ex6_answer",
        source="answer_sugar = dict(memory=True, memoryless=False, needs_alpha=False, recover=True)\n",
        keeps=["ex6_test", "ex6_test_b"],
        why="dict() with the keys in another order",
    ),
]

# --- red-team round: more right answers written differently ------------------------------
VARIANTS += [
    Variant(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    import itertools
    key = lambda r: (str(type(r["eps_id"])), r["eps_id"])
    out = {}
    for _, group in itertools.groupby(sorted(rows, key=key), key=key):
        steps = sorted(group, key=lambda r: r["t"])
        out[steps[0]["eps_id"]] = {"obs": [list(map(float, r["obs"])) for r in steps],  # lists are array-like
                                   "actions": [int(r["actions"]) for r in steps],
                                   "rewards": [float(r["rewards"]) for r in steps]}
    return out
''',
        keeps=['ex1_test'],
        why='itertools.groupby on a sorted copy; plain lists',
    ),
    Variant(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    lengths = {}
    for r in rows:
        lengths[r["eps_id"]] = max(lengths.get(r["eps_id"], 0), r["t"] + 1)
    out = {}
    for e, n in lengths.items():
        d = len(next(r for r in rows if r["eps_id"] == e)["obs"])
        out[e] = {"obs": np.empty((n, d)), "actions": np.empty(n, dtype=np.int64), "rewards": np.empty(n)}
    for r in rows:
        ep, t = out[r["eps_id"]], r["t"]
        ep["obs"][t], ep["actions"][t], ep["rewards"][t] = r["obs"], r["actions"], r["rewards"]
    return out
''',
        keeps=['ex1_test'],
        why='preallocates each episode and places each step at index t',
    ),
    Variant(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    return float(np.polyval(np.asarray(rewards, dtype=float)[::-1], gamma))


def returns_to_go(rewards, gamma):
    from scipy.signal import lfilter
    r = np.asarray(rewards, dtype=float)
    return lfilter([1.0], [1.0, -gamma], r[::-1])[::-1]
''',
        keeps=['ex2_test'],
        why='np.polyval (Horner) and scipy.signal.lfilter',
    ),
    Variant(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    g = 0.0
    for k, r in enumerate(rewards):
        g += gamma ** k * r
    return g


def returns_to_go(rewards, gamma):
    out = []
    acc = 0.0
    for r in reversed(list(rewards)):
        acc = float(r) + gamma * acc
        out.append(acc)
    return out[::-1]  # a list
''',
        keeps=['ex2_test'],
        why='plain loops; python float; returns a list',
    ),
    Variant(
        cell='ex4_answer',
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.asarray(obs)
    chosen = np.diag(obs[:, np.asarray(actions)]).astype(np.float64)
    r = np.asarray(rewards, dtype=np.float64)
    safe = np.where(chosen > 0, chosen, 1.0)
    return np.where(chosen > 0, 1.0 - r / safe, np.nan)
''',
        keeps=['ex4_test'],
        why='np.diag of obs[:, actions]; a safe denominator',
    ),
    Variant(
        cell='ex4_answer',
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.asarray(obs)
    chosen = obs[np.arange(len(actions)), actions]
    out = np.full(len(actions), np.nan, dtype=np.result_type(obs.dtype, np.asarray(rewards).dtype))
    pos = np.flatnonzero(chosen > 0)
    out[pos] = 1 - np.asarray(rewards)[pos] / chosen[pos]
    return out  # float32 for float32 inputs
''',
        keeps=['ex4_test'],
        why='keeps float32 for float32 inputs; flatnonzero',
    ),
    Variant(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x, m = np.asarray(sugar, float), np.asarray(chosen, float), np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, 1:] & ~np.isnan(y) & ~np.isnan(z)  # padding is at the end: m[t+1] implies m[t]
    return np.mean(y[ok] * z[ok]) / np.mean(z[ok] ** 2)  # numpy float64
''',
        keeps=['ex5_test'],
        why='means instead of sums; mask of the second step only (padding at the end)',
    ),
    Variant(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x, m = np.asarray(sugar, float), np.asarray(chosen, float), np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, 1:] & m[:, :-1] & np.isfinite(y) & np.isfinite(z)
    y, z = y[ok], z[ok]
    return float(np.dot(y, z) / np.dot(z, z))
''',
        keeps=['ex5_test'],
        why='np.dot',
    ),
    Variant(
        cell='ex6_answer',
        source='''answer_sugar = {"recover": bool(1), "needs_alpha": not True, "memoryless": 1 == 2, "memory": True}
''',
        keeps=['ex6_test', 'ex6_test_b'],
        why='bools from expressions',
    ),
]
