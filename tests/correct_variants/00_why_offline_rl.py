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
