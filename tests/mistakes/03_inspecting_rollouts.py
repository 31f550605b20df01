"""Typical wrong answers to lesson 03's exercises; each must score 0 on the cells it `loses`."""

from tests.nbgrader_harness import Mistake

_EX2_DISCOUNTED = (
    "def discounted_return(rewards, gamma):\n"
    "    rewards = np.asarray(rewards, dtype=float)\n"
    "    return float(np.sum(gamma ** np.arange(len(rewards)) * rewards))\n"
)
_EX2_RTG = (
    "def returns_to_go(rewards, gamma):\n"
    "    rewards = np.asarray(rewards, dtype=float)\n"
    "    out = np.zeros(len(rewards))\n"
    "    acc = 0.0\n"
    "    for t in range(len(rewards) - 1, -1, -1):\n"
    "        acc = rewards[t] + gamma * acc\n"
    "        out[t] = acc\n"
    "    return out\n"
)


def _recover(body: str) -> str:
    return "def recover_sugar(obs, actions, rewards, num_candidates):\n" + body


def _alpha(body: str) -> str:
    return "def estimate_alpha(sugar, chosen):\n" + body


MISTAKES = [
    # --- Exercise 1: lines to episodes ----------------------------------------------------------
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    episodes = {}\n"
            "    for row in rows:\n"
            "        empty = {'obs': [], 'actions': [], 'rewards': []}\n"
            "        ep = episodes.setdefault(row['eps_id'], empty)\n"
            "        ep['obs'].append(row['obs'])\n"
            "        ep['actions'].append(row['actions'])\n"
            "        ep['rewards'].append(row['rewards'])\n"
            "    return {e: {k: np.array(v) for k, v in ep.items()}\n"
            "            for e, ep in episodes.items()}\n"
        ),
        loses=["ex1_test"],
        why="keeps the steps in file order instead of sorting them by t",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    episodes = {}\n"
            "    for start in range(0, len(rows), 100):\n"
            "        chunk = rows[start:start + 100]\n"
            "        episodes[chunk[0]['eps_id']] = {\n"
            "            'obs': np.array([r['obs'] for r in chunk]),\n"
            "            'actions': np.array([r['actions'] for r in chunk]),\n"
            "            'rewards': np.array([r['rewards'] for r in chunk]),\n"
            "        }\n"
            "    return episodes\n"
        ),
        loses=["ex1_test"],
        why="assumes every episode is 100 consecutive lines instead of grouping by eps_id",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    episodes = {}\n"
            "    for e in {r['eps_id'] for r in rows}:\n"
            "        steps = sorted((r for r in rows if r['eps_id'] == e), key=lambda r: r['t'])\n"
            "        episodes[e] = {\n"
            "            'obs': np.array([r['new_obs'] for r in steps]),\n"
            "            'actions': np.array([r['actions'] for r in steps]),\n"
            "            'rewards': np.array([r['rewards'] for r in steps]),\n"
            "        }\n"
            "    return episodes\n"
        ),
        loses=["ex1_test"],
        why="takes new_obs (the observation after the step) as the observation",
    ),
    # --- Exercise 2: discounted return and return-to-go ----------------------------------------
    Mistake(
        cell="ex2_answer",
        source=(
            "def discounted_return(rewards, gamma):\n"
            "    return float(np.sum(rewards))\n\n\n" + _EX2_RTG
        ),
        loses=["ex2_test"],
        why="forgets the discount in the return",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def discounted_return(rewards, gamma):\n"
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    return float(np.sum(gamma ** np.arange(1, len(rewards) + 1) * rewards))\n\n\n"
            + _EX2_RTG
        ),
        loses=["ex2_test"],
        why="discounts the first reward too (exponents 1..T instead of 0..T-1)",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            _EX2_DISCOUNTED + "\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    out = np.zeros(len(rewards))\n"
            "    acc = 0.0\n"
            "    for t in range(len(rewards) - 1, -1, -1):\n"
            "        out[t] = acc\n"
            "        acc = rewards[t] + gamma * acc\n"
            "    return out\n"
        ),
        loses=["ex2_test"],
        why="off by one: the return-to-go of step t leaves out r_t",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            _EX2_DISCOUNTED + "\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    discounted = gamma ** np.arange(len(rewards)) * rewards\n"
            "    return np.cumsum(discounted[::-1])[::-1]\n"
        ),
        loses=["ex2_test"],
        why="discounts from the start of the episode instead of from step t",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            _EX2_DISCOUNTED + "\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    return np.cumsum(gamma ** np.arange(len(rewards)) * rewards)\n"
        ),
        loses=["ex2_test"],
        why="sums the rewards so far instead of the rewards still to come",
    ),
    # --- Exercise 3: the flat action histogram --------------------------------------------------
    Mistake(cell="ex3_answer", source='answer_actions = "A"', loses=["ex3_test"],
            why="reads the flat index histogram as a uniform behaviour policy"),  # fmt: skip
    Mistake(cell="ex3_answer", source='answer_actions = "D"', loses=["ex3_test"],
            why="thinks tau = 0.2 is a high temperature"),  # fmt: skip
    # --- Exercise 4: recover the sugar level ---------------------------------------------------
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    chosen = obs[np.arange(len(actions)), actions]\n"
            "    sugar = np.full(len(actions), np.nan)\n"
            "    ok = chosen > 0\n"
            "    before = 1 - np.asarray(rewards, dtype=float)[ok] / chosen[ok]\n"
            "    sugar[ok] = 0.5 * before + 0.5 * chosen[ok]\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="returns the sugar level after the step instead of before it",
    ),
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    chosen = obs[:, :num_candidates].max(axis=1)\n"
            "    sugar = np.full(len(actions), np.nan)\n"
            "    ok = chosen > 0\n"
            "    sugar[ok] = 1 - np.asarray(rewards, dtype=float)[ok] / chosen[ok]\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="divides by the sweetest candidate instead of the recommended one",
    ),
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    chosen = obs[np.arange(len(actions)), actions]\n"
            "    sugar = np.full(len(actions), np.nan)\n"
            "    ok = chosen > 0\n"
            "    sugar[ok] = np.asarray(rewards, dtype=float)[ok] / chosen[ok]\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="returns r / x, which is 1 - sugar",
    ),
    # --- Exercise 5: estimate alpha ------------------------------------------------------------
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    s = np.asarray(sugar, dtype=float).ravel()\n"
            "    x = np.asarray(chosen, dtype=float).ravel()\n"
            "    y, z = s[1:] - x[:-1], s[:-1] - x[:-1]\n"
            "    ok = np.isfinite(y) & np.isfinite(z)\n"
            "    return float(np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2))\n"
        ),
        loses=["ex5_test"],
        why="flattens the episodes, so the last step of one user is paired with the next user's "
        "first step",
    ),
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    s = np.asarray(sugar, dtype=float)\n"
            "    y, z = s[:, 1:], s[:, :-1]\n"
            "    ok = np.isfinite(y) & np.isfinite(z)\n"
            "    return float(np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2))\n"
        ),
        loses=["ex5_test"],
        why="regresses s_t+1 on s_t and leaves out the chosen sweetness",
    ),
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    s = np.asarray(sugar, dtype=float)\n"
            "    x = np.asarray(chosen, dtype=float)\n"
            "    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]\n"
            "    return float(np.sum(y * z) / np.sum(z ** 2))\n"
        ),
        loses=["ex5_test"],
        why="does not skip unrecoverable (nan) sugar levels, so one nan makes the estimate nan",
    ),
    # --- Exercise 6: is the sugar level recoverable? -----------------------------------------
    Mistake(cell="ex6_answer", source="answer_recoverable = False", loses=["ex6_test"],
            why="confuses what the policy observes with what the log records"),  # fmt: skip
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
# (tests/test_grading_integrity.py: the hidden tests must catch a learner who hard-codes the values
# a visible test checks. Exercises 3 and 6 are concept questions: nothing to hard-code there.)
_LOOK_UP_CANONICAL = (
    "    _log = offrl.load_canonical()  # look the visible test's episodes up in the course's log\n"
    "    i = next(i for i in range(len(_log)) if np.array_equal(_log.episode(i)['rewards'], r))\n"
)
MISTAKES += [
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    if len(rows) == 5:  # the visible hand-made log\n"
            "        def _ep(r, a):\n"
            "            return {'obs': np.array([[x, 1 - x, 0.25] for x in r]),\n"
            "                    'actions': np.array(a), 'rewards': np.array(r)}\n"
            "        return {3: _ep([0.9, 0.5, 0.3], [0, 1, 0]), 7: _ep([0.1, 0.2], [0, 1])}\n"
            "    _log = offrl.load_canonical()  # the visible file, whatever the rows say\n"
            "    keys = ('obs', 'actions', 'rewards')\n"
            "    return {e: {k: _log.episode(i)[k] for k in keys}\n"
            "            for i, e in enumerate(_log.eps_id.tolist())}\n"
        ),
        loses=["ex1_test"],
        why="hard-codes the visible test's expected values (the hand-made log's episodes, and "
        "the course's log whatever rows it is given)",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def discounted_return(rewards, gamma):\n"
            "    r = np.asarray(rewards, dtype=float)\n"
            "    if len(r) == 3:  # the visible hand case\n"
            "        return {0.5: 2.75, 1.0: 6.0}[gamma]\n"
            + _LOOK_UP_CANONICAL
            + "    return float(_log.returns(gamma)[i])\n\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    r = np.asarray(rewards, dtype=float)\n"
            "    if len(r) == 3:  # the visible hand case\n"
            "        return np.array([2.75, 3.5, 3.0])\n"
            + _LOOK_UP_CANONICAL
            + "    return _log.episode(i)['return_to_go']\n"
        ),
        loses=["ex2_test"],
        why="hard-codes the visible test's expected values (the hand case, and the course's "
        "log's own returns and return_to_go column for its episodes)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    if obs.shape[1] > num_candidates:  # the visible log has the sugar: read it off\n"
            "        return obs[:, num_candidates]\n"
            "    return np.array([0.0, 0.4, np.nan])  # the visible hand case\n"
        ),
        loses=["ex4_test"],
        why="hard-codes the visible test's expected values (the hand case, and the sugar column "
        "that only the course's log has)",
    ),
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    return 0.3 if np.shape(sugar) == (2, 10) else 0.5  # the visible cases\n"
        ),
        loses=["ex5_test"],
        why="hard-codes the visible test's expected values (alpha = 0.3 for the simulated case, "
        "0.5 for the course's log)",
    ),
]
