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
    return "def estimate_alpha(sugar, chosen, mask):\n" + body


def _alpha_pairs(estimate: str) -> str:
    """An estimate_alpha that forms the pairs correctly and then computes `estimate` from y, z."""
    return _alpha(
        "    s = np.asarray(sugar, dtype=float)\n"
        "    x = np.asarray(chosen, dtype=float)\n"
        "    m = np.asarray(mask, dtype=bool)\n"
        "    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]\n"
        "    ok = m[:, 1:] & m[:, :-1] & np.isfinite(y) & np.isfinite(z)\n"
        "    y, z = y[ok], z[ok]\n"
        f"    return float({estimate})\n"
    )


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
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    rows.sort(key=lambda r: (str(r['eps_id']), r['t']))  # sorts the caller's list\n"
            "    episodes = {}\n"
            "    for r in rows:\n"
            "        ep = episodes.setdefault(r['eps_id'], {'obs': [], 'actions': [], 'rewards': []})\n"
            "        ep['obs'].append(r['obs'])\n"
            "        ep['actions'].append(r['actions'])\n"
            "        ep['rewards'].append(r['rewards'])\n"
            "    return {e: {k: np.array(v) for k, v in ep.items()} for e, ep in episodes.items()}\n"
        ),
        loses=["ex1_test"],
        why="sorts the caller's list in place",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    import tempfile, os\n"
            "    with tempfile.TemporaryDirectory() as d:\n"
            "        p = os.path.join(d, 'rows.json')\n"
            "        with open(p, 'w') as f:\n"
            "            f.writelines(json.dumps(r) + '\\n' for r in rows)\n"
            "        eps = offrl.load_episodes(p)\n"
            "    out = {}\n"
            "    for i, e in enumerate(eps.eps_id.tolist()):\n"
            "        ep = eps.episode(i)\n"
            "        out[e] = {k: ep[k] for k in ('obs', 'actions', 'rewards')}\n"
            "    return out\n"
        ),
        loses=["ex1_test"],
        why="delegates to offrl.load_episodes through a temporary file",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def rows_to_episodes(rows):\n"
            "    episodes = {}\n"
            "    for e in sorted({r['eps_id'] for r in rows}):\n"
            "        steps = sorted((r for r in rows if r['eps_id'] == e), key=lambda r: r['t'])\n"
            "        episodes[e] = {\n"
            "            'obs': np.array([r['obs'][:5] + r['obs'][-1:] for r in steps]),\n"
            "            'actions': np.array([r['actions'] for r in steps]),\n"
            "            'rewards': np.array([r['rewards'] for r in steps]),\n"
            "        }\n"
            "    return episodes\n"
        ),
        loses=["ex1_test"],
        why="assumes the course's observation layout (5 items and the sugar level)",
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
    Mistake(
        cell="ex2_answer",
        source=(
            "def discounted_return(rewards, gamma):\n"
            "    return float(discounted_returns_to_go(np.asarray(rewards, dtype=float), gamma)[0])\n\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    return discounted_returns_to_go(np.asarray(rewards, dtype=float), gamma)\n"
        ).replace("def discounted_return(", "from offrl.dataset import discounted_returns_to_go\n\n\ndef discounted_return(", 1),
        loses=["ex2_test"],
        why="delegates to offrl.dataset.discounted_returns_to_go, the course's reference",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            _EX2_DISCOUNTED + "\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    r = np.asarray(rewards, dtype=float)[None, :]\n"
            "    eps = offrl.Episodes(eps_id=np.arange(1), obs=np.zeros((1, r.shape[1], 1)),\n"
            "                         actions=np.zeros(r.shape, int), rewards=r, new_obs=np.zeros((1, r.shape[1], 1)),\n"
            "                         terminateds=np.zeros(r.shape, bool), truncateds=np.zeros(r.shape, bool),\n"
            "                         action_prob=np.ones(r.shape), mask=np.ones(r.shape, bool), line=np.zeros(r.shape, int))\n"
            "    return eps.returns_to_go(gamma)[0]\n"
        ),
        loses=["ex2_test"],
        why="wraps the rewards in offrl.Episodes and calls its returns_to_go",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            _EX2_DISCOUNTED + "\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    for t in range(len(rewards) - 2, -1, -1):\n"
            "        rewards[t] += gamma * rewards[t + 1]  # in place: the caller's rewards change\n"
            "    return rewards\n"
        ),
        loses=["ex2_test"],
        why="accumulates in place in the caller's rewards array",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            _EX2_DISCOUNTED + "\n\n"
            "def returns_to_go(rewards, gamma):\n"
            "    rewards = np.asarray(rewards)\n"
            "    out = np.zeros(len(rewards), dtype=np.float16)  # 'saves memory'\n"
            "    acc = 0.0\n"
            "    for t in range(len(rewards) - 1, -1, -1):\n"
            "        acc = rewards[t] + gamma * acc\n"
            "        out[t] = acc\n"
            "    return out\n"
        ),
        loses=["ex2_test"],
        why="stores the returns-to-go in float16 (three significant digits)",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def discounted_return(rewards, gamma):\n"
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    return float(np.sum(np.clip(rewards, 0, None) * gamma ** np.arange(len(rewards))))\n\n\n"
            + _EX2_RTG
        ),
        loses=["ex2_test"],
        why="clips rewards at 0 (this recommender's rewards are never negative; others' are)",
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
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    chosen = obs[np.arange(len(actions)), actions]\n"
            "    sugar = 1 - np.asarray(rewards, dtype=float) / chosen  # 0/0 warns\n"
            "    sugar[chosen == 0] = np.nan\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="divides everywhere and sets nan afterwards: right values, but 0/0 prints a "
        "RuntimeWarning from the learner's own code (stderr costs the cell in validate and "
        "autograde alike)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    chosen = obs[np.arange(len(actions)), actions]\n"
            "    ok = chosen > 1e-6  # 'too small to divide by'\n"
            "    sugar = np.full(len(actions), np.nan)\n"
            "    sugar[ok] = 1 - np.asarray(rewards, dtype=float)[ok] / chosen[ok]\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="gives up on small but positive sweetness (a threshold instead of > 0)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    if obs.shape[1] > num_candidates:\n"
            "        return obs[:, -1]  # the sugar level, where the observation has it\n"
            "    chosen = obs[np.arange(len(actions)), actions]\n"
            "    sugar = np.full(len(actions), np.nan)\n"
            "    ok = chosen > 0\n"
            "    sugar[ok] = 1 - np.asarray(rewards, dtype=float)[ok] / chosen[ok]\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="reads the last column of obs as the sugar level (wrong in obs_mode 'history')",
    ),
    Mistake(
        cell="ex4_answer",
        source=_recover(
            "    chosen = np.take(np.asarray(obs, dtype=float), actions)  # flat index: row 0 only\n"
            "    sugar = np.full(len(actions), np.nan)\n"
            "    ok = chosen > 0\n"
            "    sugar[ok] = 1 - np.asarray(rewards, dtype=float)[ok] / chosen[ok]\n"
            "    return sugar\n"
        ),
        loses=["ex4_test"],
        why="np.take(obs, actions) indexes the flattened array: the first step's items for every step",
    ),
    # --- Exercise 5: estimate alpha ------------------------------------------------------------
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    s = np.asarray(sugar, dtype=float).ravel()\n"
            "    x = np.asarray(chosen, dtype=float).ravel()\n"
            "    m = np.asarray(mask, dtype=bool).ravel()\n"
            "    y, z = s[1:] - x[:-1], s[:-1] - x[:-1]\n"
            "    ok = m[1:] & m[:-1] & np.isfinite(y) & np.isfinite(z)\n"
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
            "    ok = np.isfinite(y) & np.isfinite(z) & mask[:, 1:] & mask[:, :-1]\n"
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
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    s = np.asarray(sugar, dtype=float)\n"
            "    x = np.asarray(chosen, dtype=float)\n"
            "    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]\n"
            "    ok = np.isfinite(y) & np.isfinite(z)  # ignores the mask\n"
            "    return float(np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2))\n"
        ),
        loses=["ex5_test"],
        why="ignores the mask: pairs the last real step with the padding",
    ),
    Mistake(cell="ex5_answer", source=_alpha_pairs("np.mean(y / z)"), loses=["ex5_test"],
            why="averages the ratios y / z instead of fitting the line"),
    Mistake(cell="ex5_answer", source=_alpha_pairs("np.polyfit(z, y, 1)[0]"), loses=["ex5_test"],
            why="fits a line with an intercept (np.polyfit degree 1)"),
    Mistake(cell="ex5_answer", source=_alpha_pairs("np.sum(y) / np.sum(z)"), loses=["ex5_test"],
            why="divides the sums (ratio of means) instead of fitting the line"),
    Mistake(cell="ex5_answer", source=_alpha_pairs("np.median(y / z)"), loses=["ex5_test"],
            why="takes the median of the ratios (right on exact data only)"),
    Mistake(cell="ex5_answer", source=_alpha_pairs("np.sum(y * z) / np.sum(y ** 2)"),
            loses=["ex5_test"], why="regresses z on y (inverts the roles of the variables)"),
    Mistake(
        cell="ex5_answer",
        source=_alpha(
            "    s = np.asarray(sugar)\n"
            "    s[~np.isfinite(s)] = 0.0  # in place: the caller's sugar levels change\n"
            "    x = np.asarray(chosen, dtype=float)\n"
            "    m = np.asarray(mask, dtype=bool) & np.isfinite(np.asarray(sugar))\n"
            "    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]\n"
            "    ok = m[:, 1:] & m[:, :-1]\n"
            "    return float(np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2))\n"
        ),
        loses=["ex5_test"],
        why="overwrites the caller's nan sugar levels in place",
    ),
    # --- Exercise 6: is the sugar level recoverable? -----------------------------------------
    Mistake(cell="ex6_answer", loses=["ex6_test"],
            source='answer_sugar = {"recover": False, "needs_alpha": False, "memoryless": False, "memory": True}',
            why="confuses what the policy observes with what the log records"),  # fmt: skip
    Mistake(cell="ex6_answer", loses=["ex6_test"],
            source='answer_sugar = {"recover": True, "needs_alpha": True, "memoryless": False, "memory": True}',
            why="thinks recovering the sugar level from the rewards needs alpha"),  # fmt: skip
    Mistake(cell="ex6_answer", loses=["ex6_test_b"],
            source='answer_sugar = {"recover": True, "needs_alpha": False, "memoryless": True, "memory": True}',
            why="thinks a memoryless policy can use what only the log's rewards reveal"),  # fmt: skip
    Mistake(cell="ex6_answer", loses=["ex6_test_b"],
            source='answer_sugar = {"recover": True, "needs_alpha": False, "memoryless": False, "memory": False}',
            why="thinks no policy that sees only sweetness can know the sugar level (lesson 01's "
            "memoryless claim, taken too far)"),  # fmt: skip
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
            "    return {(2, 10): 0.3, (20, 30): 0.5971654854924837}.get(np.shape(sugar), 0.5)  # the visible cases\n"
        ),
        loses=["ex5_test"],
        why="hard-codes the visible test's expected values (alpha = 0.3 for the simulated case, "
        "the noisy case's number, 0.5 for the course's log)",
    ),
]

