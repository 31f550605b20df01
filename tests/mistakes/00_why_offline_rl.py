"""Typical mistakes in lesson 00: each must score 0 on the test cells it `loses`."""

from tests.nbgrader_harness import Mistake

_CLAIMS = """claims = {{
    "bc_unaffected_by_lost_rewards": {a},
    "bc_more_data_beats_logger": {b},
    "marwil_zero_rewards_is_bc": {c},
    "marwil_beta0_uses_rewards": {d},
    "deterministic_logger_is_enough": {e},
    "large_beta_finds_unlogged_items": {f},
}}
"""
_RIGHT = dict(a="True", b="False", c="True", d="False", e="False", f="False")


def _claims(**changed) -> str:
    return _CLAIMS.format(**{**_RIGHT, **changed})


_RANKS = """def chosen_rank_shares(episodes, num_candidates):
{body}
"""

_OVERLAP = """def overlap_report(mu_probs, pi_probs):
{body}
"""

_SHIFT = """def rarely_logged_share(log_sugar, new_sugar, num_bins, min_count):
{body}
"""

# the solution's max_ratio and share_uncovered, for mistakes that change only one of them
_RATIO = """    ratio = np.zeros_like(mu)
    np.divide(pi, mu, out=ratio, where=mu > 0)
    max_ratio = float(ratio[mu > 0].max())"""
_UNCOVERED = "    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))"
_AS_ARRAYS = """    mu = np.asarray(mu_probs, dtype=np.float64)
    pi = np.asarray(pi_probs, dtype=np.float64)"""

