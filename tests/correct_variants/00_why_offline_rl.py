"""Right answers to lesson 00's exercises written differently: each keeps full marks."""

from tests.nbgrader_harness import Variant

VARIANTS = [
    Variant(cell="ex1_answer", source="answer_ex1 = ' c '\n", keeps=["ex1_test"],
            why="lower case with spaces around the letter"),  # fmt: skip
    Variant(
        cell="ex2_answer",
        source=(
            "claims = dict.fromkeys([\n"
            "    'bc_more_data_beats_logger', 'marwil_beta0_uses_rewards',\n"
            "    'deterministic_logger_is_enough', 'large_beta_finds_unlogged_items'], False)\n"
            "claims['bc_unaffected_by_lost_rewards'] = claims['marwil_zero_rewards_is_bc'] = True\n"
        ),
        keeps=["ex2_test_imitation", "ex2_test_improvement", "ex2_test_coverage"],
        why="the dict built with fromkeys, keys in another order",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "def chosen_rank_shares(episodes, num_candidates):\n"
            "    counts = np.zeros(num_candidates)\n"
            "    n_eps, n_steps = episodes.actions.shape\n"
            "    for i in range(n_eps):  # one step at a time\n"
            "        for t in range(n_steps):\n"
            "            if not episodes.mask[i, t]:\n"
            "                continue\n"
            "            items = [float(v) for v in episodes.obs[i, t, :num_candidates]]\n"
            "            chosen = items[int(episodes.actions[i, t])]\n"
            "            counts[sum(v > chosen for v in items)] += 1\n"
            "    return counts / counts.sum()\n"
        ),
        keeps=["ex3_test"],
        why="plain loops over episodes and steps",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "def chosen_rank_shares(episodes, num_candidates):\n"
            "    obs = np.asarray(episodes.obs, dtype=np.float64)[episodes.mask]  # (steps, obs_dim)\n"
            "    acts = episodes.actions[episodes.mask]\n"
            "    sw = obs[:, :num_candidates]\n"
            "    order = np.argsort(-sw, axis=1, kind='stable')\n"
            "    rank = np.argmax(order == acts[:, None], axis=1)\n"
            "    return np.array([np.mean(rank == r) for r in range(num_candidates)])\n"
        ),
        keeps=["ex3_test"],
        why="select the real steps first, rank by a stable argsort in float64",
    ),
    Variant(
        cell="ex4_answer",
        source=(
            "def overlap_report(mu_probs, pi_probs):\n"
            "    uncovered, best = 0, 0.0\n"
            "    for mu_row, pi_row in zip(mu_probs, pi_probs):  # one state at a time\n"
            "        fails = False\n"
            "        for m, p in zip(mu_row, pi_row):\n"
            "            if m > 0:\n"
            "                best = max(best, float(p) / float(m))\n"
            "            elif p > 0:\n"
            "                fails = True\n"
            "        uncovered += fails\n"
            "    return uncovered / len(mu_probs), best\n"
        ),
        keeps=["ex4_test_overlap", "ex4_test_ratio"],
        why="plain loops with Python floats",
    ),
    Variant(
        cell="ex4_answer",
        source=(
            "def overlap_report(mu_probs, pi_probs):\n"
            "    mu, pi = np.asarray(mu_probs), np.asarray(pi_probs)  # float32 stays float32\n"
            "    logged = mu > 0\n"
            "    share = np.mean(np.any(~logged & (pi > 0), axis=1))\n"
            "    safe_mu = np.where(logged, mu, 1)\n"
            "    ratio = np.where(logged, pi / safe_mu, 0)\n"
            "    return share, ratio.max()\n"
        ),
        keeps=["ex4_test_overlap", "ex4_test_ratio"],
        why="computes in the input's dtype (float32 weights), divides by a safe copy of mu, "
        "returns numpy scalars",
    ),
    Variant(
        cell="ex5_answer",
        source=(
            "def rarely_logged_share(log_sugar, new_sugar, num_bins, min_count):\n"
            "    def bin_of(x):\n"
            "        return np.minimum((np.asarray(x) * num_bins).astype(int), num_bins - 1)\n"
            "    counts = np.bincount(bin_of(log_sugar), minlength=num_bins)\n"
            "    return np.mean(counts[bin_of(new_sugar)] < min_count)\n"
        ),
        keeps=["ex5_test"],
        why="bin index by flooring x * num_bins and np.bincount",
    ),
    Variant(
        cell="ex5_answer",
        source=(
            "def rarely_logged_share(log_sugar, new_sugar, num_bins, min_count):\n"
            "    edges = np.linspace(0, 1, num_bins + 1)\n"
            "    logged = np.digitize(log_sugar, edges) - 1\n"
            "    rare = 0\n"
            "    for s in new_sugar:  # one new state at a time\n"
            "        b = min(int(np.digitize(s, edges)) - 1, num_bins - 1)\n"
            "        rare += np.count_nonzero(logged == b) < min_count\n"
            "    return rare / len(new_sugar)\n"
        ),
        keeps=["ex5_test"],
        why="np.digitize and a loop over the new states",
    ),
]

