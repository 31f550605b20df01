"""Typical mistakes in lesson 00: each must score 0 on the test cells it `loses`."""

from tests.nbgrader_harness import Mistake

_CLAIMS = """claims = {{
    "bc_needs_rewards": {bc},
    "marwil_needs_rewards": True,
    "bc_recovers_logger": True,
    "marwil_beta0_is_bc": True,
    "reweighting_adds_unlogged_actions": {adds},
}}
"""

_RANKS = """def chosen_rank_shares(episodes, num_candidates):
{body}
"""

_EPS = """def epsilon_greedy_probs(obs, epsilon, num_candidates):
{body}
"""

MISTAKES = [
    # --- exercise 1: why offline -------------------------------------------------------------
    Mistake(
        cell="ex1_answer",
        source='answer_ex1 = "A"\n',
        loses=["ex1_test"],
        why="believes offline RL is simply stronger than online RL",
    ),
    # --- exercise 2: imitate vs improve ------------------------------------------------------
    Mistake(
        cell="ex2_answer",
        source=_CLAIMS.format(bc="True", adds="False"),
        loses=["ex2_test"],
        why="thinks behaviour cloning uses the rewards",
    ),
    Mistake(
        cell="ex2_answer",
        source=_CLAIMS.format(bc='"False"', adds='"False"'),
        loses=["ex2_test"],
        why="writes the strings 'False' instead of the booleans (a non-empty string is truthy)",
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
    # --- exercise 4: epsilon-greedy ----------------------------------------------------------
    Mistake(
        cell="ex4_answer",
        source=_EPS.format(
            body="""    sweetness = np.asarray(obs, dtype=np.float64)[:, :num_candidates]
    probs = np.zeros(sweetness.shape)
    probs[np.arange(len(sweetness)), np.argmax(sweetness, axis=1)] = 1.0
    return probs"""
        ),
        loses=["ex4_test"],
        why="forgets the exploration: still the deterministic greedy logger",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EPS.format(
            body="""    sweetness = np.asarray(obs, dtype=np.float64)[:, :num_candidates]
    probs = np.full(sweetness.shape, epsilon / (num_candidates - 1))
    probs[np.arange(len(sweetness)), np.argmax(sweetness, axis=1)] = 1.0 - epsilon
    return probs"""
        ),
        loses=["ex4_test"],
        why="explores only among the other items (epsilon/(K-1)), not uniformly among all K",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EPS.format(
            body="""    obs = np.asarray(obs, dtype=np.float64)
    probs = np.full((len(obs), num_candidates), epsilon / num_candidates)
    probs[np.arange(len(obs)), np.argmax(obs, axis=1)] += 1.0 - epsilon
    return probs"""
        ),
        loses=["ex4_test"],
        why="takes the argmax over the whole observation, sugar level included",
    ),
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
# (tests/test_grading_integrity.py: the hidden tests must catch a learner who hard-codes the values
# a visible test checks. Exercises 1 and 2 are concept questions: nothing to hard-code there.)
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
        source=_EPS.format(
            body="""    # the sweetest items of the visible test's two rows
    best = np.array([[0.0, 1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0]])
    return epsilon / 5 + (1.0 - epsilon) * best"""
        ),
        loses=["ex4_test"],
        why="hard-codes the visible test's expected values (the probabilities of its two rows)",
    ),
]
