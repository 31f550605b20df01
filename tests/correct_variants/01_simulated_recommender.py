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

# --- a second round of right answers written differently (red team) ---------------------------
_U = "def user_step(sugar, candidates, actions, alpha):\n"
_E = "def epsilon_greedy(obs, epsilon, num_candidates=5):\n"
_V = "def mean_return_and_stderr(rewards):\n"


def _memory(reset: str, call: str) -> str:
    return (
        "class RememberingRecommender:\n"
        "    def __init__(self, config, threshold=0.5):\n"
        "        self.config = config\n"
        "        self.threshold = threshold\n"
        "        self.reset()\n\n"
        "    def reset(self):\n" + reset + "\n"
        "    def __call__(self, obs):\n" + call
    )


VARIANTS += [
    Variant("ex1_answer", _U + """    x = np.choose(np.asarray(actions), np.asarray(candidates).T)
    s = np.asarray(sugar)
    return np.multiply(1 - s, x), np.add(alpha * s, (1 - alpha) * x)
""", ["ex1_test"], "np.choose over the transposed candidates"),
    Variant("ex1_answer", _U + """    x = np.array([row[int(a)] for row, a in zip(candidates, actions)], dtype=np.float32)
    s = np.asarray(sugar, dtype=np.float32)
    return ((1 - s) * x).tolist(), list(np.float32(alpha) * s + np.float32(1 - alpha) * x)
""", ["ex1_test"], "float32 and lists returned"),
    Variant("ex2_answer", _E + """    sw = np.asarray(obs)[:, :num_candidates]
    probs = np.full(sw.shape, epsilon / num_candidates, dtype=np.float32)
    probs[np.arange(len(sw)), np.argmax(sw, axis=1)] = 1 - epsilon * (num_candidates - 1) / num_candidates
    return probs
""", ["ex2_test"], "float32 probabilities, the sweetest given 1 - eps (K-1)/K"),
    Variant("ex2_answer", _E + """    return [[(1 - epsilon) * (j == int(np.argmax(row[:num_candidates]))) + epsilon / num_candidates
             for j in range(num_candidates)] for row in obs]
""", ["ex2_test"], "nested lists"),
    Variant("ex3_answer", _V + """    g = np.asarray(rewards, dtype=float).sum(axis=1)
    return g.mean(), g.std() / np.sqrt(len(g) - 1)
""", ["ex3_test"], "population sd over sqrt(n - 1) (the same number), numpy scalars"),
    Variant("ex3_answer", _V + """    r = np.asarray(rewards, dtype=np.float64)
    m = r.mean() * r.shape[1]
    g = r.sum(axis=1)
    return m, np.sqrt(np.var(g, ddof=1) / len(g))
""", ["ex3_test"], "mean reward per step times the number of steps; sqrt of var/n"),
    Variant("ex4_answer", _memory(
        "        self.t = 0\n        self.sugar = np.zeros(0)\n",
        "        k, alpha = self.config.num_candidates, self.config.alpha\n"
        "        x = np.asarray(obs)[:, :k]\n"
        "        if self.t == 0:\n"
        "            self.sugar = np.zeros(len(x))\n"
        "        else:\n"
        "            self.sugar = alpha * self.sugar + (1 - alpha) * self._last\n"
        "        self.t += 1\n"
        "        high = self.sugar >= 1 - self.threshold\n"
        "        a = np.where(high, x.argmin(1), x.argmax(1))\n"
        "        self._last = x[np.arange(len(x)), a]\n"
        "        return (np.arange(k) == a[:, None]).astype(float)\n"),
        ["ex4_test_sugar", "ex4_test_value"], "a step counter, float32 observations kept as given, boolean one-hot"),
    Variant("ex6_answer", "greedy_sugar_k3 = np.float32(0.75)\ngreedy_reward_k3 = np.float32(0.1875)\n",
        ["ex6_test_sugar", "ex6_test_reward"], "numpy float32 scalars (e.g. from a float32 simulation)"),
    Variant("ex6_answer", "greedy_sugar_k3 = 3 / 4\ngreedy_reward_k3 = 3 / 16\n",
        ["ex6_test_sugar", "ex6_test_reward"], "exact fractions"),
]

VARIANTS += [
    Variant("ex4_answer", _memory(
        "        self.sugar = None\n",
        "        k, alpha = self.config.num_candidates, self.config.alpha\n"
        "        x = np.asarray(obs, dtype=np.float64)[:, :k]\n"
        "        if self.sugar is None or not hasattr(self, '_x'):\n"
        "            self.sugar = np.zeros(len(x))\n"
        "        else:\n"
        "            self.sugar = alpha * self.sugar + (1 - alpha) * self._x\n"
        "        pick = [int(np.argmax(r)) if s < 1 - self.threshold else int(np.argmin(r)) for r, s in zip(x, self.sugar)]\n"
        "        self._x = x[np.arange(len(x)), pick]\n"
        "        return np.eye(k)[pick]\n"),
        ["ex4_test_sugar", "ex4_test_value"], "a list comprehension per user; np.eye rows"),
    Variant("ex3_answer", _V + """    import math
    g = [math.fsum(row) for row in np.asarray(rewards, dtype=float).tolist()]
    n = len(g); m = math.fsum(g) / n
    return m, math.sqrt(math.fsum((x - m) ** 2 for x in g) / (n - 1) / n)
""", ["ex3_test"], "math.fsum everywhere"),
]
