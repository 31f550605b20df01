"""Right answers to lesson 04's exercises written differently; each must keep full marks on the
cells it `keeps`."""

from tests.nbgrader_harness import Variant

VARIANTS = [
    # --- Exercise 1 -------------------------------------------------------------------------------
    Variant(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    # float32 in, float32 out; RLlib's 1e-8 added to c\n"
            "    adv = np.subtract(targets, values)\n"
            "    return np.exp(beta * adv / (1e-8 + sqd_adv_norm ** 0.5))\n"
        ),
        keeps=["ex1_test"],
        why="keeps the inputs' dtype (float32 stays float32) and adds RLlib's 1e-8 to c",
    ),
    Variant(
        cell="ex1_answer",
        source=(
            "import math\n\n\n"
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    t = np.asarray(targets, dtype=float)\n"
            "    v = np.asarray(values, dtype=float)\n"
            "    c = math.sqrt(sqd_adv_norm)\n"
            "    out = np.empty(t.shape)\n"
            "    for i in np.ndindex(t.shape):  # one row at a time\n"
            "        out[i] = math.exp(beta * (t[i] - v[i]) / c)\n"
            "    return out\n"
        ),
        keeps=["ex1_test"],
        why="an element-by-element loop with math.exp",
    ),
    # --- Exercise 2 -------------------------------------------------------------------------------
    Variant(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    cols = {k: [] for k in ('eps_id', 'obs', 'actions', 'rewards', 'new_obs',\n"
            "                            'terminateds', 'truncateds')}\n"
            "    for i in range(len(episodes.eps_id)):\n"
            "        n = int(episodes.mask[i].sum())\n"
            "        r = episodes.rewards[i, :n]\n"
            "        G = np.zeros(n, dtype=r.dtype)  # float32 when the rewards are float32\n"
            "        acc = r.dtype.type(0)\n"
            "        for t in reversed(range(n)):\n"
            "            acc = r[t] + r.dtype.type(gamma) * acc\n"
            "            G[t] = acc\n"
            "        cols['eps_id'] += [episodes.eps_id[i]] * n\n"
            "        cols['obs'] += list(episodes.obs[i, :n])\n"
            "        cols['actions'] += list(episodes.actions[i, :n])\n"
            "        cols['rewards'] += list(G)\n"
            "        cols['new_obs'] += list(episodes.new_obs[i, :n])\n"
            "        cols['terminateds'] += [True] * n\n"
            "        cols['truncateds'] += [False] * n\n"
            "    return {k: np.array(v) for k, v in cols.items()}\n"
        ),
        keeps=["ex2_test"],
        why="a loop over episodes using their lengths, G_t accumulated in the rewards' own dtype",
    ),
    Variant(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    m = episodes.mask\n"
            "    T = m.shape[1]\n"
            "    # G = R @ U with U[t', t] = gamma**(t' - t) for t' >= t (padding rewards are 0)\n"
            "    k = np.arange(T)\n"
            "    lag = k[:, None] - k[None, :]\n"
            "    U = np.where(lag >= 0, float(gamma) ** np.maximum(lag, 0), 0.0)\n"
            "    G = np.where(m, episodes.rewards, 0).astype(float) @ U\n"
            "    rows = np.nonzero(m)\n"
            "    return {'eps_id': episodes.eps_id[rows[0]], 'obs': episodes.obs[rows],\n"
            "            'actions': episodes.actions[rows], 'rewards': G[rows],\n"
            "            'new_obs': episodes.new_obs[rows],\n"
            "            'terminateds': np.full(len(rows[0]), True),\n"
            "            'truncateds': np.full(len(rows[0]), False)}\n"
        ),
        keeps=["ex2_test"],
        why="vectorised with a discount matrix and np.nonzero for the rows",
    ),
    # --- Exercise 3 -------------------------------------------------------------------------------
    Variant(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    a = np.array(batch_sqd_adv, dtype=float)\n"
            "    out = np.empty_like(a)\n"
            "    c2 = start\n"
            "    for k in range(len(a)):\n"
            "        c2 = (1 - rate) * c2 + rate * a[k]\n"
            "        out[k] = c2\n"
            "    return out\n"
        ),
        keeps=["ex3_test"],
        why="the convex-combination form (1 - rate) * c2 + rate * a, on a copy",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "from itertools import accumulate\n\n\n"
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    xs = [float(x) for x in batch_sqd_adv]\n"
            "    steps = accumulate(xs, lambda c2, a: c2 + rate * (a - c2), initial=float(start))\n"
            "    return list(steps)[1:]\n"
        ),
        keeps=["ex3_test"],
        why="itertools.accumulate, returning a list",
    ),
    # --- Exercise 4 -------------------------------------------------------------------------------
    Variant(
        cell="ex4_answer",
        source=(
            "import gymnasium as gym\n"
            "import ray\n\n\n"
            "def make_config(path, beta, sqd_adv_norm_start=100.0, sqd_adv_norm_update_rate=1e-8, "
            "seed=0):\n"
            "    cfg = MARWILConfig()\n"
            "    cfg.api_stack(enable_rl_module_and_learner=True, "
            "enable_env_runner_and_connector_v2=True)\n"
            "    cfg.debugging(seed=seed)\n"
            "    cfg.rl_module(model_config={'fcnet_hiddens': [64, 64], 'vf_share_layers': False})\n"
            "    cfg.training(lr=0.003, vf_coeff=1, beta=beta, train_batch_size_per_learner=500,\n"
            "                 moving_average_sqd_adv_norm_start=sqd_adv_norm_start,\n"
            "                 moving_average_sqd_adv_norm_update_rate=sqd_adv_norm_update_rate)\n"
            "    cfg.offline_data(input_=[Path(path)], input_read_method='read_json',\n"
            "                     dataset_num_iters_per_learner=10, materialize_data=False,\n"
            "                     materialize_mapped_data=True,\n"
            "                     map_batches_kwargs={'concurrency': None,\n"
            "                         'compute': ray.data.ActorPoolStrategy(size=1)})\n"
            "    cfg.environment(observation_space=gym.spaces.Box(0.0, 1.0, (6,), np.float32),\n"
            "                    action_space=gym.spaces.Discrete(5))\n"
            "    cfg.evaluation(off_policy_estimation_methods={})\n"
            "    return cfg\n"
        ),
        keeps=["ex4_test"],
        why="step by step in another order, spaces and pipeline settings written out, a dict "
            "model_config, explicit new API stack, the path as a Path",
    ),
    Variant(
        cell="ex4_answer",
        source=(
            "def make_config(path, beta, sqd_adv_norm_start=100.0, sqd_adv_norm_update_rate=1e-8, "
            "seed=0):\n"
            "    config = MARWILConfig()\n"
            "    config = config.environment(observation_space=CONFIG.observation_space(),\n"
            "                                action_space=CONFIG.action_space())\n"
            "    config = config.offline_data(input_=str(path), input_read_method='read_json',\n"
            "                                 dataset_num_iters_per_learner=10, **offline_data_kwargs())\n"
            "    config = config.training(beta=beta, moving_average_sqd_adv_norm_start=sqd_adv_norm_start,\n"
            "                             moving_average_sqd_adv_norm_update_rate=sqd_adv_norm_update_rate,\n"
            "                             lr=3e-3, train_batch_size=500)  # one local learner: total = per learner\n"
            "    config = config.rl_module(model_config=DefaultModelConfig(fcnet_hiddens=(64, 64),\n"
            "                                                              vf_share_layers=False))\n"
            "    return config.debugging(seed=seed)  # vf_coeff and off_policy_estimation_methods: defaults\n"
        ),
        keeps=["ex4_test"],
        why="train_batch_size (= per learner with the local learner), input_ as a str, hidden "
            "layers as a tuple, defaults left for vf_coeff and the OPE methods",
    ),
    # --- Exercise 5 -------------------------------------------------------------------------------
    Variant(
        cell="ex5_answer",
        source=(
            "import os\n"
            "from ray.rllib.core import (COMPONENT_LEARNER, COMPONENT_LEARNER_GROUP,\n"
            "                            COMPONENT_RL_MODULE, DEFAULT_MODULE_ID)\n"
            "from ray.rllib.core.rl_module.rl_module import RLModule\n\n\n"
            "def module_from_checkpoint(checkpoint_dir):\n"
            "    path = os.path.join(str(checkpoint_dir), COMPONENT_LEARNER_GROUP, COMPONENT_LEARNER,\n"
            "                        COMPONENT_RL_MODULE, DEFAULT_MODULE_ID)\n"
            "    return RLModule.from_checkpoint(path)\n"
        ),
        keeps=["ex5_test"],
        why="RLlib's component-name constants and os.path.join on a str",
    ),
    Variant(
        cell="ex5_answer",
        source=(
            "from ray.rllib.core.rl_module.multi_rl_module import MultiRLModule\n"
            "from ray.rllib.core.rl_module.rl_module import RLModule\n\n\n"
            "def module_from_checkpoint(checkpoint_dir):\n"
            "    multi = MultiRLModule.from_checkpoint(\n"
            "        Path(checkpoint_dir) / 'learner_group' / 'learner' / 'rl_module')\n"
            "    return multi['default_policy']\n"
        ),
        keeps=["ex5_test"],
        why="restores the multi-module container and takes the default policy's module from it",
    ),
    # --- Exercise 6 -------------------------------------------------------------------------------
    Variant(
        cell="ex6_answer",
        source=(
            "answers = dict(norm='C', myopic='a', beta=' D ', relog='B')\n"
            "answer_norm, answer_myopic, answer_beta, answer_relog = (\n"
            "    answers[k].strip().upper() for k in ('norm', 'myopic', 'beta', 'relog'))\n"
        ),
        keeps=["ex6_norm_test", "ex6_myopic_test", "ex6_beta_test", "ex6_relog_test"],
        why="unpacks the answers from a dict, tidied with strip().upper()",
    ),
]

