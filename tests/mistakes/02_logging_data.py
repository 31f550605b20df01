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
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""logits = np.asarray(obs, dtype=np.float64)[:, :-1] / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="drops the last column (obs[:, :-1]): right only for obs_mode='sugar'",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(logits - logits.max())
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="subtracts the batch's maximum instead of each row's: rows far below it underflow "
        "to 0/0 = nan at small temperatures",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""from offrl.policies import softmax
    return softmax(np.asarray(obs)[:, :num_candidates], temperature=temperature)"""),
        loses=["ex1_test"],
        why="delegates to offrl.policies.softmax, the course's reference",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""k = num_candidates
    x = np.asarray(obs)[:, :k]
    return SoftmaxSweetness(EnvConfig(num_candidates=k, obs_mode="sweetness"), temperature)(x)"""),
        loses=["ex1_test"],
        why="delegates to offrl's SoftmaxSweetness policy (the reference the tests compare with)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""obs = np.asarray(obs)
    obs[:, :num_candidates] /= temperature  # in place: changes the caller's observations
    logits = obs[:, :num_candidates]
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="divides the caller's observations by the temperature in place",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(logits - logits.max(axis=0, keepdims=True))
    return z / z.sum(axis=0, keepdims=True)"""),
        loses=["ex1_test"],
        why="normalises over the batch (axis 0) instead of over each row's items",
    ),
    Mistake(
        cell="ex1_answer",
        source=_EX1.format(body="""logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] * temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)"""),
        loses=["ex1_test"],
        why="multiplies by the temperature instead of dividing",
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
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""actions = np.array([np.random.choice(len(row), p=row) for row in probs])
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)"""),
        loses=["ex2_test"],
        why="samples with numpy's global random state instead of rng",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""rng = np.random.default_rng(0)  # "for reproducibility"
    actions = sample_actions(probs, rng)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)"""),
        loses=["ex2_test"],
        why="re-seeds a generator of its own instead of drawing from rng: every call logs the "
        "same actions",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""logp = np.log(probs)  # every entry, zeros included: divide-by-zero warning
    actions = sample_actions(probs, rng)
    rows = np.arange(len(actions))
    return actions, probs[rows, actions], logp[rows, actions]"""),
        loses=["ex2_test"],
        why="takes the log of the whole matrix: right values, but log(0) prints a RuntimeWarning "
        "from the learner's own code (stderr costs the cell in validate and autograde alike)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""probs /= probs.sum(axis=1, keepdims=True)  # renormalise "to be safe": in place
    actions = sample_actions(probs, rng)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)"""),
        loses=["ex2_test"],
        why="renormalises the caller's probability rows in place",
    ),
    Mistake(
        cell="ex2_answer",
        source=_EX2.format(body="""actions = sample_actions(probs, rng)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob + 1e-12)"""),
        loses=["ex2_test"],
        why="adds an epsilon inside the log: wrong action_logp for small probabilities",
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
    Mistake(
        cell="ex3_answer",
        source=_ex3(action="int(sample_actions(probs, np.random.default_rng(seed))[0])"),
        loses=["ex3_test"],
        why="samples with a fresh generator seeded by the episode's seed instead of rng (the same "
        "action sequence whatever rng it is given)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_ex3(t="t + 1"),
        loses=["ex3_test"],
        why="counts t from 1",
    ),
    Mistake(
        cell="ex3_answer",
        source=_ex3(truncated="bool(terminated)"),
        loses=["ex3_test"],
        why="writes the terminated flag into truncateds (the episode never ends)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_ex3(prob="float(np.max(probs[0]))"),
        loses=["ex3_test"],
        why="logs the favourite's probability instead of the shown item's",
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
    Mistake(
        cell="ex4_answer",
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs = eps.obs.reshape(-1, eps.obs.shape[-1])  # every step of the padded arrays
    actions, logged = eps.actions.ravel(), eps.action_prob.ravel()
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(logged, claimed, rtol=1e-6, atol=0.0))
''',
        loses=["ex4_test"],
        why="ignores the mask: audits the padding of shorter episodes too, so an honest log with "
        "episodes of different lengths is rejected",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EX4.format(body="""if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6))"""),
        loses=["ex4_test"],
        why="keeps np.allclose's default absolute tolerance (1e-8): a wrong probability below "
        "1e-8 passes",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EX4.format(body="""claimed = probs[np.arange(len(actions)), actions]
    if np.any(claimed <= 0):  # coverage of the logged actions only
        return False
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))"""),
        loses=["ex4_test"],
        why="checks coverage only for the actions that were logged (a greedy log passes)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_EX4.format(body="""if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.mean(np.isclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0)) > 0.99)"""),
        loses=["ex4_test"],
        why="accepts a log if 99 % of the lines match (a single wrong line passes)",
    ),
]

# --------------------------------------------------------------------------------------------
# Exercises 5 and 7: concept questions
# --------------------------------------------------------------------------------------------
_EX5 = '''answer_rejected_by_validate = {validate}
answer_accepted_by_audit = {audit}
answer_usable = {usable}
'''
_OK5 = dict(validate='{"A", "B"}', audit='{"D", "E", "F"}', usable='{"D", "E"}')


def _ex5(**change):
    return _EX5.format(**{**_OK5, **change})


_EX7 = '''answer_explore = {{"own_value": {own_value}, "is_uniform": {is_uniform}, "repair": {repair}, "imitate": {imitate}}}
'''
_OK7 = dict(own_value=True, is_uniform=False, repair=False, imitate=True)


def _ex7(**change):
    return _EX7.format(**{**_OK7, **change})


CONCEPTS = [
    Mistake(cell="ex5_answer", source=_ex5(validate='{"A", "B", "C"}'), loses=["ex5_test"],
            why="thinks validation compares the probabilities with the policy (C)"),
    Mistake(cell="ex5_answer", source=_ex5(validate='{"A"}'), loses=["ex5_test"],
            why="thinks validation does not notice an episode without its last step (B)"),
    Mistake(cell="ex5_answer", source=_ex5(validate='{"A", "B", "E"}'), loses=["ex5_test"],
            why="thinks shuffled lines are a format error (E)"),
    Mistake(cell="ex5_answer", source=_ex5(audit='{"D", "E"}'), loses=["ex5_test_audit"],
            why="thinks the audit notices how the items were chosen (F)"),
    Mistake(cell="ex5_answer", source=_ex5(audit='{"E", "F"}'), loses=["ex5_test_audit"],
            why="thinks a mostly greedy logger fails the coverage check (D)"),
    Mistake(cell="ex5_answer", source=_ex5(usable='{"D", "E", "F"}'), loses=["ex5_test_usable"],
            why="takes passing the audit for usable (F)"),
    Mistake(cell="ex5_answer", source=_ex5(usable='{"E"}'), loses=["ex5_test_usable"],
            why="thinks a mostly greedy logger has no coverage (D)"),
    Mistake(cell="ex5_answer", source='answer_rejected_by_validate = "AB"\nanswer_accepted_by_audit = "DEF"\nanswer_usable = "DE"\n',
            loses=["ex5_test", "ex5_test_audit", "ex5_test_usable"], why="answers with strings, not sets"),
    Mistake(cell="ex7_answer", source=_ex7(own_value=False), loses=["ex7_test"],
            why="thinks a deterministic log cannot even tell the recorded policy's own value"),
    Mistake(cell="ex7_answer", source=_ex7(is_uniform=True), loses=["ex7_test"],
            why="thinks importance sampling works without coverage"),
    Mistake(cell="ex7_answer", source=_ex7(repair=True), loses=["ex7_test_b"],
            why="thinks the logits' softmax is the probability the (argmax) logger chose with"),
    Mistake(cell="ex7_answer", source=_ex7(imitate=False), loses=["ex7_test_b"],
            why="thinks behaviour cloning needs a stochastic logger"),
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
    Mistake(
        cell="ex6_answer",
        source=_ex6(eps='sorted({q["eps_id"] for q in rows}).index(r["eps_id"])'),
        loses=["ex6_test"],
        why="numbers the episodes in sorted order of their uuids, not in order of appearance",
    ),
    Mistake(
        cell="ex6_answer",
        source=_ex6(prob="float(np.exp(np.float32(logp)))"),
        loses=["ex6_test"],
        why="computes exp in float32: a very unlikely action gets probability 0",
    ),
    Mistake(
        cell="ex6_answer",
        source='''def from_rllib_rows(rows):
    ids, steps, out = {}, {}, []
    keep = ("eps_id", "t", "obs", "actions", "rewards", "new_obs", "terminateds", "truncateds",
            "action_prob", "action_logp")
    for r in rows:
        eps = ids.setdefault(r["eps_id"], len(ids))
        r["eps_id"], r["t"] = eps, steps.get(eps, 0)  # edits RLlib's rows in place
        steps[eps] = r["t"] + 1
        r["obs"], r["new_obs"] = np.asarray(r["obs"], dtype=np.float64).tolist(), np.asarray(r["new_obs"], dtype=np.float64).tolist()
        r["actions"], r["rewards"] = int(r["actions"]), float(r["rewards"])
        r["terminateds"], r["truncateds"] = bool(r["terminateds"]), bool(r["truncateds"])
        r["action_logp"] = float(r["action_logp"])
        r["action_prob"] = math.exp(r["action_logp"])
        out.append({k: r[k] for k in keep})
    return out
''',
        loses=["ex6_test"],
        why="converts RLlib's rows in place (the caller's rows change)",
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

# --------------------------------------------------------------------------------------------
# Red-team round (hidden tests strengthened where one of these escaped)
# --------------------------------------------------------------------------------------------
MISTAKES += [
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    x = np.asarray(obs, dtype=np.float64)
    x[:, :num_candidates] -= x[:, :num_candidates].max(axis=1, keepdims=True)  # in place on float64 input
    z = np.exp(x[:, :num_candidates] / temperature)
    return z / z.sum(axis=1, keepdims=True)
''',
        loses=['ex1_test'],
        why='subtracts the row maximum in place: np.asarray does not copy float64 observations',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(np.clip(logits, -700, 700))
    return z / z.sum(axis=1, keepdims=True)
''',
        loses=['ex1_test'],
        why='clips the logits to avoid overflow instead of subtracting the row maximum',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(logits - logits.min(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
''',
        loses=['ex1_test'],
        why='subtracts the row minimum (overflows at small temperatures)',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = z / z.sum(axis=1, keepdims=True)
    return np.maximum(p, 1e-12)  # 'no zero probabilities'
''',
        loses=['ex1_test'],
        why='floors tiny probabilities at 1e-12',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    z = np.exp(np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature)
    return np.nan_to_num(z / z.sum(axis=1, keepdims=True))
''',
        loses=['ex1_test'],
        why='hides the overflow with np.nan_to_num',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :5] / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
''',
        loses=['ex1_test'],
        why='hard-codes 5 items',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, -num_candidates:] / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
''',
        loses=['ex1_test'],
        why='takes the LAST num_candidates columns',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    from offrl.marwil import MLPPolicy
    k = num_candidates
    w = np.eye(k) / temperature
    pol = MLPPolicy([w], [np.zeros(k)], ["linear"], config=EnvConfig(num_candidates=k, obs_mode="sweetness"))
    return pol(np.asarray(obs)[:, :k])
''',
        loses=['ex1_test'],
        why="delegates the softmax to offrl.marwil.MLPPolicy (which calls offrl's softmax)",
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (z / z.sum(axis=1, keepdims=True)).astype(np.float16)
''',
        loses=['ex1_test'],
        why='returns float16',
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / max(temperature, 0.01)
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
''',
        loses=['ex1_test'],
        why="floors the temperature at 0.01 'for stability'",
    ),
    Mistake(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum()
''',
        loses=['ex1_test'],
        why="divides by the batch's total instead of each row's sum",
    ),
    Mistake(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    probs = np.asarray(probs, dtype=np.float64)
    probs[probs == 0] = 1e-300  # no log(0) warning; in place
    actions = sample_actions(probs, rng)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)
''',
        loses=['ex2_test'],
        why="replaces zero probabilities in the caller's array to avoid log(0)",
    ),
    Mistake(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    probs = np.asarray(probs, dtype=np.float64)
    u = rng.random()  # one number for the whole batch
    actions = (np.cumsum(probs, axis=1) < u).sum(axis=1)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)
''',
        loses=['ex2_test'],
        why='draws one uniform number for all rows',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    probs = np.asarray(probs, dtype=np.float64)
    actions = sample_actions(probs, rng)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, -np.log(action_prob)
''',
        loses=['ex2_test'],
        why='action_logp with the wrong sign (negative log-likelihood)',
    ),
    Mistake(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    probs = np.asarray(probs, dtype=np.float64)
    g = rng.gumbel(size=probs.shape[1])  # one noise vector shared by all rows
    with np.errstate(divide="ignore"):
        actions = np.argmax(np.log(probs) + g, axis=1)
    action_prob = probs[np.arange(len(actions)), actions]
    return actions, action_prob, np.log(action_prob)
''',
        loses=['ex2_test'],
        why='Gumbel-max with one noise vector for the whole batch',
    ),
    Mistake(
        cell='ex3_answer',
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    t, done = 0, False
    while not done:
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = int(sample_actions(probs, rng)[0])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        p = float(np.asarray(policy(new_obs[None]))[0, a])  # after the step
        rows.append({"eps_id": eps_id, "t": t, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            "new_obs": new_obs.tolist(), "terminateds": bool(terminated), "truncateds": bool(truncated),
            "action_prob": p, "action_logp": math.log(p)})
        obs, t, done = new_obs, t + 1, terminated or truncated
    return rows
''',
        loses=['ex3_test'],
        why='computes the logged probability at the observation after the step',
    ),
    Mistake(
        cell='ex3_answer',
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    t = 0
    while True:
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = int(sample_actions(probs, rng)[0])
        p = float(probs[0, a])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        if terminated or truncated:
            break  # the last step is not logged
        rows.append({"eps_id": eps_id, "t": t, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            "new_obs": new_obs.tolist(), "terminateds": bool(terminated), "truncateds": bool(truncated),
            "action_prob": p, "action_logp": math.log(p)})
        obs, t = new_obs, t + 1
    return rows
''',
        loses=['ex3_test'],
        why='breaks before logging the last step',
    ),
    Mistake(
        cell='ex3_answer',
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    t, done = 0, False
    while not done:
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = int(sample_actions(probs, rng)[0])
        p = float(probs[0, a])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        rows.append({"eps_id": eps_id, "t": t, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            "new_obs": new_obs.tolist(), "terminateds": bool(terminated), "truncateds": bool(truncated),
            "action_prob": p, "action_logp": math.log10(p)})
        obs, t, done = new_obs, t + 1, terminated or truncated
    return rows
''',
        loses=['ex3_test'],
        why='action_logp in base 10',
    ),
    Mistake(
        cell='ex3_answer',
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    t, done = 0, False
    while not done:
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = int(sample_actions(probs, rng)[0])
        p = float(probs[0, a])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        rows.append({"eps_id": eps_id, "t": t, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            "new_obs": new_obs.tolist(), "terminateds": bool(terminated), "truncateds": bool(truncated),
            "action_prob": p, "action_logp": math.log(p), "return_to_go": 0.0})
        obs, t, done = new_obs, t + 1, terminated or truncated
    return rows
''',
        loses=['ex3_test'],
        why='adds a return_to_go column of zeros (the exercise says no return_to_go)',
    ),
    Mistake(
        cell='ex3_answer',
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    t, done = 0, False
    while not done:
        probs = np.asarray(policy(obs[None]), dtype=np.float64)
        a = int(sample_actions(probs, rng)[0])
        p = float(probs[0, a])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        rows.append({"eps_id": eps_id, "t": t, "obs": obs.tolist(), "actions": a, "rewards": float(reward),
            "new_obs": new_obs.tolist(), "terminateds": bool(terminated), "truncateds": bool(truncated),
            "action_prob": p, "action_logp": math.log(p)})
        obs, t, done = new_obs, t + 1, truncated  # ignores terminated
    return rows
''',
        loses=['ex3_test'],
        why='stops on truncated only (never looks at terminated)',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    if np.any(np.asarray(claimed_policy(eps.obs[:, 0])) <= 0):  # coverage at each episode's start
        return False
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))
''',
        loses=['ex4_test'],
        why="checks coverage only at each episode's first step",
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if not np.all(probs.max(axis=0) > 0):  # every item shown somewhere in the log
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))
''',
        loses=['ex4_test'],
        why='coverage over the whole log (each item possible somewhere) instead of in every state',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, atol=0.0))  # default rtol 1e-5
''',
        loses=['ex4_test'],
        why="keeps np.allclose's default rtol 1e-5 instead of 1e-6",
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs < 1e-12):  # 'positive' with a tolerance
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))
''',
        loses=['ex4_test'],
        why='treats probabilities below 1e-12 as no coverage',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    L = int(eps.lengths.min())  # the rectangular part
    obs, actions = eps.obs[:, :L].reshape(-1, eps.obs.shape[-1]), eps.actions[:, :L].ravel()
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[:, :L].ravel(), claimed, rtol=1e-6, atol=0.0))
''',
        loses=['ex4_test'],
        why='audits only the first min(lengths) steps of every episode',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(abs(eps.action_prob[eps.mask].sum() / claimed.sum() - 1) < 1e-6)
''',
        loses=['ex4_test'],
        why='compares the sums of the probabilities, not every line',
    ),
    Mistake(
        cell='ex6_answer',
        source='''def from_rllib_rows(rows):
    order = {}
    for r in rows:
        if r["truncateds"] or r["terminateds"]:
            order.setdefault(r["eps_id"], len(order))  # numbered when they end
    steps, out = {}, []
    for r in rows:
        e = order[r["eps_id"]]
        t = steps.get(e, 0); steps[e] = t + 1
        logp = float(r["action_logp"])
        out.append({"eps_id": e, "t": t, "obs": np.asarray(r["obs"], float).tolist(), "actions": int(r["actions"]),
                    "rewards": float(r["rewards"]), "new_obs": np.asarray(r["new_obs"], float).tolist(),
                    "terminateds": bool(r["terminateds"]), "truncateds": bool(r["truncateds"]),
                    "action_prob": math.exp(logp), "action_logp": logp})
    return out
''',
        loses=['ex6_test'],
        why='numbers the episodes in the order in which they end',
    ),
    Mistake(
        cell='ex6_answer',
        source='''def from_rllib_rows(rows):
    ids, steps, out = {}, {}, []
    for r in sorted(rows, key=lambda r: r["eps_id"]):  # groups the episodes
        eps = ids.setdefault(r["eps_id"], len(ids))
        t = steps.get(eps, 0); steps[eps] = t + 1
        logp = float(r["action_logp"])
        out.append({"eps_id": eps, "t": t, "obs": np.asarray(r["obs"], float).tolist(), "actions": int(r["actions"]),
                    "rewards": float(r["rewards"]), "new_obs": np.asarray(r["new_obs"], float).tolist(),
                    "terminateds": bool(r["terminateds"]), "truncateds": bool(r["truncateds"]),
                    "action_prob": math.exp(logp), "action_logp": logp})
    return out
''',
        loses=['ex6_test'],
        why='sorts the rows by uuid (changes the order and the numbering)',
    ),
    Mistake(
        cell='ex6_answer',
        source='''def from_rllib_rows(rows):
    ids, steps, out = {}, {}, []
    for r in rows:
        eps = ids.setdefault(r["eps_id"], len(ids))
        t = steps.get(eps, 0); steps[eps] = t + 1
        logp = float(r["action_logp"])
        out.append({"eps_id": eps, "t": t, "obs": np.asarray(r["obs"], float).tolist(), "actions": int(r["actions"]),
                    "rewards": float(r["rewards"]), "new_obs": np.asarray(r["new_obs"], float).tolist(),
                    "terminateds": bool(r["terminateds"]), "truncateds": bool(r["truncateds"]),
                    "action_prob": max(math.exp(logp), 1e-12), "action_logp": logp})
    return out
''',
        loses=['ex6_test'],
        why='floors action_prob at 1e-12',
    ),
    Mistake(
        cell='ex6_answer',
        source='''def from_rllib_rows(rows):
    ids, steps, out = {}, {}, []
    for r in rows:
        eps = ids.setdefault(r["eps_id"], len(ids))
        t = steps.get(eps, 0); steps[eps] = t + 1
        logp = float(r["action_logp"])
        p = math.exp(logp)
        out.append({"eps_id": eps, "t": t, "obs": np.asarray(r["obs"], float).tolist(), "actions": int(r["actions"]),
                    "rewards": float(r["rewards"]), "new_obs": np.asarray(r["new_obs"], float).tolist(),
                    "terminateds": bool(r["terminateds"]), "truncateds": bool(r["truncateds"]),
                    "action_prob": p, "action_logp": math.log(round(p, 6)) if p > 1e-6 else logp})
    return out
''',
        loses=['ex6_test'],
        why='recomputes action_logp from a rounded probability',
    ),
    Mistake(
        cell='ex5_answer',
        source='''answer_rejected_by_validate = {"B"}
answer_accepted_by_audit = {"D", "E", "F"}
answer_usable = {"D", "E"}
''',
        loses=['ex5_test'],
        why='thinks validate does not check action_logp against action_prob (A)',
    ),
    Mistake(
        cell='ex5_answer',
        source='''answer_rejected_by_validate = {"A", "B"}
answer_accepted_by_audit = {"C", "D", "E", "F"}
answer_usable = {"D", "E"}
''',
        loses=['ex5_test_audit'],
        why='thinks the audit accepts C',
    ),
    Mistake(
        cell='ex5_answer',
        source='''answer_rejected_by_validate = {"A", "B"}
answer_accepted_by_audit = {"D", "E", "F"}
answer_usable = {"D", "E", "A"}
''',
        loses=['ex5_test_usable'],
        why='thinks A is usable (recompute logp)',
    ),
    Mistake(
        cell='ex7_answer',
        source='''answer_explore = {"own_value": True, "is_uniform": False, "repair": False, "imitate": "True"}
''',
        loses=['ex7_test_b'],
        why='a string instead of a bool',
    ),
    Mistake(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path)  # forgets num_actions
    except DataError:
        return False
    obs, actions = eps.obs[eps.mask], eps.actions[eps.mask]
    probs = np.asarray(claimed_policy(obs), dtype=np.float64)
    if np.any(probs <= 0):
        return False
    claimed = probs[np.arange(len(actions)), actions]
    return bool(np.allclose(eps.action_prob[eps.mask], claimed, rtol=1e-6, atol=0.0))
''',
        loses=['ex4_test'],
        why='calls load_episodes without num_actions (actions out of range pass)',
    ),
]
