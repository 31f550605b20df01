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

# --- red-team round: more right answers written differently ------------------------------
VARIANTS += [
    Variant(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    x = np.array(obs, dtype=np.float64)[:, :num_candidates]
    return (np.exp(x - x.max(axis=1, keepdims=True)) ** (1.0 / temperature)
            / (np.exp(x - x.max(axis=1, keepdims=True)) ** (1.0 / temperature)).sum(axis=1, keepdims=True))
''',
        keeps=['ex1_test'],
        why='exp(x - max) raised to 1/tau',
    ),
    Variant(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    out = []
    for row in np.asarray(obs):
        z = row[:num_candidates] / temperature
        e = np.exp(z - np.max(z))
        out.append((e / np.sum(e)).tolist())
    return out  # a list of lists
''',
        keeps=['ex1_test'],
        why='loop over rows, returns a list of lists',
    ),
    Variant(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    x = np.asarray(obs)[:, :num_candidates].astype(np.float64) / temperature
    x = x - x.max(axis=1)[:, None]
    logp = x - np.log(np.exp(x).sum(axis=1))[:, None]
    return np.exp(logp)
''',
        keeps=['ex1_test'],
        why='via log-probabilities',
    ),
    Variant(
        cell='ex1_answer',
        source='''def softmax_probs(obs, num_candidates, temperature):
    import torch
    x = torch.as_tensor(np.asarray(obs, dtype=np.float64)[:, :num_candidates])
    return torch.softmax(x / temperature, dim=1).numpy()
''',
        keeps=['ex1_test'],
        why='torch.softmax in float64',
    ),
    Variant(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    probs = np.asarray(probs)
    with np.errstate(divide="ignore"):
        logits = np.log(probs)
    actions = np.argmax(logits + rng.gumbel(size=probs.shape), axis=1)
    action_prob = probs[np.arange(len(probs)), actions]
    return actions, action_prob, np.log(action_prob)
''',
        keeps=['ex2_test'],
        why='Gumbel-max trick',
    ),
    Variant(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    child = np.random.default_rng(rng.integers(2**63))
    actions, ps, lps = [], [], []
    for row in np.asarray(probs):
        a = int(child.choice(len(row), p=row / row.sum()))
        actions.append(a); ps.append(float(row[a])); lps.append(math.log(row[a]))
    return actions, ps, lps  # python lists
''',
        keeps=['ex2_test'],
        why='a child generator seeded from rng; lists of python scalars',
    ),
    Variant(
        cell='ex2_answer',
        source='''def sample_and_log(probs, rng):
    p = np.asarray(probs, dtype=np.float64)
    u = rng.random((len(p), 1))
    actions = np.argmax(np.cumsum(p, axis=1) > u * p.sum(axis=1, keepdims=True), axis=1)
    action_prob = p[np.arange(len(p)), actions]
    return actions.astype(np.int32), action_prob, np.log(action_prob)
''',
        keeps=['ex2_test'],
        why='argmax of cdf > u, int32 actions',
    ),
    Variant(
        cell='ex3_answer',
        source='''def log_episode(env, policy, eps_id, seed, rng):
    rows = []
    obs, _ = env.reset(seed=seed)
    done = False
    while not done:
        probs = policy(obs[None])[0]
        a = int(sample_actions(probs[None], rng)[0])
        new_obs, reward, terminated, truncated, _ = env.step(a)
        done = terminated or truncated
        rows.append(dict(eps_id=int(eps_id), t=len(rows), obs=obs.tolist(), actions=a, rewards=float(reward),
                         new_obs=new_obs.tolist(), terminateds=bool(terminated), truncateds=bool(truncated),
                         action_prob=probs[a], action_logp=np.log(probs[a])))  # numpy float64 is a float
        obs = new_obs
    return rows
''',
        keeps=['ex3_test'],
        why='t from len(rows); np.float64 values (a float subclass json writes)',
    ),
    Variant(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    try:
        eps = load_episodes(path, num_actions=num_actions)
    except Exception:
        return False
    ok = True
    for i in range(len(eps)):
        for t in range(int(eps.lengths[i])):
            p = np.asarray(claimed_policy(eps.obs[i, t][None]))[0]
            if p.min() <= 0 or not math.isclose(eps.action_prob[i, t], p[eps.actions[i, t]], rel_tol=1e-6, abs_tol=0.0):
                ok = False
    return ok
''',
        keeps=['ex4_test'],
        why='step by step with math.isclose, catches every exception',
    ),
    Variant(
        cell='ex6_answer',
        source='''def from_rllib_rows(rows):
    out = []
    first = []
    for r in rows:
        if r["eps_id"] not in first:
            first.append(r["eps_id"])
    for i, r in enumerate(rows):
        t = sum(1 for q in rows[:i] if q["eps_id"] == r["eps_id"])
        out.append({"eps_id": first.index(r["eps_id"]), "t": t,
                    "obs": [float(v) for v in r["obs"]], "actions": int(r["actions"]),
                    "rewards": float(r["rewards"]), "new_obs": [float(v) for v in r["new_obs"]],
                    "terminateds": bool(r["terminateds"]), "truncateds": bool(r["truncateds"]),
                    "action_prob": float(np.exp(r["action_logp"])), "action_logp": float(r["action_logp"])})
    return out
''',
        keeps=['ex6_test'],
        why='quadratic counting of earlier rows; list.index for the ids',
    ),
    Variant(
        cell='ex5_answer',
        source='''answer_rejected_by_validate = {"B", "A"}
answer_accepted_by_audit = set("DEF")
answer_usable = {"D"} | {"E"}
''',
        keeps=['ex5_test', 'ex5_test_audit', 'ex5_test_usable'],
        why='sets built with set() and union',
    ),
    Variant(
        cell='ex4_answer',
        source='''def audit_log(path, claimed_policy, num_actions):
    import pandas as pd
    try:
        validate_file(path, num_actions)
    except DataError:
        return False
    df = pd.read_json(path, lines=True)
    obs = np.array(df["obs"].tolist(), dtype=np.float32)
    probs = np.asarray(claimed_policy(obs))
    claimed = probs[np.arange(len(df)), df["actions"].to_numpy()]
    logged = df["action_prob"].to_numpy(dtype=np.float64)
    return bool(np.all(probs > 0) and np.all(np.abs(claimed - logged) <= 1e-6 * claimed))
''',
        keeps=['ex4_test'],
        why='validate_file, then pandas.read_json(lines=True)',
    ),
    Variant(
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
            "action_prob": p, "action_logp": math.log(p), "all_probs": probs[0].tolist()})
        obs, t, done = new_obs, t + 1, terminated or truncated
    return rows
''',
        keeps=['ex3_test'],
        why="logs one extra column (every item's probability) next to the ten required ones",
    ),
]
