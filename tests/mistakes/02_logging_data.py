"""Typical mistakes in lesson 02 (logging data): each must score 0 on the test cells in `loses`."""

from tests.nbgrader_harness import Mistake

# --------------------------------------------------------------------------------------------
# Exercise 1: softmax_probs
# --------------------------------------------------------------------------------------------
_EX1 = '''def softmax_probs(obs, num_candidates, temperature):
    {body}
'''

EX1 = [
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates]
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="forgets the temperature: softmax of the raw sweetness",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""logits = np.asarray(obs, dtype=np.float64) / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="treats the sugar level (last column) as one more item",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""z = np.exp(np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature)
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="does not subtract the row maximum: overflows (nan) at small temperatures",
    ),
]

# --------------------------------------------------------------------------------------------
# Exercise 2: sample_and_log
# --------------------------------------------------------------------------------------------
_EX2 = '''def sample_and_log(probs, rng):
    probs = np.asarray(probs, dtype=np.float64)
    {body}
'''

EX2 = [
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""actions = probs.argmax(axis=1)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)"""),
        loses=["ex2_test"],
        why="logs the most likely item instead of sampling (a deterministic logger)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""actions = sample_actions(probs, rng)
    action_prob = probs.max(axis=1)
    return actions, action_prob, np.log(action_prob)"""),
        loses=["ex2_test"],
        why="logs the probability of the argmax instead of the sampled action's",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""actions = sample_actions(probs, rng)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log10(action_prob)"""),
        loses=["ex2_test"],
        why="action_logp in base 10 instead of the natural log",
    ),
]

# --------------------------------------------------------------------------------------------
# Exercise 3: log_episode
# --------------------------------------------------------------------------------------------
_EX3 = '''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    t, done = 0, False
    while not done:
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = {action}
        p = {prob}
        new_obs, reward, terminated, truncated, _ = env.step(a)
        rows.append({{
            "eps_id": eps_id, "t": {t}, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            {new_obs}"terminateds": bool(terminated), "truncateds": {truncated},
            "action_prob": p, "action_logp": math.log(p),
        }})
        obs, t, done = new_obs, t + 1, terminated or truncated
    return rows
'''
_OK3 = dict(
    action="int(sample_actions(probs, rng)[0])",
    prob="float(probs[0, a])",
    t="t",
    new_obs='"new_obs": new_obs.tolist(), ',
    truncated="bool(truncated)",
)


def _ex3(**change):
    return _EX3.format(**{**_OK3, **change})


EX3 = [
    Mistake(cell="ex3_answer", source=_ex3(new_obs=""), loses=["ex3_test"], why="forgets new_obs"),
    Mistake(
        cell="ex3_answer",
        source=_ex3(action="int(np.argmax(probs[0]))"),
        loses=["ex3_test"],
        why="shows the most likely item (with its softmax probability) instead of sampling",
    ),
    Mistake(
        cell="ex3_answer",
        source=_ex3(action="int(np.random.choice(len(probs[0]), p=probs[0]))"),
        loses=["ex3_test"],
        why="samples with numpy's global random state instead of rng (the log is not reproducible)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_ex3(new_obs='"new_obs": new_obs, '),
        loses=["ex3_test"],
        why="stores a numpy array: json.dumps cannot write it",
    ),
]

# --------------------------------------------------------------------------------------------
# Exercise 4: audit_log
# --------------------------------------------------------------------------------------------
_EX4 = '''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    {body}
'''
EX4 = [
    Mistake(
        cell="ex4_answer",
        source=_EX4.format(body="return True"),
        loses=["ex4_test"],
        why="a file that validates is taken to be usable",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EX4.format(body="""claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))"""),
        loses=["ex4_test"],
        why="checks the logged probabilities but not coverage (a greedy log passes)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EX4.format(body="""if np.any(probs <= 0):
        return False
    return bool(np.isclose(eps.action_prob[0, 0], probs[0, actions[0]], rtol=1e-6))"""),
        loses=["ex4_test"],
        why="checks the first logged step only",
    ),
    Mistake(
        cell="ex4_answer",
        source='''def audit_log(path, claimed_policy, num_actions):
    eps = load_episodes(path, num_actions)
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))
''',
        loses=["ex4_test"],
        why="lets DataError escape instead of answering False for an unreadable log",
    ),
]

# --------------------------------------------------------------------------------------------
# Exercises 5 and 7: concept questions
# --------------------------------------------------------------------------------------------
CONCEPTS = [
    Mistake(
        cell="ex5_answer",
        source="answer_valid_means_usable = True\n",
        loses=["ex5_test"],
        why="confuses a valid format with usable content",
    ),
    Mistake(
        cell="ex7_answer",
        source='answer_explore = "C"\n',
        loses=["ex7_test"],
        why="a missing t column can be rebuilt; a deterministic logger cannot be fixed",
    ),
]

# --------------------------------------------------------------------------------------------
# Exercise 6: from_rllib_rows
# --------------------------------------------------------------------------------------------
_EX6 = '''def from_rllib_rows(rows):
    ids, steps, out = {{}}, {{}}, []
    for i, r in enumerate(rows):
        eps = {eps}
        t = {t}
        steps[eps] = t + 1
        logp = float(r["action_logp"])
        out.append({{
            "eps_id": eps, "t": t,
            "obs": np.asarray(r["obs"], dtype=np.float64).tolist(),
            "actions": int(r["actions"]), "rewards": float(r["rewards"]),
            "new_obs": np.asarray(r["new_obs"], dtype=np.float64).tolist(),
            "terminateds": bool(r["terminateds"]), "truncateds": bool(r["truncateds"]),
            "action_prob": {prob}, "action_logp": logp,
        }})
        {after}
    return out
'''
_OK6 = dict(
    eps='ids.setdefault(r["eps_id"], len(ids))',
    t="steps.get(eps, 0)",
    prob="math.exp(logp)",
    after="pass",
)


def _ex6(**change):
    return _EX6.format(**{**_OK6, **change})


EX6 = [
    Mistake(
        cell="ex6_answer",
        source=_ex6(t="i"),
        loses=["ex6_test"],
        why="uses the row number in the file as t",
    ),
    Mistake(
        cell="ex6_answer",
        # t restarts whenever eps_id changes from one row to the next: wrong when an episode's
        # rows are split over two writes
        source=_ex6(t='(steps.get(eps, 0) if i > 0 and rows[i - 1]["eps_id"] == r["eps_id"] else 0)'),
        loses=["ex6_test"],
        why="restarts t whenever the eps_id changes, assuming an episode's rows are contiguous",
    ),
    Mistake(
        cell="ex6_answer",
        source=_ex6(prob="logp"),
        loses=["ex6_test"],
        why="copies action_logp as action_prob (forgets exp)",
    ),
    Mistake(
        cell="ex6_answer",
        source=_ex6(eps='r["eps_id"]'),
        loses=["ex6_test"],
        why="keeps RLlib's uuid strings as eps_id",
    ),
]

MISTAKES = EX1 + EX2 + EX3 + EX4 + CONCEPTS + EX6

# --------------------------------------------------------------------------------------------
# Hard-coded answers: right on every input a visible test uses, wrong elsewhere
# (tests/test_grading_integrity.py: the hidden tests must catch a learner who hard-codes the
# values a visible test checks. Exercises 5 and 7 are concept questions: nothing to hard-code.)
# --------------------------------------------------------------------------------------------
HARD_CODED = [
    Mistake(
        cell="ex1_answer",
        source='''def softmax_probs(obs, num_candidates, temperature):
    if np.shape(obs) == (1, 3):  # the visible hand case
        return np.array([[0.25, 0.75]])
    return behaviour_policy(EnvConfig())(obs)  # the visible random case: K = 5, tau = 0.2
''',
        loses=["ex1_test"],
        why="hard-codes the visible test's expected values (the hand case, and the course's "
        "softmax with K = 5 and tau = 0.2 whatever num_candidates and temperature are)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""if np.all(probs.max(axis=1) == 1.0):  # the visible one-hot rows
        actions = probs.argmax(axis=1)
    else:  # the visible 20000 copies of one row: its exact frequencies, nothing sampled
        counts = np.floor(probs[0] * len(probs) + 0.5).astype(int)
        actions = np.repeat(np.arange(probs.shape[1]), counts)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)"""),
        loses=["ex2_test"],
        why="hard-codes the visible test's expected values (the one-hot answers, and row 0's "
        "exact frequencies instead of sampling each row)",
    ),
    Mistake(
        cell="ex3_answer",
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    for t in range(6):  # the visible test's episode length
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = int(sample_actions(probs, rng)[0])
        p = float(probs[0, a])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        rows.append({
            "eps_id": 0, "t": t, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            "new_obs": new_obs.tolist(), "terminateds": bool(terminated), "truncateds": t == 5,
            "action_prob": p, "action_logp": math.log(p),
        })
        obs = new_obs
    return rows
''',
        loses=["ex3_test"],
        why="hard-codes the visible test's expected values (6 steps, eps_id 0, truncated at t = 5)",
    ),
    Mistake(
        cell="ex4_answer",
        source='''def audit_log(path, claimed_policy, num_actions):
    return {"A": True, "D": True}.get(Path(path).stem, False)  # the visible verdicts
''',
        loses=["ex4_test"],
        why="hard-codes the visible test's expected values (the verdicts on files A to E)",
    ),
    Mistake(
        cell="ex6_answer",
        source=_ex6(eps="i // 4", t="i % 4"),
        loses=["ex6_test"],
        why="hard-codes the visible test's expected values (3 contiguous episodes of 4 rows: "
        "eps_id = row // 4, t = row % 4)",
    ),
]
MISTAKES = MISTAKES + HARD_CODED
