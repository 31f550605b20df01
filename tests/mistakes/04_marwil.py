"""Typical wrong answers to lesson 04's exercises; each must score 0 on the cells it `loses`.

Training happens in plain cells between exercise 4 and exercise 5, never between an answer cell
and its test cell, so every mistake here re-runs only a few fast cells.
"""

from tests.nbgrader_harness import Mistake


def _config(**change):
    """The solution's make_config with one piece replaced (keys: env, data, training, module,
    extra)."""
    parts = {
        "env": ".environment(observation_space=CONFIG.observation_space(), "
               "action_space=CONFIG.action_space())",
        "data": ".offline_data(input_=[str(path)], input_read_method='read_json', "
                "dataset_num_iters_per_learner=10, **offline_data_kwargs())",
        "training": ".training(beta=beta, moving_average_sqd_adv_norm_start=sqd_adv_norm_start, "
                    "moving_average_sqd_adv_norm_update_rate=sqd_adv_norm_update_rate, "
                    "vf_coeff=1.0, lr=3e-3, train_batch_size_per_learner=500)",
        "module": ".rl_module(model_config=DefaultModelConfig(fcnet_hiddens=[64, 64], "
                  "vf_share_layers=False))",
        "extra": ".evaluation(off_policy_estimation_methods={}).debugging(seed=seed)",
    }
    parts.update(change)
    chain = "\n        ".join(p for p in parts.values() if p)
    return (
        "def make_config(path, beta, sqd_adv_norm_start=100.0, sqd_adv_norm_update_rate=1e-8, "
        "seed=0):\n"
        "    return (\n"
        "        MARWILConfig()\n"
        f"        {chain}\n"
        "    )\n"
    )


def _table(rewards_expr, rows="real", eps_id=None):
    """A make_training_table whose G_t is `rewards_expr` (a full (episodes, steps) array named
    G, computed by the lines in rewards_expr)."""
    eps = eps_id or "np.broadcast_to(episodes.eps_id[:, None], real.shape)[real]"
    return (
        "def make_training_table(episodes, gamma):\n"
        "    real = episodes.mask\n"
        f"{rewards_expr}"
        "    n = int(real.sum())\n"
        "    return {\n"
        f"        'eps_id': {eps},\n"
        f"        'obs': episodes.obs[{rows}], 'actions': episodes.actions[{rows}],\n"
        f"        'rewards': G[{rows}], 'new_obs': episodes.new_obs[{rows}],\n"
        "        'terminateds': np.ones(n, dtype=bool), 'truncateds': np.zeros(n, dtype=bool),\n"
        "    }\n"
    )


_BACKWARD = (
    "    G = np.zeros(episodes.rewards.shape)\n"
    "    acc = np.zeros(len(G))\n"
    "    for t in range(G.shape[1] - 1, -1, -1):\n"
    "        acc = episodes.rewards[:, t] + gamma * acc\n"
    "        G[:, t] = acc\n"
)

_TRACE = (
    "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
    "    c2, out = float(start), []\n"
    "    for a in np.asarray(batch_sqd_adv, dtype=float):\n"
    "{body}"
    "    return np.array(out)\n"
)

_MODULE = (
    "from ray.rllib.core.rl_module.rl_module import RLModule\n\n\n"
    "def module_from_checkpoint(checkpoint_dir):\n"
    "{body}"
)