# --- a second round of right answers written differently (red team) ---------------------------
_R = "def chosen_rank_shares(episodes, num_candidates):\n"
_O = "def overlap_report(mu_probs, pi_probs):\n"
_S = "def rarely_logged_share(log_sugar, new_sugar, num_bins, min_count):\n"

VARIANTS += [
    Variant("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    with np.errstate(divide='ignore', invalid='ignore'):
        r = pi / mu
    return share, float(np.nanmax(np.where(np.isinf(r), np.nan, r)))
""", ["ex4_test_ratio"], "pi / mu under errstate, inf and nan dropped with nanmax"),
    Variant("ex3_answer", _R + """    obs = episodes.obs.reshape(-1, episodes.obs.shape[-1])
    acts = episodes.actions.ravel()
    real = episodes.mask.ravel()
    sw = obs[real, :num_candidates].astype(np.float32)
    chosen = sw[np.arange(len(sw)), acts[real]]
    rank = np.count_nonzero(sw > chosen[:, None], axis=1)
    return np.bincount(rank, minlength=num_candidates) / real.sum()
""", ["ex3_test"], "flattens, float32, count_nonzero"),
    Variant("ex3_answer", _R + """    shares = []
    for i in range(len(episodes.actions)):
        for t in range(int(episodes.lengths[i])):
            row = list(episodes.obs[i, t][:num_candidates])
            shares.append(sorted(row, reverse=True).index(row[episodes.actions[i, t]]))
    return [shares.count(r) / len(shares) for r in range(num_candidates)]
""", ["ex3_test"], "loops over episode lengths, sorted().index, returns a list"),
    Variant("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw >= chosen).sum(axis=-1) - 1  # the chosen item itself counts once
    return np.array([np.mean(rank[episodes.mask] == r) for r in range(num_candidates)], dtype=np.float32)
""", ["ex3_test"], ">= minus one (no ties in continuous sweetness), float32 result"),
    Variant("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs), np.asarray(pi_probs)
    with np.errstate(divide='ignore', invalid='ignore'):
        r = pi / mu
    r[mu == 0] = 0
    return float(np.mean([bool(np.any((p > 0) & (m == 0))) for m, p in zip(mu, pi)])), float(r.max())
""", ["ex4_test_overlap", "ex4_test_ratio"], "errstate to silence the division, then zero the undefined weights"),
    Variant("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, dtype=np.float64), np.asarray(pi_probs, dtype=np.float64)
    ok = mu != 0
    share = 1.0 - np.all(ok | (pi == 0), axis=1).mean()
    return (share, np.max(pi[ok] / mu[ok]))
""", ["ex4_test_overlap", "ex4_test_ratio"], "complement of the covered states, numpy scalars"),
    Variant("ex5_answer", _S + """    counts, edges = np.histogram(log_sugar, bins=num_bins, range=(0.0, 1.0))
    rare = counts < min_count
    idx = np.digitize(new_sugar, edges[1:-1])
    return rare[idx].mean()
""", ["ex5_test"], "histogram with range and digitize on the inner edges, numpy scalar"),
    Variant("ex5_answer", _S + """    width = 1.0 / num_bins
    counts = {}
    for s in log_sugar:
        b = min(int(float(s) // width), num_bins - 1)
        counts[b] = counts.get(b, 0) + 1
    rare = [counts.get(min(int(float(s) // width), num_bins - 1), 0) < min_count for s in new_sugar]
    return sum(rare) / len(rare)
""", ["ex5_test"], "pure Python with a dict of counts and floor division by the width"),
]

VARIANTS += [
    Variant("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    order = np.argsort(sw, axis=-1)[..., ::-1]  # sweetest first
    rank = np.argmax(order == episodes.actions[..., None], axis=-1)
    return np.bincount(rank[episodes.mask], minlength=num_candidates) / episodes.num_steps
""", ["ex3_test"], "position in a descending argsort, divided by episodes.num_steps"),
    Variant("ex5_answer", _S + """    log_counts, edges = np.histogram(log_sugar, bins=num_bins, range=(0, 1))
    new_counts, _ = np.histogram(new_sugar, bins=edges)
    return float(new_counts[log_counts < min_count].sum() / len(new_sugar))
""", ["ex5_test"], "histograms of both and the new states summed over the rare bins"),
    Variant("ex5_answer", _S + """    new = np.asarray(new_sugar)  # float32 stays float32
    b = np.floor(new * num_bins).astype(int).clip(0, num_bins - 1)
    lb = np.floor(np.asarray(log_sugar) * num_bins).astype(int).clip(0, num_bins - 1)
    counts = np.array([(lb == j).sum() for j in range(num_bins)])
    return (counts[b] < min_count).mean()
""", ["ex5_test"], "floor in the input's dtype and a count per bin"),
    Variant("ex4_answer", _O + """    share, best = 0.0, 0.0
    for m, p in zip(np.asarray(mu_probs).tolist(), np.asarray(pi_probs).tolist()):
        share += any(pp > 0 and mm == 0 for mm, pp in zip(m, p)) / len(mu_probs)
        best = max([best] + [pp / mm for mm, pp in zip(m, p) if mm != 0])
    return share, best
""", ["ex4_test_overlap", "ex4_test_ratio"], "Python floats via tolist, the share accumulated in steps of 1/n"),
]