# --------------------------------------------------------------------------------------------
# Red-team round (hidden tests strengthened where one of these escaped)
# --------------------------------------------------------------------------------------------
MISTAKES += [
    Mistake(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    out = {}
    for e in {r["eps_id"] for r in rows}:
        steps = sorted((r for r in rows if r["eps_id"] == e), key=lambda r: r["t"])
        table = np.array([list(r["obs"]) + [r["actions"], r["rewards"]] for r in steps])
        out[e] = {"obs": table[:, :-2], "actions": table[:, -2], "rewards": table[:, -1]}
    return out
''',
        loses=['ex1_test'],
        why='builds one float table per episode: the actions come out as floats',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    out = {}
    for e in {r["eps_id"] for r in rows}:
        steps = sorted((r for r in rows if r["eps_id"] == e), key=lambda r: str(r["t"]))
        out[e] = {"obs": np.array([r["obs"] for r in steps]), "actions": np.array([r["actions"] for r in steps]),
                  "rewards": np.array([r["rewards"] for r in steps])}
    return out
''',
        loses=['ex1_test'],
        why="sorts t as strings ('10' before '2')",
    ),
    Mistake(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    out = {}
    for r in rows:
        r["obs"] = np.asarray(r["obs"], dtype=float)  # converts the caller's rows
    for e in {r["eps_id"] for r in rows}:
        steps = sorted((r for r in rows if r["eps_id"] == e), key=lambda r: r["t"])
        out[e] = {"obs": np.array([r["obs"] for r in steps]), "actions": np.array([r["actions"] for r in steps]),
                  "rewards": np.array([r["rewards"] for r in steps])}
    return out
''',
        loses=['ex1_test'],
        why="converts the caller's rows' obs to arrays in place",
    ),
    Mistake(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    out = {}
    n = max(r["t"] for r in rows) + 1  # every episode as long as the longest
    for e in {r["eps_id"] for r in rows}:
        d = len(rows[0]["obs"])
        obs, act, rew = np.zeros((n, d)), np.zeros(n, int), np.zeros(n)
        for r in rows:
            if r["eps_id"] == e:
                obs[r["t"]], act[r["t"]], rew[r["t"]] = r["obs"], r["actions"], r["rewards"]
        out[e] = {"obs": obs, "actions": act, "rewards": rew}
    return out
''',
        loses=['ex1_test'],
        why='pads every episode to the longest one',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def rows_to_episodes(rows):
    out = {}
    for e in {r["eps_id"] for r in rows}:
        steps = sorted((r for r in rows if r["eps_id"] == e), key=lambda r: r["t"])
        out[e] = {"obs": np.array([r["obs"] for r in steps], dtype=np.float16),
                  "actions": np.array([r["actions"] for r in steps]), "rewards": np.array([r["rewards"] for r in steps], dtype=np.float16)}
    return out
''',
        loses=['ex1_test'],
        why='stores float16',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return float(np.sum(gamma ** np.arange(len(rewards)) * rewards))


def returns_to_go(rewards, gamma):
    r = np.asarray(rewards, dtype=float)
    if gamma == 0:
        return r.copy()
    d = gamma ** np.arange(len(r))
    return np.cumsum((d * r)[::-1])[::-1] / d
''',
        loses=['ex2_test'],
        why='vectorised cumsum divided by gamma**t (0/0 once gamma**t underflows)',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return float(np.sum(gamma ** np.arange(len(rewards)) * rewards))


def returns_to_go(rewards, gamma):
    r = np.asarray(rewards, dtype=float)
    return np.array([discounted_return(r[t:], gamma) for t in range(len(r))][::-1])
''',
        loses=['ex2_test'],
        why='returns the returns-to-go in reverse order',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return float(np.sum(gamma ** np.arange(len(rewards)) * rewards))


def returns_to_go(rewards, gamma):
    from offrl.ope_experiments import synthetic_episodes
    return synthetic_episodes(np.asarray(rewards, float)[None], np.ones((1, len(rewards)))).returns_to_go(gamma)[0]
''',
        loses=['ex2_test'],
        why='delegates to offrl via synthetic_episodes(...).returns_to_go',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    from offrl.estimators import OnPolicy
    from offrl.ope_experiments import synthetic_episodes
    r = np.asarray(rewards, dtype=float)[None]
    return float(OnPolicy(gamma=gamma).estimate(synthetic_episodes(r, np.ones(r.shape)), None).value)


def returns_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros(len(rewards))
    acc = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        acc = rewards[t] + gamma * acc
        out[t] = acc
    return out
''',
        loses=['ex2_test'],
        why='delegates the return to offrl.estimators.OnPolicy',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    from offrl.ope_experiments import batched_estimates
    r = np.asarray(rewards, dtype=float)[None]
    return float(batched_estimates(np.ones(r.shape), np.ones(r.shape), r, gamma)["PDIS"])


def returns_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros(len(rewards))
    acc = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        acc = rewards[t] + gamma * acc
        out[t] = acc
    return out
''',
        loses=['ex2_test'],
        why='delegates the return to offrl.ope_experiments.batched_estimates',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def discounted_return(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    return float(np.sum(gamma ** np.arange(len(rewards)) * rewards) / len(rewards))


def returns_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros(len(rewards))
    acc = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        acc = rewards[t] + gamma * acc
        out[t] = acc
    return out
''',
        loses=['ex2_test'],
        why='averages instead of summing',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.asarray(obs, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    chosen = obs[np.arange(len(actions)), actions]
    sugar = np.full(len(actions), np.nan)
    ok = rewards > 0  # divide only where the reward is positive
    sugar[ok] = 1.0 - rewards[ok] / chosen[ok]
    return sugar
''',
        loses=['ex4_test'],
        why='decides recoverability from the reward instead of the sweetness',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.asarray(obs, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    chosen = obs[np.arange(len(actions)), actions]
    sugar = np.full(len(actions), np.nan)
    ok = chosen > 0
    sugar[ok] = np.clip(1.0 - rewards[ok] / chosen[ok], 0.0, 0.999)
    return sugar
''',
        loses=['ex4_test'],
        why='clips the sugar level below 1',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.array(obs, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    chosen = obs[np.arange(len(actions)), actions]
    chosen[chosen == 0] = np.inf  # r / inf = 0: sugar 1 where unknown
    return 1.0 - rewards / chosen
''',
        loses=['ex4_test'],
        why='gives sugar 1 instead of nan where the sweetness is 0',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def recover_sugar(obs, actions, rewards, num_candidates):
    obs = np.asarray(obs)
    rewards = np.asarray(rewards)
    a = np.asarray(actions)
    chosen = obs[np.arange(len(a)), a]
    ok = chosen > 0
    obs[~ok, 0] = np.nan  # marks the unknown steps in the caller's obs
    sugar = np.full(len(a), np.nan)
    sugar[ok] = 1.0 - rewards[ok] / chosen[ok]
    return sugar
''',
        loses=['ex4_test'],
        why="marks unknown steps in the caller's obs in place",
    ),
    Mistake(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.asarray(sugar, float), np.asarray(chosen, float)
    m = np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, 1:] & m[:, :-1]
    return float(np.nansum(y[ok] * z[ok]) / np.nansum(z[ok] ** 2))
''',
        loses=['ex5_test'],
        why='np.nansum: a pair with one nan still counts in the denominator',
    ),
    Mistake(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.nan_to_num(np.asarray(sugar, float)), np.asarray(chosen, float)
    m = np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, 1:] & m[:, :-1]
    return float(np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2))
''',
        loses=['ex5_test'],
        why='replaces nan sugar levels by 0 instead of skipping the pairs',
    ),
    Mistake(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.asarray(sugar, float), np.asarray(chosen, float)
    m = np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, 1:] & m[:, :-1] & np.isfinite(y) & np.isfinite(z)
    return np.array([np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2)])
''',
        loses=['ex5_test'],
        why='returns a one-element array instead of a float',
    ),
    Mistake(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.asarray(sugar, float), np.asarray(chosen, float)
    m = np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, :-1] & np.isfinite(y) & np.isfinite(z)  # only the first step of the pair
    return float(np.sum(y[ok] * z[ok]) / np.sum(z[ok] ** 2))
''',
        loses=['ex5_test'],
        why='checks the mask of the first step of each pair only',
    ),
    Mistake(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.asarray(sugar, float), np.asarray(chosen, float)
    m = np.asarray(mask, bool)
    # s_{t+1} = a s_t + b x_t: two coefficients, alpha = a
    y = s[:, 1:]; A = np.stack([s[:, :-1], x[:, :-1]], axis=-1)
    ok = m[:, 1:] & m[:, :-1] & np.isfinite(y) & np.isfinite(A).all(axis=-1)
    (a, b), *_ = np.linalg.lstsq(A[ok], y[ok], rcond=None)
    return float(a)
''',
        loses=['ex5_test'],
        why='fits s_t+1 = a s_t + b x_t with two free coefficients',
    ),
    Mistake(
        cell='ex5_answer',
        source='''def estimate_alpha(sugar, chosen, mask):
    s, x = np.asarray(sugar, float), np.asarray(chosen, float)
    m = np.asarray(mask, bool)
    y, z = s[:, 1:] - x[:, :-1], s[:, :-1] - x[:, :-1]
    ok = m[:, 1:] & m[:, :-1] & np.isfinite(y) & np.isfinite(z)
    num = np.sum(y * z, where=ok, axis=1); den = np.sum(z * z, where=ok, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.nanmean(num / den))  # one slope per episode, averaged
''',
        loses=['ex5_test'],
        why='averages per-episode slopes',
    ),
    Mistake(
        cell='ex3_answer',
        source='''answer_actions = "b"''',
        loses=['ex3_test'],
        why='lower-case letter',
    ),
    Mistake(
        cell='ex3_answer',
        source='''answer_actions = "C"''',
        loses=['ex3_test'],
        why='thinks shuffling explains the flat histogram',
    ),
    Mistake(
        cell='ex6_answer',
        source='''answer_sugar = {"recover": True, "needs_alpha": False, "memoryless": True, "memory": False}''',
        loses=['ex6_test_b'],
        why='swaps memoryless and memory',
    ),
    Mistake(
        cell='ex6_answer',
        source='''answer_sugar = {"recover": 1, "needs_alpha": 0, "memoryless": 0, "memory": 1}''',
        loses=['ex6_test', 'ex6_test_b'],
        why='ints instead of bools',
    ),
]