MISTAKES = [
    # --- Exercise 1: MARWIL's weights -------------------------------------------------------------
    Mistake(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    advantages = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
            "    return np.exp(beta * advantages / sqd_adv_norm)\n"
        ),
        loses=["ex1_test"],
        why="divides the advantage by c**2 (sqd_adv_norm) instead of c = sqrt(sqd_adv_norm)",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    return offrl.marwil.advantage_weights(targets, values, beta, sqd_adv_norm)\n"
        ),
        loses=["ex1_test"],
        why="delegates to offrl's reference advantage_weights",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    a = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
            "    return np.minimum(np.exp(beta * a / np.sqrt(sqd_adv_norm)), 20.0)\n"
        ),
        loses=["ex1_test"],
        why="clips the weights at 20 as some AWR implementations do (RLlib does not)",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    a = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
            "    w = np.exp(beta * a / np.sqrt(sqd_adv_norm))\n"
            "    return w / w.mean()\n"
        ),
        loses=["ex1_test"],
        why="re-normalises the weights to mean 1",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    a = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
            "    return np.exp(beta * (a - a.mean()) / np.sqrt(sqd_adv_norm))\n"
        ),
        loses=["ex1_test"],
        why="centres the advantages on the batch mean before weighting",
    ),
    Mistake(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    targets -= values  # in place: the caller's array now holds advantages\n"
            "    return np.exp(beta * np.asarray(targets, dtype=float) / np.sqrt(sqd_adv_norm))\n"
        ),
        loses=["ex1_test"],
        why="subtracts in place, changing the caller's targets",
    ),
    # --- Exercise 2: the training table -----------------------------------------------------------
    Mistake(
        cell="ex2_answer",
        source=_table("    G = episodes.extras['return_to_go']\n"),
        loses=["ex2_test"],
        why="copies the file's return_to_go column (gamma = 0.99) whatever gamma is asked for",
    ),
    Mistake(
        cell="ex2_answer",
        source=_table("    G = episodes.returns_to_go(gamma)\n"),
        loses=["ex2_test"],
        why="delegates G_t to offrl's Episodes.returns_to_go",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    return offrl.marwil.training_table(episodes, gamma)\n"
        ),
        loses=["ex2_test"],
        why="delegates the whole table to offrl.marwil.training_table",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    real = episodes.mask\n"
            "    r = episodes.rewards[real].astype(float)\n"
            "    G, acc = np.zeros(len(r)), 0.0\n"
            "    for i in range(len(r) - 1, -1, -1):  # one scan over all rows: crosses episodes\n"
            "        acc = r[i] + gamma * acc\n"
            "        G[i] = acc\n"
            "    n = len(r)\n"
            "    return {'eps_id': np.broadcast_to(episodes.eps_id[:, None], real.shape)[real],\n"
            "            'obs': episodes.obs[real], 'actions': episodes.actions[real], 'rewards': G,\n"
            "            'new_obs': episodes.new_obs[real], 'terminateds': np.ones(n, bool),\n"
            "            'truncateds': np.zeros(n, bool)}\n"
        ),
        loses=["ex2_test"],
        why="accumulates G_t across episode boundaries (one backward scan over the flat rows)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_table(
            "    T = episodes.rewards.shape[1]\n"
            "    disc = gamma ** np.arange(T)\n"
            "    G = np.cumsum((episodes.rewards * disc)[:, ::-1], axis=1)[:, ::-1] / disc\n"
        ),
        loses=["ex2_test"],
        why="closed form dividing by gamma**t: 0/0 for gamma = 0, overflow for small gamma",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    n_eps, T = episodes.rewards.shape\n"
            + _BACKWARD.replace("    G = np.zeros", "    G = np.zeros")
            + "    return {'eps_id': np.repeat(episodes.eps_id, T),\n"
            "            'obs': episodes.obs.reshape(n_eps * T, -1),\n"
            "            'actions': episodes.actions.reshape(-1), 'rewards': G.reshape(-1),\n"
            "            'new_obs': episodes.new_obs.reshape(n_eps * T, -1),\n"
            "            'terminateds': np.ones(n_eps * T, bool), 'truncateds': np.zeros(n_eps * T, bool)}\n"
        ),
        loses=["ex2_test"],
        why="ignores the mask: keeps the padding as rows (all episodes assumed full length)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_table(_BACKWARD, eps_id="np.broadcast_to(np.arange(len(episodes))[:, None], real.shape)[real]"),
        loses=["ex2_test"],
        why="uses the episode's index as its id instead of episodes.eps_id",
    ),
    Mistake(
        cell="ex2_answer",
        source=_table(
            "    G = episodes.rewards\n"
            "    for t in range(G.shape[1] - 2, -1, -1):\n"
            "        G[:, t] += gamma * G[:, t + 1]  # in place: overwrites episodes.rewards\n"
        ),
        loses=["ex2_test"],
        why="computes G_t in place in episodes.rewards, changing the caller's episodes",
    ),
    # --- Exercise 3: the normaliser trace ---------------------------------------------------------
    Mistake(
        cell="ex3_answer",
        source=_TRACE.format(body="        out.append(c2)\n        c2 = c2 + rate * (a - c2)\n"),
        loses=["ex3_test"],
        why="records c**2 before the update (RLlib updates first, then weights the batch)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_TRACE.format(body="        c2 = rate * c2 + (1 - rate) * a\n        out.append(c2)\n"),
        loses=["ex3_test"],
        why="swaps the roles of rate and 1 - rate",
    ),
    Mistake(
        cell="ex3_answer",
        source=_TRACE.format(body="        c2 = c2 + rate * (a - c2)\n        out.append(np.sqrt(c2))\n"),
        loses=["ex3_test"],
        why="returns c instead of c**2",
    ),
    Mistake(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    return offrl.marwil.sqd_adv_norm_trace(start, rate, batch_sqd_adv)\n"
        ),
        loses=["ex3_test"],
        why="delegates to offrl's reference",
    ),
    Mistake(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    a = np.asarray(batch_sqd_adv, dtype=float)\n"
            "    c2 = a[0] if len(a) else float(start)  # starts from the first batch\n"
            "    out = []\n"
            "    for x in a:\n"
            "        c2 = c2 + rate * (x - c2)\n"
            "        out.append(c2)\n"
            "    return np.array(out)\n"
        ),
        loses=["ex3_test"],
        why="ignores start: initialises c**2 with the first batch",
    ),
    Mistake(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    a = np.asarray(batch_sqd_adv)\n"
            "    c2 = start\n"
            "    for k in range(len(a)):\n"
            "        c2 = c2 + rate * (a[k] - c2)\n"
            "        a[k] = c2  # in place: overwrites the caller's array\n"
            "    return a\n"
        ),
        loses=["ex3_test"],
        why="writes the trace into the caller's array",
    ),
    # --- Exercise 4: the MARWILConfig -------------------------------------------------------------
    Mistake(
        cell="ex4_answer",
        source=_config(extra=".evaluation(off_policy_estimation_methods={}).debugging(seed=seed)"
                       ".api_stack(enable_rl_module_and_learner=False, "
                       "enable_env_runner_and_connector_v2=False)"),
        loses=["ex4_test"],
        why="switches to the old API stack",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(env=""),
        loses=["ex4_test"],
        why="no spaces: offline there is no environment to take them from",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(data=".offline_data(input_=[str(path)], dataset_num_iters_per_learner=10, "
                            "**offline_data_kwargs())"),
        loses=["ex4_test"],
        why="leaves input_read_method at its default (Parquet) for a JSON Lines file",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(data=".offline_data(input_=[str(path)], input_read_method='read_json', "
                            "**offline_data_kwargs())"),
        loses=["ex4_test"],
        why="no dataset_num_iters_per_learner: the local learner needs it (and one pass = 10 updates)",
    ),
    Mistake(
        cell="ex4_answer",
        source="import gymnasium as gym\n\n" + _config(env=".environment(observation_space=gym.spaces.Box(0.0, 1.0, (5,)), "
                           "action_space=gym.spaces.Discrete(5))"),
        loses=["ex4_test"],
        why="an observation space of the five sweetness values only: forgets the sugar level",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(training=".training(beta=beta, vf_coeff=1.0, lr=3e-3, "
                                "train_batch_size_per_learner=500)"),
        loses=["ex4_test"],
        why="ignores the normaliser arguments (RLlib's defaults whatever is asked)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(training=".training(beta=1.0, moving_average_sqd_adv_norm_start="
                                "sqd_adv_norm_start, moving_average_sqd_adv_norm_update_rate="
                                "sqd_adv_norm_update_rate, vf_coeff=1.0, lr=3e-3, "
                                "train_batch_size_per_learner=500)"),
        loses=["ex4_test"],
        why="hard-codes beta = 1 (BC needs beta = 0 from the argument)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(module=".rl_module(model_config=DefaultModelConfig(fcnet_hiddens=[64, 64]))"),
        loses=["ex4_test"],
        why="keeps RLlib's default vf_share_layers=True: the value network shares the policy's layers",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(data=".offline_data(input_=[str(path)], input_read_method='read_json', "
                            "dataset_num_iters_per_learner=10)"),
        loses=["ex4_test"],
        why="forgets offline_data_kwargs(): two pre-learner actors deadlock a 2-CPU machine",
    ),
    Mistake(
        cell="ex4_answer",
        source=(
            "def make_config(path, beta, sqd_adv_norm_start=100.0, sqd_adv_norm_update_rate=1e-8, "
            "seed=0):\n"
            "    return offrl.marwil.marwil_config(path, CONFIG, beta=beta, sqd_adv_norm_start="
            "sqd_adv_norm_start, sqd_adv_norm_update_rate=sqd_adv_norm_update_rate, seed=seed)\n"
        ),
        loses=["ex4_test"],
        why="delegates to offrl.marwil.marwil_config",
    ),
    # --- Exercise 5: the module out of a checkpoint -----------------------------------------------
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    return RLModule.from_checkpoint(Path(checkpoint_dir) / "
                                   "'learner_group' / 'learner' / 'rl_module')\n"),
        loses=["ex5_test"],
        why="restores the multi-module container (rl_module/) instead of the policy's module",
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    return RLModule.from_checkpoint(MARWIL_CHECKPOINT / "
                                   "'learner_group' / 'learner' / 'rl_module' / 'default_policy')\n"),
        loses=["ex5_test"],
        why="ignores the argument: always restores MARWIL's checkpoint",
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    return marwil_run.module  # the module train() returned\n"),
        loses=["ex5_test"],
        why="returns the module offrl.marwil.train already restored instead of reading the checkpoint",
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    return offrl.marwil.module_from_checkpoint(checkpoint_dir)\n"),
        loses=["ex5_test"],
        why="delegates to offrl.marwil.module_from_checkpoint",
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(
            body="    module = RLModule.from_checkpoint(Path(checkpoint_dir) / 'learner_group' / "
                 "'learner' / 'rl_module' / 'default_policy')\n"
                 "    return offrl.marwil.MLPPolicy.from_module(module, CONFIG)\n"),
        loses=["ex5_test"],
        why="returns the numpy policy, not the RLModule",
    ),
    # --- Exercise 6: concepts ---------------------------------------------------------------------
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "A"\nanswer_myopic = "B"\nanswer_beta = "A"\nanswer_relog = "D"\n',
        loses=["ex6_norm_test", "ex6_myopic_test", "ex6_beta_test", "ex6_relog_test"],
        why="believes a larger c, a stronger beta and more data each take MARWIL further",
    ),
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "D"\nanswer_myopic = "C"\nanswer_beta = "B"\nanswer_relog = "A"\n',
        loses=["ex6_norm_test", "ex6_myopic_test", "ex6_beta_test", "ex6_relog_test"],
        why="thinks the observation alone lets MARWIL plan, and that the normaliser cancels beta",
    ),
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "c"\nanswer_myopic = "a"\nanswer_beta = "d"\nanswer_relog = "b"\n',
        loses=["ex6_norm_test", "ex6_myopic_test", "ex6_beta_test", "ex6_relog_test"],
        why="right letters in lower case: the answer's type is checked exactly",
    ),
]