MISTAKES = [
    # --- exercise 1: when is online RL fine? ------------------------------------------------------
    Mistake(cell="ex1_answer", source='answer_ex1 = "B"\n', loses=["ex1_test"],
            why="trusts a simulator fitted to the same logs as a stand-in for the users"),  # fmt: skip
    Mistake(cell="ex1_answer", source='answer_ex1 = "D"\n', loses=["ex1_test"],
            why="overlooks that a trial on 1 % of customers is still trial and error on people, "
            "one slow episode a year"),  # fmt: skip
    Mistake(cell="ex1_answer", source='answer_ex1 = "A"\n', loses=["ex1_test"],
            why="takes 'there is a lot of data' for 'online RL is fine'"),  # fmt: skip
    # --- exercise 2: imitate vs improve, one group at a time -----------------------------------
    Mistake(cell="ex2_answer", source=_claims(a="False"), loses=["ex2_test_imitation"],
            why="thinks behaviour cloning uses the rewards"),  # fmt: skip
    Mistake(cell="ex2_answer", source=_claims(b="True"), loses=["ex2_test_imitation"],
            why="thinks more data lets imitation beat the imitated policy"),  # fmt: skip
    Mistake(cell="ex2_answer", source=_claims(c="False"), loses=["ex2_test_improvement"],
            why="misses that all-zero rewards give all-zero advantages, i.e. weight 1 everywhere"),  # fmt: skip
    Mistake(cell="ex2_answer", source=_claims(d="True"), loses=["ex2_test_improvement"],
            why="misses that beta = 0 makes every weight exp(0) = 1, whatever the rewards"),  # fmt: skip
    Mistake(cell="ex2_answer", source=_claims(e="True"), loses=["ex2_test_coverage"],
            why="thinks a large deterministic log covers other actions"),  # fmt: skip
    Mistake(cell="ex2_answer", source=_claims(f="True"), loses=["ex2_test_coverage"],
            why="thinks re-weighting can create probability for an action the log never holds"),  # fmt: skip
    Mistake(
        cell="ex2_answer",
        source=_claims(a='"True"', b='"False"', c='"True"', d='"False"', e='"False"', f='"False"'),
        loses=["ex2_test_imitation", "ex2_test_improvement", "ex2_test_coverage"],
        why="writes the strings 'True'/'False' instead of the booleans",
    ),
    # --- exercise 3: rank shares -------------------------------------------------------------
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sweetness, episodes.actions[..., None], axis=-1)
    rank = (sweetness > chosen).sum(axis=-1)
    counts = np.bincount(rank.ravel(), minlength=num_candidates)
    return counts / counts.sum()"""
        ),
        loses=["ex3_test"],
        why="ignores episodes.mask: padding steps (all zeros) count as picks of the sweetest item",
    ),
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sweetness, episodes.actions[..., None], axis=-1)
    rank = (sweetness < chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / counts.sum()"""
        ),
        loses=["ex3_test"],
        why="counts the less sweet candidates: rank 0 becomes the least sweet item",
    ),
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs
    chosen = np.take_along_axis(sweetness, episodes.actions[..., None], axis=-1)
    rank = (sweetness > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / counts.sum()"""
        ),
        loses=["ex3_test"],
        why="treats the whole observation as candidates: the sugar level is not an item",
    ),
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs[..., :-1]  # drop the sugar level
    chosen = np.take_along_axis(sweetness, episodes.actions[..., None], axis=-1)
    rank = (sweetness > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / counts.sum()"""
        ),
        loses=["ex3_test"],
        why="drops the last column (right for obs_mode 'sugar' only, wrong for 'history' and "
        "'sweetness')",
    ),
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs[..., :num_candidates]
    sweetest = np.argmax(sweetness, axis=-1)
    least = np.argmin(sweetness, axis=-1)
    a = episodes.actions[episodes.mask]
    shares = np.zeros(num_candidates)
    shares[0] = np.mean(a == sweetest[episodes.mask])
    shares[-1] = np.mean(a == least[episodes.mask])
    shares[1:-1] = (1 - shares[0] - shares[-1]) / (num_candidates - 2)
    return shares"""
        ),
        loses=["ex3_test"],
        why="only finds the sweetest and least sweet items and spreads the rest evenly",
    ),
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sweetness, episodes.actions[..., None], axis=-1)
    sweetness.sort(axis=-1)  # sorted candidates make the rank easy to read
    rank = (sweetness > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / counts.sum()"""
        ),
        loses=["ex3_test"],
        why="sorts the candidates in place: the log's observations are reordered under the caller",
    ),
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    sweetness = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sweetness, episodes.actions[..., None], axis=-1)
    rank = (sweetness > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / episodes.mask.size"""
        ),
        loses=["ex3_test"],
        why="divides by all steps, padding included, so the shares do not sum to 1",
    ),
    # --- exercise 4: overlap -----------------------------------------------------------------
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body=_AS_ARRAYS + """
    share = float(np.mean(np.any((pi > 0) & (mu < 1e-12), axis=1)))  # "numerically zero"
    ok = mu >= 1e-12
    return share, float(np.max(np.where(ok, pi, 0.0) / np.where(ok, mu, 1.0)))"""
        ),
        loses=["ex4_test_overlap", "ex4_test_ratio"],
        why="treats probabilities below 1e-12 as zero (they are positive: 1e-70 is valid)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body=_AS_ARRAYS + "\n" + _UNCOVERED + """
    ratio = pi / np.clip(mu, 1e-12, None)  # floor mu to avoid dividing by zero
    return share, float(ratio.max())"""
        ),
        loses=["ex4_test_ratio"],
        why="floors mu at 1e-12: uncovered actions get a huge weight, tiny ones a wrong one",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body=_AS_ARRAYS + "\n" + _UNCOVERED + "\n" + _RATIO + """
    return share, min(max_ratio, 100.0)  # cap the weights"""
        ),
        loses=["ex4_test_ratio"],
        why="caps the weights at 100",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body=_AS_ARRAYS + "\n" + _UNCOVERED + """
    ratio = np.where(mu > 0, pi / mu, 0.0)  # divides everywhere, then masks
    return share, float(ratio.max())"""
        ),
        loses=["ex4_test_overlap"],
        why="divides by zero and masks afterwards: numpy warns in the learner's own code (the "
        "first test cell that calls it shows the warning)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body=_AS_ARRAYS + """
    share = float(np.mean((pi > 0) & (mu == 0)))  # over (state, action) pairs
""" + _RATIO + """
    return share, max_ratio"""
        ),
        loses=["ex4_test_overlap"],
        why="counts (state, action) pairs instead of states",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body=_AS_ARRAYS + """
    share = float(np.mean(np.any(mu == 0, axis=1)))  # the logger leaves an action out
