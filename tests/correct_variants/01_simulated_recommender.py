"""Right answers to lesson 01's exercises written differently: each keeps full marks."""

from tests.nbgrader_harness import Variant

VARIANTS = [
    # --- Exercise 1 ----------------------------------------------------------------------------
    Variant(
        cell="ex1_answer",
        source=(
            "def user_step(sugar, candidates, actions, alpha):\n"
            "    rewards, new_sugar = [], []\n"
            "    for s, row, a in zip(sugar, candidates, actions):  # one user at a time\n"
            "        x = row[a]\n"
            "        rewards.append((1 - s) * x)\n"
            "        new_sugar.append(alpha * s + (1 - alpha) * x)\n"
            "    return np.array(rewards), np.array(new_sugar)\n"
        ),
        keeps=["ex1_test"],
        why="a Python loop over users, keeping the input dtype (float32 stays float32)",
    ),
    Variant(
        cell="ex1_answer",
        source=(
            "def user_step(sugar, candidates, actions, alpha):\n"
            "    x = np.take_along_axis(np.asarray(candidates), np.asarray(actions)[:, None], axis=1)[:, 0]\n"
            "    s = np.asarray(sugar)\n"
            "    return x - s * x, s + (1 - alpha) * (x - s)\n"
        ),
        keeps=["ex1_test"],
        why="take_along_axis and the dynamics rearranged (s + (1 - alpha)(x - s))",
    ),
    # --- Exercise 2 ----------------------------------------------------------------------------
    Variant(
        cell="ex2_answer",
        source=(
            "def epsilon_greedy(obs, epsilon, num_candidates=5):\n"
            "    obs = np.asarray(obs)\n"
            "    out = []\n"
            "    for row in obs:\n"
            "        items = list(row[:num_candidates])\n"
            "        best = items.index(max(items))  # the first of the sweetest\n"
            "        p = [epsilon / num_candidates] * num_candidates\n"
            "        p[best] += 1 - epsilon\n"
            "        out.append(p)\n"
            "    return np.array(out)\n"
        ),
        keeps=["ex2_test"],
        why="a loop over rows with list.index(max(...)) for the first sweetest item",
    ),
    Variant(
        cell="ex2_answer",
        source=(
            "def epsilon_greedy(obs, epsilon, num_candidates=5):\n"
            "    obs = np.asarray(obs)\n"
            "    greedy = np.eye(num_candidates, dtype=obs.dtype)[np.argmax(obs[:, :num_candidates], axis=1)]\n"
            "    return (1 - epsilon) * greedy + epsilon / num_candidates  # float32 in, float32 out\n"
        ),
        keeps=["ex2_test"],
        why="a mixture of a one-hot greedy table and the uniform policy, in the input's dtype",
    ),
    # --- Exercise 3 ----------------------------------------------------------------------------
    Variant(
        cell="ex3_answer",
        source=(
            "import statistics\n\n"
            "def mean_return_and_stderr(rewards):\n"
            "    returns = [float(sum(map(float, episode))) for episode in rewards]\n"
            "    return statistics.fmean(returns), statistics.stdev(returns) / len(returns) ** 0.5\n"
        ),
        keeps=["ex3_test"],
        why="pure Python with the statistics module",
    ),
    Variant(
        cell="ex3_answer",
        source=(
            "def mean_return_and_stderr(rewards):\n"
            "    returns = np.sum(rewards, axis=1)  # float32 rewards summed in float32\n"
            "    n = len(returns)\n"
            "    mean = returns.mean()\n"
            "    var = ((returns - mean) ** 2).sum() / (n - 1)\n"
            "    return float(mean), float(np.sqrt(var / n))\n"
        ),
        keeps=["ex3_test"],
        why="float32 accumulation and the variance written out",
    ),
    # --- Exercise 4 ----------------------------------------------------------------------------
    Variant(
        cell="ex4_answer",
        source=(
            "class RememberingRecommender:\n"
            "    def __init__(self, config, threshold=0.5):\n"
            "        self.config = config\n"
            "        self.threshold = threshold\n"
            "        self.reset()\n\n"
            "    def reset(self):\n"
            "        self.history = []  # the sweetness of every item recommended so far\n\n"
            "    def __call__(self, obs):\n"
            "        k, a = self.config.num_candidates, self.config.alpha\n"
            "        sweetness = np.array(obs)[:, :k]\n"
            "        # s_t = sum_j (1 - a) a**(t-1-j) x_j over the whole history\n"
            "        self.sugar = np.zeros(len(sweetness))\n"
            "        for j, x in enumerate(self.history):\n"
            "            self.sugar = self.sugar + (1 - a) * a ** (len(self.history) - 1 - j) * x\n"
            "        high = self.sugar >= 1 - self.threshold\n"
            "        best = np.where(high, sweetness.argmin(axis=1), sweetness.argmax(axis=1))\n"
            "        self.history.append(sweetness[np.arange(len(best)), best])\n"
            "        return np.eye(k)[best]\n"
        ),
        keeps=["ex4_test_sugar", "ex4_test_value"],
        why="remembers the whole history and recomputes the sugar level as a weighted sum",
    ),
    Variant(
        cell="ex4_answer",
        source=(
            "class RememberingRecommender:\n"
            "    def __init__(self, config, threshold=0.5):\n"
            "        self.config = config\n"
            "        self.threshold = threshold\n"
            "        self.reset()\n\n"
            "    def reset(self):\n"
            "        self.sugar = np.zeros(0, dtype=np.float32)\n"
            "        self.next_sugar = None\n\n"
            "    def __call__(self, obs):\n"
            "        k = self.config.num_candidates\n"
            "        alpha = np.float32(self.config.alpha)\n"
            "        x = np.asarray(obs, dtype=np.float32)[:, :k]\n"
            "        self.sugar = np.zeros(len(x), np.float32) if self.next_sugar is None else self.next_sugar\n"
            "        probs = np.zeros((len(x), k))\n"
            "        for i in range(len(x)):  # one user at a time, in float32 like the simulator\n"
            "            a = int(np.argmax(x[i])) if self.sugar[i] < 1 - self.threshold else int(np.argmin(x[i]))\n"
            "            probs[i, a] = 1.0\n"
            "        chosen = x[np.arange(len(x)), probs.argmax(axis=1)]\n"
            "        self.next_sugar = alpha * self.sugar + (1 - alpha) * chosen\n"
            "        return probs\n"
        ),
        keeps=["ex4_test_sugar", "ex4_test_value"],
        why="float32 arithmetic, a loop over users, the next sugar level computed ahead",
    ),
    # --- Exercises 5-7 -------------------------------------------------------------------------
    Variant(
        cell="ex5_answer",
        source=(
            "beats_random = dict.fromkeys(['sweetness_memoryless_network', 'sugar_mode_greedy'], False)\n"
            "beats_random.update(history1_memoryless=True, sweetness_memory_alpha0=True)\n"
        ),
        keeps=["ex5_test_a", "ex5_test_b"],
        why="the dict built with fromkeys and update",
    ),
    Variant(
        cell="ex6_answer",
        source=(
            "_k = 3\n"
            "greedy_sugar_k3 = np.float64(_k / (_k + 1))\n"
            "greedy_reward_k3 = 0.19  # rounded to two decimals\n"
        ),
        keeps=["ex6_test_sugar", "ex6_test_reward"],
        why="a numpy float and an answer rounded to two decimals",
    ),
    Variant(
        cell="ex7_answer",
        source=(
            "statements = {\n"
            "    'sweetness_log_is_useless': 1 == 0,\n"
            "    'history3_is_exact': False,\n"
            "    'v_of_m_fits_sugar_aware': False,\n"
            "    'median_item_like_random': True,\n"
            "}\n"
        ),
        keeps=["ex7_test_a", "ex7_test_b"],
        why="keys in another order, a boolean from a comparison",
    ),
]