# --- red-team round (Dec 2026) -------------------------------------------------------------------
# (the first three escaped the hidden tests before they checked weights up to ~5e8, offrl's
# write_jsonl as an entry point to its return-to-go, and every array of the caller's episodes)
_W = (
    "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
    "    a = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
)
_ROWS = (  # G (episodes, steps) by a backward loop; the real rows' episode ids in `eps`
    "    real = episodes.mask\n"
    "    r = np.where(real, episodes.rewards, 0.0).astype(np.float64)\n"
    "    G = np.zeros_like(r)\n"
    "    acc = np.zeros(len(r))\n"
    "    for t in range(r.shape[1] - 1, -1, -1):\n"
    "        acc = r[:, t] + gamma * acc\n"
    "        G[:, t] = acc\n"
    "    n = int(real.sum())\n"
    "    eps = np.broadcast_to(episodes.eps_id[:, None], real.shape)[real]\n"
)

MISTAKES += [
    Mistake(
        cell="ex1_answer",
        source=_W + "    return np.minimum(np.exp(beta * a / np.sqrt(sqd_adv_norm)), 1e3)\n",
        loses=["ex1_test"],
        why="caps the weights at 1000 'to keep training stable' (RLlib does not)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_W + "    return np.exp(beta * a / sqd_adv_norm ** 1/2)\n",
        loses=["ex1_test"],
        why="operator precedence: sqd_adv_norm ** 1/2 is c**2 / 2, not c (equal when c**2 = 4)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_W + "    return np.exp(np.clip(beta * a / np.sqrt(sqd_adv_norm), -20.0, 20.0))\n",
        loses=["ex1_test"],
        why="clips the exponent at +-20",
    ),
    Mistake(
        cell="ex1_answer",
        source=_W + "    return np.exp(beta * a / np.sqrt(np.mean(a ** 2)))\n",
        loses=["ex1_test"],
        why="normalises by this batch's own root-mean-square advantage, ignoring sqd_adv_norm",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    import os\n"
            "    import tempfile\n"
            "    from offrl.dataset import load_episodes, write_jsonl\n"
            "    with tempfile.TemporaryDirectory() as d:  # offrl writes G_t as return_to_go\n"
            "        e = load_episodes(write_jsonl(episodes, os.path.join(d, 'x.jsonl'), gamma))\n"
            "    real = episodes.mask\n"
            "    n = int(real.sum())\n"
            "    return {'eps_id': np.broadcast_to(episodes.eps_id[:, None], real.shape)[real],\n"
            "            'obs': episodes.obs[real], 'actions': episodes.actions[real],\n"
            "            'rewards': e.extras['return_to_go'][e.mask], 'new_obs': episodes.new_obs[real],\n"
            "            'terminateds': np.ones(n, bool), 'truncateds': np.zeros(n, bool)}\n"
        ),
        loses=["ex2_test"],
        why="gets G_t from offrl.dataset.write_jsonl's return_to_go column: the reference "
        "through another entry point",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n" + _ROWS
            + "    episodes.terminateds[:] = True  # in place: the caller's episodes\n"
            "    episodes.truncateds[:] = False\n"
            "    return {'eps_id': eps, 'obs': episodes.obs[real], 'actions': episodes.actions[real],\n"
            "            'rewards': G[real], 'new_obs': episodes.new_obs[real],\n"
            "            'terminateds': episodes.terminateds[real],\n"
            "            'truncateds': episodes.truncateds[real]}\n"
        ),
        loses=["ex2_test"],
        why="sets the terminated/truncated flags in the caller's episodes",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n" + _ROWS
            + "    nxt = np.concatenate([episodes.obs[:, 1:], episodes.new_obs[:, -1:]], axis=1)\n"
            "    return {'eps_id': eps, 'obs': episodes.obs[real], 'actions': episodes.actions[real],\n"
            "            'rewards': G[real], 'new_obs': nxt[real],\n"
            "            'terminateds': np.ones(n, bool), 'truncateds': np.zeros(n, bool)}\n"
        ),
        loses=["ex2_test"],
        why="takes new_obs from the next step's obs: wrong at the end of a shorter episode",
    ),
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n" + _ROWS
            + "    o = np.argsort(eps, kind='stable')  # rows sorted by episode id\n"
            "    return {'eps_id': eps[o], 'obs': episodes.obs[real][o],\n"
            "            'actions': episodes.actions[real][o], 'rewards': G[real][o],\n"
            "            'new_obs': episodes.new_obs[real][o],\n"
            "            'terminateds': np.ones(n, bool), 'truncateds': np.zeros(n, bool)}\n"
        ),
        loses=["ex2_test"],
        why="sorts the rows by episode id instead of keeping the episodes' order",
    ),
    Mistake(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    a = np.asarray(batch_sqd_adv, dtype=float)\n"
            "    decay = (1 - rate) ** np.arange(1, len(a) + 1)\n"
            "    with np.errstate(all='ignore'):  # closed form: divides by (1 - rate)**k\n"
            "        return decay * (start + np.cumsum(rate * a / decay))\n"
        ),
        loses=["ex3_test"],
        why="closed form dividing by (1 - rate)**k: 0/0 at rate 1",
    ),
    Mistake(
        cell="ex3_answer",
        source=_TRACE.format(
            body="        c2 = c2 + rate * (a - c2)\n"
            "        out.append(c2 / (1 - (1 - rate) ** (len(out) + 1)) if rate < 1 else c2)\n"
        ),
        loses=["ex3_test"],
        why="bias-corrects the moving average as Adam does (RLlib does not)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(extra=".evaluation(off_policy_estimation_methods={})"),
        loses=["ex4_test"],
        why="no seed: the learner is not seeded with `seed`",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(training=".training(beta=beta, moving_average_sqd_adv_norm_start="
                                "sqd_adv_norm_start, moving_average_sqd_adv_norm_update_rate="
                                "sqd_adv_norm_update_rate, vf_coeff=1.0, "
                                "train_batch_size_per_learner=500)"),
        loses=["ex4_test"],
        why="leaves lr at MARWIL's default 1e-4",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(training=".training(beta=beta, moving_average_sqd_adv_norm_start="
                                "offrl.marwil.COURSE_SETTINGS['sqd_adv_norm_start'], "
                                "moving_average_sqd_adv_norm_update_rate="
                                "offrl.marwil.COURSE_SETTINGS['sqd_adv_norm_update_rate'], "
                                "vf_coeff=1.0, lr=3e-3, train_batch_size_per_learner=500)"),
        loses=["ex4_test"],
        why="takes the normaliser from offrl.marwil.COURSE_SETTINGS instead of the arguments",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(data=".offline_data(input_=[str(path)], input_read_method='read_json', "
                            "dataset_num_iters_per_learner=1, **offline_data_kwargs())"),
        loses=["ex4_test"],
        why="one gradient update per train() call instead of one pass over the log",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(training=".training(beta=beta, moving_average_sqd_adv_norm_start="
                                "sqd_adv_norm_start, moving_average_sqd_adv_norm_update_rate="
                                "sqd_adv_norm_update_rate, vf_coeff=1.0, lr=3e-3, "
                                "train_batch_size_per_learner=5000)"),
        loses=["ex4_test"],
        why="the whole log in one batch of 5000 rows",
    ),
    Mistake(
        cell="ex4_answer",
        source=_config(data=".offline_data(input_=[str(Path(path).parent)], "
                            "input_read_method='read_json', dataset_num_iters_per_learner=10, "
                            "**offline_data_kwargs())"),
        loses=["ex4_test"],
        why="gives the file's folder instead of the file",
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    return RLModule.from_checkpoint(checkpoint_dir + "
                                   "'/learner_group/learner/rl_module/default_policy')\n"),
        loses=["ex5_test"],
        why="joins the path with + on a str: fails for a Path",
        crashes=True,
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    return make_config(checkpoint_dir, 1.0).get_rl_module_spec().build()\n"),
        loses=["ex5_test"],
        why="builds a fresh (untrained) module from the configuration instead of restoring it",
    ),
    Mistake(
        cell="ex5_answer",
        source=_MODULE.format(body="    import copy\n    return copy.deepcopy(marwil_run.module)\n"),
        loses=["ex5_test"],
        why="a copy of the module train() returned, whatever the checkpoint",
    ),
    # --- Exercise 6: one answer wrong at a time ---------------------------------------------------
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "B"\nanswer_myopic = "A"\nanswer_beta = "D"\nanswer_relog = "B"\n',
        loses=["ex6_norm_test"],
        why="thinks a constant normaliser cannot be trained (it trains, as BC)",
    ),
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "C"\nanswer_myopic = "D"\nanswer_beta = "D"\nanswer_relog = "B"\n',
        loses=["ex6_myopic_test"],
        why="thinks RLlib checks what the rewards column means",
    ),
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "C"\nanswer_myopic = "A"\nanswer_beta = "C"\nanswer_relog = "B"\n',
        loses=["ex6_beta_test"],
        why="thinks a huge beta flattens the policy",
    ),
    Mistake(
        cell="ex6_answer",
        source='answer_norm = "C"\nanswer_myopic = "A"\nanswer_beta = "D"\nanswer_relog = "C"\n',
        loses=["ex6_relog_test"],
        why="thinks the data do not matter, only beta and the normaliser",
    ),
]