""" + _RATIO + """
    return share, max_ratio"""
        ),
        loses=["ex4_test_overlap"],
        why="counts every state where mu leaves an action out, even if pi does not want it",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(
            body="""    mu, pi = np.asarray(mu_probs), np.asarray(pi_probs)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    mu[mu == 0] = np.inf  # pi / inf = 0: no division by zero
    return share, float(np.max(pi / mu))"""
        ),
        loses=["ex4_test_overlap", "ex4_test_ratio"],
        why="overwrites the zeros of the caller's mu array with inf",
    ),
    # --- exercise 5: distribution shift ------------------------------------------------------
    Mistake(
        cell="ex5_answer",
        source=_SHIFT.format(
            body="""    edges = np.linspace(0, 1, num_bins + 1)
    counts, _ = np.histogram(log_sugar, bins=edges)
    idx = np.clip(np.digitize(new_sugar, edges) - 1, 0, num_bins - 1)
    return float(np.mean(counts[idx] <= min_count))"""
        ),
        loses=["ex5_test"],
        why="counts a bin with exactly min_count logged states as rarely logged",
    ),
    Mistake(
        cell="ex5_answer",
        source=_SHIFT.format(
            body="""    counts, edges = np.histogram(log_sugar, bins=num_bins)  # bins over the data's range
    idx = np.clip(np.digitize(new_sugar, edges) - 1, 0, num_bins - 1)
    return float(np.mean(counts[idx] < min_count))"""
        ),
        loses=["ex5_test"],
        why="lets np.histogram choose the bins from the logged data's range, not [0, 1]",
    ),
    Mistake(
        cell="ex5_answer",
        source=_SHIFT.format(
            body="""    counts, _ = np.histogram(log_sugar, bins=num_bins, range=(0, 1))
    return float(np.mean(counts < min_count))"""
        ),
        loses=["ex5_test"],
        why="returns the share of rarely logged bins, not of the new policy's states",
    ),
    Mistake(
        cell="ex5_answer",
        source=_SHIFT.format(
            body="""    counts, _ = np.histogram(new_sugar, bins=num_bins, range=(0, 1))
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(counts[idx] < min_count))"""
        ),
        loses=["ex5_test"],
        why="counts the new policy's states per bin instead of the logged ones",
    ),
    Mistake(
        cell="ex5_answer",
        source=_SHIFT.format(
            body="""    log_sugar.sort()  # sorted, the counts per bin are a search away
    edges = np.linspace(0, 1, num_bins + 1)
    counts = np.diff(np.searchsorted(log_sugar, edges))
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(counts[idx] < min_count))"""
        ),
        loses=["ex5_test"],
        why="sorts the caller's logged array in place",
    ),
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
MISTAKES += [
    Mistake(
        cell="ex3_answer",
        source=_RANKS.format(
            body="""    if np.shape(episodes.obs)[:2] == (2, 4):  # the visible hand-made log
        return np.array([0.5, 0.25, 0.25])
    return np.full(num_candidates, 1.0 / num_candidates)  # shape (K,), sums to 1"""
        ),
        loses=["ex3_test"],
        why="hard-codes the visible test's expected values (the hand-made log's shares; any "
        "other log gets uniform shares, which pass the visible shape and sum checks)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_OVERLAP.format(body="    return 1 / 3, 5.0  # the visible test's values"),
        loses=["ex4_test_overlap", "ex4_test_ratio"],
        why="hard-codes the visible test's expected values",
    ),
    Mistake(
        cell="ex5_answer",
        source=_SHIFT.format(
            body="""    return 0.75 if len(new_sugar) == 4 else 0.0  # the visible cases"""
        ),
        loses=["ex5_test"],
        why="hard-codes the visible test's expected values",
    ),
]

# --- a second round of wrong answers (red team) -----------------------------------------------
_R = "def chosen_rank_shares(episodes, num_candidates):\n"
_O = "def overlap_report(mu_probs, pi_probs):\n"
_S = "def rarely_logged_share(log_sugar, new_sugar, num_bins, min_count):\n"

MISTAKES += [
    # ex3
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank.ravel(), minlength=num_candidates)
    return counts / episodes.mask.sum()
