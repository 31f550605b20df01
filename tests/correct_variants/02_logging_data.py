"""Right answers to lesson 02's exercises written differently: each must keep full marks on the
test cells in `keeps`."""

from tests.nbgrader_harness import Variant

VARIANTS = [
    # --- Exercise 1: softmax_probs -----------------------------------------------------------
    Variant(
        cell="ex1_answer",
        source='''def softmax_probs(obs, num_candidates, temperature):
    logits = obs[:, :num_candidates] / temperature  # float32 in, float32 out
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
''',
        keeps=["ex1_test"],
        why="computes in float32 on the env's float32 observations",
    ),
    Variant(
        cell="ex1_answer",
        source='''def softmax_probs(obs, num_candidates, temperature):
    out = []
    for row in np.asarray(obs).tolist():
        x = row[:num_candidates]
        top = max(x)
        e = [math.exp((v - top) / temperature) for v in x]
        total = sum(e)
        out.append([v / total for v in e])
    return np.array(out)
''',
        keeps=["ex1_test"],
        why="a plain-Python loop over rows with math.exp; subtracts the row's maximum sweetness "
        "before dividing by the temperature",
    ),
    Variant(
        cell="ex1_answer",
        source='''def softmax_probs(obs, num_candidates, temperature):
    from scipy.special import softmax
    return softmax(np.asarray(obs, dtype=np.float64)[:, :num_candidates] / temperature, axis=1)
''',
        keeps=["ex1_test"],
        why="scipy.special.softmax",
    ),
    Variant(
        cell="ex1_answer",
        source='''def softmax_probs(obs, num_candidates, temperature):
    z = np.array(obs, dtype=np.float64)[:, :num_candidates] / temperature
    return np.exp(z - np.logaddexp.reduce(z, axis=1)[:, None])
''',
        keeps=["ex1_test"],
        why="log-sum-exp: exp(z - logsumexp(z))",
    ),
    # --- Exercise 2: sample_and_log ----------------------------------------------------------
    Variant(
        cell="ex2_answer",
        source='''def sample_and_log(probs, rng):
    probs = np.asarray(probs)
    actions = np.array([rng.choice(len(row), p=row / row.sum()) for row in probs], dtype=int)
    action_prob = probs[np.arange(len(probs)), actions]
    return actions, action_prob, np.log(action_prob)
''',
        keeps=["ex2_test"],
        why="a loop with rng.choice per row; keeps the input's dtype (float32 stays float32)",
    ),
    Variant(
        cell="ex2_answer",
        source='''def sample_and_log(probs, rng):
    probs = np.array(probs, dtype=np.float64)
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    actions = np.minimum((cdf <= u[:, None]).sum(axis=1), probs.shape[1] - 1)
    action_prob = np.take_along_axis(probs, actions[:, None], axis=1)[:, 0]
    return actions, action_prob, np.log(action_prob)
''',
        keeps=["ex2_test"],
        why="inverts the CDF by hand (a copy of probs, take_along_axis)",
    ),
    # --- Exercise 3: log_episode -------------------------------------------------------------
    Variant(
        cell="ex3_answer",
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    for t in range(10**9):
        p = np.asarray(policy(obs[None]))[0]
        a = int(rng.choice(len(p), p=p / p.sum()))
        new_obs, reward, terminated, truncated, _ = env.step(a)
        prob = float(np.float32(p[a]))  # stored as float32, as another logger might
        rows.append(dict(eps_id=eps_id, t=t, obs=[float(v) for v in obs], actions=a,
                         rewards=float(reward), new_obs=[float(v) for v in new_obs],
                         terminateds=bool(terminated), truncateds=bool(truncated),
                         action_prob=prob, action_logp=math.log(prob)))
        if terminated or truncated:
            return rows
        obs = new_obs
''',
        keeps=["ex3_test"],
        why="rng.choice instead of sample_actions, a for loop with return, probabilities "
        "rounded to float32, lists built with float()",
    ),
    # --- Exercise 4: audit_log ---------------------------------------------------------------
    Variant(
        cell="ex4_answer",
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions)
    except DataError:
        return False
    for i in range(len(eps)):
        ep = eps.episode(i)  # unpadded
        probs = np.asarray(claimed_policy(ep["obs"]))
        if not np.all(probs > 0):
            return False
        claimed = probs[np.arange(len(ep["actions"])), ep["actions"]]
        if not np.all(np.abs(np.log(ep["action_prob"]) - np.log(claimed)) <= 1e-6):
            return False
    return True
''',
        keeps=["ex4_test"],
        why="episode by episode with eps.episode(i); compares log-probabilities with an "
        "absolute tolerance (a relative one on the probabilities)",
    ),
    Variant(
        cell="ex4_answer",
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        validate_file(path, num_actions)
    except DataError:
        return False
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    obs = np.array([r["obs"] for r in rows], dtype=np.float32)  # the file holds float32 numbers
    actions = np.array([r["actions"] for r in rows])
    logged = np.array([r["action_prob"] for r in rows])
    probs = claimed_policy(obs)
    claimed = probs[np.arange(len(rows)), actions]
    return bool((probs > 0).all() and np.all(np.abs(logged - claimed) <= 1e-6 * np.abs(claimed)))
''',
        keeps=["ex4_test"],
        why="validate_file for the format, then plain json.loads per line (no padding at all)",
    ),
    # --- Exercises 5 and 7: concept questions ------------------------------------------------
    Variant(
        cell="ex5_answer",
        source='answer_rejected_by_validate = set("AB")\n'
        'answer_accepted_by_audit = {"F", "E", "D"}\n'
        'answer_usable = set(["E", "D"])\n',
        keeps=["ex5_test", "ex5_test_audit", "ex5_test_usable"],
        why="the same sets built differently",
    ),
    Variant(
        cell="ex7_answer",
        source='answer_explore = dict(imitate=True, repair=False, is_uniform=False, own_value=True)\n',
        keeps=["ex7_test", "ex7_test_b"],
        why="dict() with the keys in another order",
    ),
    # --- Exercise 6: from_rllib_rows ---------------------------------------------------------
    Variant(
        cell="ex6_answer",
        source='''def from_rllib_rows(rows):
    from collections import defaultdict
    order = list(dict.fromkeys(r["eps_id"] for r in rows))  # first appearance
    new_id = {e: i for i, e in enumerate(order)}
    seen = defaultdict(int)
    out = []
    for r in rows:
        e = new_id[r["eps_id"]]
        row = {"eps_id": e, "t": seen[e]}
        seen[e] += 1
        for k in ("obs", "new_obs"):
            row[k] = [float(v) for v in r[k]]
        row["actions"] = int(r["actions"])
        row["rewards"] = float(r["rewards"])
        row["terminateds"] = bool(r["terminateds"])
        row["truncateds"] = bool(r["truncateds"])
        row["action_logp"] = float(r["action_logp"])
        row["action_prob"] = float(np.exp(np.float64(r["action_logp"])))
        out.append(row)
    return out
''',
        keeps=["ex6_test"],
        why="two passes (dict.fromkeys for the order, a defaultdict counter), columns in "
        "another order, np.exp in float64",
    ),
]