# --- red-team round (Dec 2026): the first two were wrongly failed before the tolerances allowed
# RLlib's epsilon in c**2 and a float32 c**2 (what RLlib's own float32 tensor does) -------------
_MODULE = (
    "import os\n"
    "from ray.rllib.core.rl_module.rl_module import RLModule\n\n\n"
    "def module_from_checkpoint(checkpoint_dir):\n"
)

VARIANTS += [
    Variant(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    a = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
            "    return np.exp(beta * a / np.sqrt(sqd_adv_norm + 1e-8))  # epsilon inside the root\n"
        ),
        keeps=["ex1_test"],
        why="adds the 1e-8 to c**2 instead of to c",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    c2 = start\n"
            "    out = []\n"
            "    for a in batch_sqd_adv:  # float32 batches keep c2 in float32, as RLlib's tensor\n"
            "        c2 = c2 + rate * (a - c2)\n"
            "        out.append(c2)\n"
            "    return np.array(out)\n"
        ),
        keeps=["ex3_test"],
        why="no casts: with float32 input c**2 is computed in float32, as RLlib itself does",
    ),
    Variant(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    import torch  # RLlib's own expression\n"
            "    t, v = torch.as_tensor(targets), torch.as_tensor(values)\n"
            "    c = 1e-8 + torch.pow(torch.as_tensor(sqd_adv_norm), 0.5)\n"
            "    return torch.exp(beta * ((t - v) / c)).numpy()\n"
        ),
        keeps=["ex1_test"],
        why="in torch, as RLlib's learner writes it",
    ),
    Variant(
        cell="ex1_answer",
        source=(
            "def marwil_weights(targets, values, beta, sqd_adv_norm):\n"
            "    a = np.asarray(targets, dtype=float) - np.asarray(values, dtype=float)\n"
            "    return np.exp(a / np.sqrt(sqd_adv_norm)) ** beta\n"
        ),
        keeps=["ex1_test"],
        why="exp(A / c) ** beta",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "from scipy.signal import lfilter\n\n\n"
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    a = np.asarray(batch_sqd_adv, dtype=float)  # c2_k = (1 - rate) c2_{k-1} + rate a_k\n"
            "    return lfilter([rate], [1.0, rate - 1.0], a, zi=[(1.0 - rate) * start])[0]\n"
        ),
        keeps=["ex3_test"],
        why="a first-order linear filter (scipy.signal.lfilter)",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "def sqd_adv_norm_trace(start, rate, batch_sqd_adv):\n"
            "    c2, out = float(start), []\n"
            "    for a in batch_sqd_adv:\n"
            "        c2 = (1.0 - rate) * c2 + rate * float(a)\n"
            "        out.append(c2)\n"
            "    return tuple(out)\n"
        ),
        keeps=["ex3_test"],
        why="a tuple of Python floats",
    ),
    Variant(
        cell="ex4_answer",
        source=(
            "import os\n\n\n"
            "def make_config(path, beta, sqd_adv_norm_start=100.0, sqd_adv_norm_update_rate=1e-8, "
            "seed=0):\n"
            "    return (\n"
            "        MARWILConfig()\n"
            "        .framework('torch')\n"
            "        .learners(num_learners=0)\n"
            "        .api_stack(enable_rl_module_and_learner=True, enable_env_runner_and_connector_v2=True)\n"
            "        .environment(observation_space=CONFIG.observation_space(), action_space=CONFIG.action_space())\n"
            "        .offline_data(input_=[os.fspath(path)], input_read_method='read_json',\n"
            "                      dataset_num_iters_per_learner=10, **offline_data_kwargs())\n"
            "        .training(beta=beta, moving_average_sqd_adv_norm_start=sqd_adv_norm_start,\n"
            "                  moving_average_sqd_adv_norm_update_rate=sqd_adv_norm_update_rate,\n"
            "                  vf_coeff=1.0, lr=3e-3, train_batch_size_per_learner=500)\n"
            "        .rl_module(model_config=DefaultModelConfig(fcnet_hiddens=[64, 64], vf_share_layers=False))\n"
            "        .evaluation(off_policy_estimation_methods={})\n"
            "        .debugging(seed=seed)\n"
            "    ).copy(copy_frozen=False)\n"
        ),
        keeps=["ex4_test"],
        why="framework, local learner and API stack spelled out, os.fspath, returns a copy()",
    ),
    Variant(
        cell="ex5_answer",
        source=_MODULE + (
            "    path = Path(checkpoint_dir) / 'learner_group' / 'learner' / 'rl_module' / 'default_policy'\n"
            "    module = make_config(checkpoint_dir, 1.0).get_rl_module_spec().build()\n"
            "    module.restore_from_path(path)  # same architecture, trained weights\n"
            "    return module\n"
        ),
        keeps=["ex5_test"],
        why="builds the module from the configuration, then restore_from_path",
    ),
    Variant(
        cell="ex5_answer",
        source=_MODULE + (
            "    found = sorted(Path(checkpoint_dir).rglob('default_policy'))\n"
            "    return RLModule.from_checkpoint(found[0])\n"
        ),
        keeps=["ex5_test"],
        why="finds the module's folder with rglob",
    ),
    Variant(
        cell="ex5_answer",
        source=_MODULE + (
            "    path = os.path.join(os.fspath(checkpoint_dir), 'learner_group', 'learner',\n"
            "                        'rl_module', 'default_policy')\n"
            "    return RLModule.from_checkpoint(path).eval()\n"
        ),
        keeps=["ex5_test"],
        why="os.fspath and os.path.join, module put in eval mode",
    ),
]