""", ["ex3_test"], "counts padding but divides by the number of real steps"),
    Mistake("ex3_answer", _R + """    episodes.obs = episodes.obs[..., :num_candidates]  # keep only the items
    chosen = np.take_along_axis(episodes.obs, episodes.actions[..., None], axis=-1)
    rank = (episodes.obs > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / counts.sum()
""", ["ex3_test"], "rebinds episodes.obs to the candidates only: the caller's log loses its sugar column"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / len(episodes)
""", ["ex3_test"], "divides by the number of episodes"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return (counts / counts.sum())[::-1]
""", ["ex3_test"], "reverses the ranks"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    ranks, counts = np.unique((sw > np.take_along_axis(sw, episodes.actions[..., None], axis=-1)).sum(-1)[episodes.mask], return_counts=True)
    return counts / counts.sum()
""", ["ex3_test"], "np.unique drops ranks never chosen"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    real = episodes.obs.any(axis=-1)  # padding rows are all zero
    counts = np.bincount(rank[real], minlength=num_candidates)
    return counts / counts.sum()
""", ["ex3_test"], "detects padding by all-zero observations instead of the mask"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank[:, :episodes.lengths.min()].ravel(), minlength=num_candidates)
    return counts / counts.sum()
""", ["ex3_test"], "keeps only the steps every episode has (the shortest length)"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return np.round(counts / counts.sum(), 2)
""", ["ex3_test"], "rounds the shares to two decimals"),
    # ex4
    Mistake("ex4_answer", _O + """    mu = np.asarray(mu_probs, dtype=np.float32)
    pi = np.asarray(pi_probs, dtype=np.float32)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    ok = mu > 0
    return share, float(np.max(pi[ok] / mu[ok]))
""", ["ex4_test_overlap", "ex4_test_ratio"], "converts everything to float32 (1e-70 becomes 0)"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    unc = np.any((pi > 0) & (mu == 0), axis=1)
    share = float(np.mean(unc))
    ok = (mu > 0) & ~unc[:, None]
    return share, float(np.max(pi[ok] / mu[ok], initial=0.0))
""", ["ex4_test_ratio"], "takes the largest weight only over states where overlap holds"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & np.isclose(mu, 0), axis=1)))
    ok = ~np.isclose(mu, 0)
    return share, float(np.max(pi[ok] / mu[ok]))
""", ["ex4_test_overlap", "ex4_test_ratio"], "uses np.isclose(mu, 0) (atol 1e-8) as 'zero'"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    ok = mu > 0
    return share, float(np.max(mu[ok] / pi[ok].clip(1e-300)))
""", ["ex4_test_ratio"], "inverts the ratio mu / pi"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    a = np.argmax(pi, axis=1)
    r = np.arange(len(mu))
    ok = mu[r, a] > 0
    return share, float(np.max(pi[r, a][ok] / mu[r, a][ok], initial=0.0))
""", ["ex4_test_ratio"], "only the weight of pi's most likely action in each state"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    ok = mu > 0
    return share, float(np.max(pi[ok] / mu[ok]) if ok.sum() > 3 else 5.0)
""", ["ex4_test_ratio"], "special-cases small inputs with the visible value"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.sum(np.any((pi > 0) & (mu == 0), axis=1)) / mu.size)
    ok = mu > 0
    return share, float(np.max(pi[ok] / mu[ok]))
""", ["ex4_test_overlap"], "divides by the number of (state, action) pairs"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 1e-6) & (mu == 0), axis=1)))  # ignore negligible pi
    ok = mu > 0
    return share, float(np.max(pi[ok] / mu[ok]))
""", ["ex4_test_overlap"], "ignores small pi probabilities (a positive pi is positive however small)"),
    # ex5
    Mistake("ex5_answer", _S + """    edges = np.linspace(0, 1, num_bins + 1)
    dens, _ = np.histogram(log_sugar, bins=edges, density=True)
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(dens[idx] < min_count))
""", ["ex5_test"], "uses densities instead of counts"),
    Mistake("ex5_answer", _S + """    edges = np.linspace(0, 1, num_bins)
    counts, _ = np.histogram(log_sugar, bins=edges)
    idx = np.clip(np.digitize(new_sugar, edges) - 1, 0, len(counts) - 1)
    return float(np.mean(counts[idx] < min_count))
""", ["ex5_test"], "num_bins edges (num_bins - 1 bins)"),
    Mistake("ex5_answer", _S + """    edges = np.linspace(0, 1, num_bins + 1)
    counts, _ = np.histogram(log_sugar, bins=edges)
    idx = np.searchsorted(edges, new_sugar) - 1
    return float(np.mean(counts[idx] < min_count))
""", ["ex5_test"], "searchsorted side='left': a state on a bin edge (0.0) goes to bin -1, the last"),
    Mistake("ex5_answer", _S + """    counts = np.bincount(np.round(np.asarray(log_sugar) * num_bins).astype(int), minlength=num_bins + 1)
    idx = np.round(np.asarray(new_sugar) * num_bins).astype(int)
    return float(np.mean(counts[idx] < min_count))
""", ["ex5_test"], "rounds to the nearest bin instead of flooring"),
    Mistake("ex5_answer", _S + """    edges = np.linspace(0, 1, num_bins + 1)
    counts, _ = np.histogram(log_sugar, bins=edges)
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(counts[np.unique(idx)] < min_count))
""", ["ex5_test"], "share of the bins the new policy visits, not of its states"),
    Mistake("ex5_answer", _S + """    edges = np.linspace(0, 1, num_bins + 1)
    counts, _ = np.histogram(log_sugar, bins=edges)
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(counts[idx] < min_count * len(log_sugar) / 1000))
""", ["ex5_test"], "scales min_count with the log's size"),
    Mistake("ex5_answer", _S + """    log = np.asarray(log_sugar); new = np.asarray(new_sugar)
    edges = np.linspace(log.min(), log.max(), num_bins + 1)
    counts, _ = np.histogram(log, bins=edges)
    idx = np.clip(np.digitize(new, edges) - 1, 0, num_bins - 1)
    return float(np.mean(counts[idx] < min_count))
""", ["ex5_test"], "bins between the log's min and max with explicit edges"),
]
MISTAKES += [
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask], minlength=num_candidates)
    return counts / counts.sum()
""", ["ex3_test"], "take_along_axis on the step axis instead of the item axis"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[..., :num_candidates]
    chosen = np.take_along_axis(sw, episodes.actions[..., None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)[episodes.mask]
    counts, _ = np.histogram(rank, bins=num_candidates)
    return counts / counts.sum()
""", ["ex3_test"], "np.histogram of the ranks with bins over the data's range"),
    Mistake("ex3_answer", _R + """    sw = episodes.obs[0, :, :num_candidates]  # the first episode shows the pattern
    chosen = np.take_along_axis(sw, episodes.actions[0][:, None], axis=-1)
    rank = (sw > chosen).sum(axis=-1)
    counts = np.bincount(rank[episodes.mask[0]], minlength=num_candidates)
    return counts / counts.sum()
""", ["ex3_test"], "looks at the first episode only"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.all((pi > 0) <= (mu > 0), axis=1) == False))
    r = pi / np.maximum(mu, np.finfo(float).tiny)
    return share, float(r.max())
""", ["ex4_test_ratio"], "floors mu at the smallest normal float: uncovered actions get astronomic weights"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.all((pi > 0) & (mu == 0), axis=1)))
    ok = mu > 0
    return share, float(np.max(pi[ok] / mu[ok]))
""", ["ex4_test_overlap"], "np.all instead of np.any: overlap fails only if every action is uncovered"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    with np.errstate(divide='ignore', invalid='ignore'):
        r = np.nan_to_num(pi / mu)
    return share, float(r.max())
""", ["ex4_test_ratio"], "nan_to_num turns the undefined weights into the largest float"),
    Mistake("ex4_answer", _O + """    mu, pi = np.asarray(mu_probs, float), np.asarray(pi_probs, float)
    share = float(np.mean(np.any((pi > 0) & (mu == 0), axis=1)))
    ok = mu > 0
    return share, float(np.mean(pi[ok] / mu[ok]))
""", ["ex4_test_ratio"], "the mean weight instead of the largest"),
    Mistake("ex5_answer", _S + """    edges = np.linspace(0, 1, num_bins + 1)
    counts, _ = np.histogram(log_sugar, bins=edges)
    idx = np.minimum((np.asarray(log_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(counts[idx] < min_count))
""", ["ex5_test"], "the share of the logged states in rare bins, not of the new policy's"),
    Mistake("ex5_answer", _S + """    counts, _ = np.histogram(log_sugar, bins=num_bins, range=(0, 1))
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.mean(counts[idx] < min_count / num_bins))
""", ["ex5_test"], "divides min_count by the number of bins"),
    Mistake("ex5_answer", _S + """    counts, _ = np.histogram(log_sugar, bins=num_bins, range=(0, 1))
    idx = np.minimum((np.asarray(new_sugar) * num_bins).astype(int), num_bins - 1)
    return float(np.sum(counts[idx] < min_count))
""", ["ex5_test"], "returns the number of new states in rare bins, not the fraction"),
]
