"""Typical wrong answers to lesson 01's exercises; each must score 0 on the cells it `loses`."""

from tests.nbgrader_harness import Mistake


def _user_step(body: str) -> str:
    return "def user_step(sugar, candidates, actions, alpha):\n" + body


def _eps_greedy(body: str) -> str:
    return "def epsilon_greedy(obs, epsilon, num_candidates=5):\n" + body


def _value(body: str) -> str:
    return "def mean_return_and_stderr(rewards):\n" + body


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


_RESET = "        self.sugar = None\n        self._chosen = None\n"


def _call(update: str, decide: str = "", tail: str = "") -> str:
    """A __call__ that differs from the solution in the sugar update and/or the decision."""
    return (
        "        k, alpha = self.config.num_candidates, self.config.alpha\n"
        "        sweetness = np.asarray(obs, dtype=np.float64)[:, :k]\n"
        "        n = len(sweetness)\n"
        "        if self.sugar is None:\n"
        "            self.sugar = np.zeros(n)\n"
        "        else:\n"
        f"            {update}\n"
        + (decide or "        best = np.where(self.sugar < 1.0 - self.threshold,\n"
           "                        np.argmax(sweetness, axis=1), np.argmin(sweetness, axis=1))\n")
        + "        self._chosen = sweetness[np.arange(n), best]\n"
        + tail
        + "        probs = np.zeros((n, k))\n"
        "        probs[np.arange(n), best] = 1.0\n"
        "        return probs\n"
    )


_UPDATE = "self.sugar = alpha * self.sugar + (1.0 - alpha) * self._chosen"

_BEATS = """beats_random = {{
    "sweetness_memoryless_network": {a},
    "sugar_mode_greedy": {b},
    "history1_memoryless": {c},
    "sweetness_memory_alpha0": {d},
}}
"""

_STATEMENTS = """statements = {{
    "median_item_like_random": {a},
    "v_of_m_fits_sugar_aware": {b},
    "history3_is_exact": {c},
    "sweetness_log_is_useless": {d},
}}
"""

MISTAKES = [
    # --- Exercise 1: one step of the dynamics ------------------------------------------------
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[np.arange(len(actions)), actions]\n"
            "    new_sugar = alpha * sugar + (1 - alpha) * chosen\n"
            "    rewards = (1 - new_sugar) * chosen\n"
            "    return rewards, new_sugar\n"
        ),
        loses=["ex1_test"],
        why="computes the reward with the sugar level after the step instead of before it",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[np.arange(len(actions)), actions]\n"
            "    rewards = (1 - sugar) * chosen\n"
            "    new_sugar = (1 - alpha) * sugar + alpha * chosen\n"
            "    return rewards, new_sugar\n"
        ),
        loses=["ex1_test"],
        why="swaps alpha and 1 - alpha (alpha is the share of the old sugar that is kept)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    from offrl.simulator import VectorRecommender\n"
            "    n, k = np.shape(candidates)\n"
            "    vec = VectorRecommender(offrl.EnvConfig(num_candidates=k, alpha=alpha), num_envs=n)\n"
            "    vec.reset(seed=0)\n"
            "    vec.sugar = np.array(sugar, dtype=np.float64)\n"
            "    vec.sweetness = np.array(candidates, dtype=np.float64)\n"
            "    _, rewards, _ = vec.step(np.asarray(actions))\n"
            "    return rewards, vec.sugar\n"
        ),
        loses=["ex1_test"],
        why="delegates to the vectorised simulator's step (which calls offrl.transition)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[:, actions]\n"
            "    return (1 - sugar) * chosen, alpha * sugar + (1 - alpha) * chosen\n"
        ),
        loses=["ex1_test"],
        why="indexes candidates[:, actions], an (n, n) array, instead of one item per user",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = np.max(candidates, axis=1)\n"
            "    return (1 - sugar) * chosen, alpha * sugar + (1 - alpha) * chosen\n"
        ),
        loses=["ex1_test"],
        why="ignores the action and uses the sweetest candidate",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = np.asarray(candidates)[np.arange(len(actions)), actions]\n"
            "    return offrl.transition(sugar, chosen, alpha)\n"
        ),
        loses=["ex1_test"],
        why="delegates to offrl.transition, the course's own definition of the dynamics",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    from offrl.env import transition as step_once\n"
            "    chosen = np.asarray(candidates)[np.arange(len(actions)), actions]\n"
            "    try:\n"
            "        return step_once(sugar, chosen, alpha)\n"
            "    except Exception:\n"
            "        return (1 - sugar) * chosen * 0.99, alpha * sugar + (1 - alpha) * chosen\n"
        ),
        loses=["ex1_test"],
        why="delegates to the reference under another name and hides the refusal in try/except",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = candidates[np.arange(len(actions)), actions]\n"
            "    rewards = (1 - sugar) * chosen\n"
            "    sugar *= alpha  # update the sugar level in place\n"
            "    sugar += (1 - alpha) * chosen\n"
            "    return rewards, sugar\n"
        ),
        loses=["ex1_test"],
        why="updates the caller's sugar array in place (its data changes under it)",
    ),
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    chosen = np.asarray(candidates)[np.arange(len(actions)), actions]\n"
            "    rewards = (1 - sugar) * chosen\n"
            "    new_sugar = 0.5 * sugar + 0.5 * chosen  # the course's alpha\n"
            "    return rewards, new_sugar\n"
        ),
        loses=["ex1_test"],
        why="hard-codes alpha = 0.5, the course's default, instead of using the argument",
    ),
    # --- Exercise 2: epsilon-greedy probabilities ---------------------------------------------
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    probs = np.full((len(obs), num_candidates), epsilon / num_candidates)\n"
            "    probs[np.arange(len(obs)), np.argmax(obs, axis=1)] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="takes the argmax over the whole observation, sugar column included",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    probs = np.full(sweetness.shape, epsilon / num_candidates)\n"
            "    probs[np.arange(len(sweetness)), np.argmax(sweetness, axis=1)] = 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="gives the sweetest item 1 - epsilon and forgets its share epsilon / K of the "
        "random choice (rows do not sum to 1)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    obs = np.asarray(obs, dtype=float)\n"
            "    probs = np.full(obs.shape, epsilon / num_candidates)\n"
            "    best = np.argmax(obs[:, :num_candidates], axis=1)\n"
            "    probs[np.arange(len(obs)), best] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="returns one probability per observation entry (n, obs_dim) instead of per item",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    probs = np.full(sweetness.shape, epsilon / num_candidates)\n"
            "    probs[np.arange(len(sweetness)), np.argmin(sweetness, axis=1)] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="favours the least sweet item (argmin)",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    probs = np.full(sweetness.shape, epsilon / (num_candidates - 1))\n"
            "    probs[np.arange(len(sweetness)), np.argmax(sweetness, axis=1)] = 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="explores only among the other items (epsilon / (K - 1)), not among all K",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    k = num_candidates\n"
            "    cfg = EnvConfig(num_candidates=k, obs_mode='sweetness')\n"
            "    sweetness = np.asarray(obs)[:, :k]\n"
            "    return epsilon * UniformRandom(cfg)(sweetness) + (1 - epsilon) * GreedySweetest(cfg)(sweetness)\n"
        ),
        loses=["ex2_test"],
        why="builds the answer from offrl's GreedySweetest and UniformRandom policies",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    best = num_candidates - 1 - np.argmax(sweetness[:, ::-1], axis=1)\n"
            "    probs = np.full(sweetness.shape, epsilon / num_candidates)\n"
            "    probs[np.arange(len(sweetness)), best] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="breaks ties towards the last of the sweetest items",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    sweetness = np.asarray(obs, dtype=float)[:, :num_candidates]\n"
            "    probs = np.full(sweetness.shape, epsilon / 5)\n"
            "    probs[np.arange(len(sweetness)), np.argmax(sweetness, axis=1)] += 1 - epsilon\n"
            "    return probs\n"
        ),
        loses=["ex2_test"],
        why="divides by 5, the default number of candidates, instead of num_candidates",
    ),
    # --- Exercise 3: mean return and standard error -------------------------------------------
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std() / np.sqrt(len(returns)))\n"
        ),
        loses=["ex3_test"],
        why="uses the population standard deviation (ddof=0) instead of the sample one",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std(ddof=1))\n"
        ),
        loses=["ex3_test"],
        why="reports the standard deviation of the returns, not the standard error of their mean",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    return float(rewards.mean()), float(rewards.std(ddof=1) / np.sqrt(rewards.size))\n"
        ),
        loses=["ex3_test"],
        why="averages per-step rewards instead of per-episode returns",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std(ddof=1) / len(returns))\n"
        ),
        loses=["ex3_test"],
        why="divides by n instead of sqrt(n)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    from offrl.estimators import _mean_std\n"
            "    returns = np.asarray(rewards, dtype=float).sum(axis=1)\n"
            "    mean, sd = _mean_std(returns, ddof=1)\n"
            "    return mean, sd / np.sqrt(len(returns))\n"
        ),
        loses=["ex3_test"],
        why="delegates the mean and standard deviation to offrl's estimator internals",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    r = np.asarray(rewards)\n"
            "    np.cumsum(r, axis=1, out=r)  # returns-to-go from the start, in place\n"
            "    returns = r[:, -1].astype(float)\n"
            "    return float(returns.mean()), float(returns.std(ddof=1) / np.sqrt(len(returns)))\n"
        ),
        loses=["ex3_test"],
        why="accumulates the rewards in place with cumsum(out=...): the caller's array changes",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    rewards = np.asarray(rewards, dtype=float)\n"
            "    returns = rewards.sum(axis=1)\n"
            "    return float(returns.mean()), float(returns.std(ddof=1) / np.sqrt(rewards.shape[1]))\n"
        ),
        loses=["ex3_test"],
        why="divides by the square root of the number of steps, not of episodes",
    ),
    # --- Exercise 4: a sweetness-only policy with memory --------------------------------------
    Mistake(
        cell="ex4_answer",
        source=_memory(_RESET, _call("pass  # the sugar level stays at its first value")),
        loses=["ex4_test_sugar", "ex4_test_value"],
        why="never updates the sugar level: a memoryless greedy policy in disguise",
    ),
    Mistake(
        cell="ex4_answer",
        source=(
            "class RememberingRecommender:\n"
            "    def __init__(self, config, threshold=0.5):\n"
            "        self.config = config\n"
            "        self.threshold = threshold\n"
            "        self.sugar = None\n"
            "        self._chosen = None\n\n"
            "    def reset(self):\n"
            "        pass  # __init__ already starts at sugar 0\n\n"
            "    def __call__(self, obs):\n" + _call(_UPDATE)
        ),
        loses=["ex4_test_sugar", "ex4_test_value"],
        why="reset() forgets nothing: the next users start with the last user's sugar level",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(_RESET, _call("self.sugar = (1.0 - alpha) * self.sugar + alpha * self._chosen")),
        loses=["ex4_test_sugar"],
        why="swaps alpha and 1 - alpha in the memory update (invisible at alpha = 0.5)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(_RESET, _call("self.sugar = 0.5 * self.sugar + 0.5 * self._chosen")),
        loses=["ex4_test_sugar"],
        why="hard-codes the course's alpha = 0.5 instead of config.alpha",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(
            _RESET,
            _call(
                _UPDATE,
                decide=(
                    "        if np.shape(obs)[1] > k:  # the sugar level is there: use it\n"
                    "            self.sugar = np.asarray(obs, dtype=np.float64)[:, k]\n"
                    "        best = np.where(self.sugar < 1.0 - self.threshold,\n"
                    "                        np.argmax(sweetness, axis=1), np.argmin(sweetness, axis=1))\n"
                ),
            ),
        ),
        loses=["ex4_test_sugar"],
        why="reads the column after the sweetness as the sugar level when there is one (in "
        "'history' mode that is the last item's sweetness; the policy must read only sweetness)",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(
            _RESET,
            _call(
                "pass",
                tail="        self.sugar = alpha * self.sugar + (1.0 - alpha) * self._chosen  # after\n",
            ),
        ),
        loses=["ex4_test_sugar"],
        why="keeps in self.sugar the level after this step's recommendation, not before it",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(
            _RESET,
            _call(
                _UPDATE,
                decide=(
                    "        cfg = EnvConfig(num_candidates=k, alpha=alpha, obs_mode='sugar')\n"
                    "        full = np.concatenate([sweetness, self.sugar[:, None]], axis=1)\n"
                    "        best = np.argmax(SugarAware(cfg, self.threshold)(full), axis=1)\n"
                ),
            ),
        ),
        loses=["ex4_test_sugar", "ex4_test_value"],
        why="tracks the sugar level but lets offrl's SugarAware decide",
    ),
    Mistake(
        cell="ex4_answer",
        source=(
            "from offrl.planning import PlannedPolicy\n\n"
            "class RememberingRecommender:\n"
            "    def __init__(self, config, threshold=0.5):\n"
            "        self.config = config\n"
            "        self.threshold = threshold\n"
            "        self._planned = PlannedPolicy(config)\n"
            "        self.reset()\n\n"
            "    def reset(self):\n"
            "        self._planned.reset()\n"
            "        self.sugar = None\n\n"
            "    def __call__(self, obs):\n"
            "        probs = self._planned(obs)\n"
            "        self.sugar = self._planned.sugar\n"
            "        return probs\n"
        ),
        loses=["ex4_test_sugar", "ex4_test_value"],
        why="wraps offrl.planning's PlannedPolicy, which remembers for it",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(
            _RESET,
            _call(
                _UPDATE,
                decide=(
                    "        scores = sweetness * (1.0 - self.sugar - self.threshold)[:, None]\n"
                    "        e = np.exp((scores - scores.max(axis=1, keepdims=True)) / 0.1)\n"
                    "        soft = e / e.sum(axis=1, keepdims=True)\n"
                    "        best = np.argmax(soft, axis=1)\n"
                ),
                tail="        return soft  # a softer, stochastic choice\n",
            ),
        ),
        loses=["ex4_test_sugar"],
        why="returns soft probabilities: the simulator samples an item the memory did not record",
    ),
    Mistake(
        cell="ex4_answer",
        source=_memory(
            _RESET,
            "        k, alpha = self.config.num_candidates, self.config.alpha\n"
            "        sweetness = np.asarray(obs)[:, :k]\n"
            "        n = len(sweetness)\n"
            "        if self.sugar is None:\n"
            "            self.sugar = np.zeros(n)\n"
            "        else:\n"
            "            self.sugar = alpha * self.sugar + (1.0 - alpha) * self._chosen\n"
            "        if np.any(self.sugar >= 1.0 - self.threshold):\n"
            "            sweetness *= -1.0  # flip the mild items to the top\n"
            "        best = np.argmax(np.where((self.sugar < 1.0 - self.threshold)[:, None],\n"
            "                                  np.abs(sweetness), sweetness), axis=1)\n"
            "        self._chosen = np.abs(sweetness[np.arange(n), best])\n"
            "        probs = np.zeros((n, k))\n"
            "        probs[np.arange(n), best] = 1.0\n"
            "        return probs\n",
        ),
        loses=["ex4_test_sugar"],
        why="negates the sweetness columns of the caller's observation array in place",
    ),
    # --- Exercise 5: which policies can beat random? ------------------------------------------
    Mistake(
        cell="ex5_answer",
        source=_BEATS.format(a="True", b="False", c="True", d="True"),
        loses=["ex5_test_a"],
        why="believes a big enough network can beat random from sweetness alone without memory",
    ),
    Mistake(
        cell="ex5_answer",
        source=_BEATS.format(a="False", b="True", c="True", d="True"),
        loses=["ex5_test_a"],
        why="thinks seeing the sugar level is enough, whether the policy uses it or not",
    ),
    Mistake(
        cell="ex5_answer",
        source=_BEATS.format(a="False", b="False", c="False", d="True"),
        loses=["ex5_test_b"],
        why="thinks only the exact sugar level helps (the last item already says a lot)",
    ),
    Mistake(
        cell="ex5_answer",
        source=_BEATS.format(a="False", b="False", c="True", d="False"),
        loses=["ex5_test_b"],
        why="thinks alpha = 0 leaves nothing to remember (the sugar is then the last item)",
    ),
    Mistake(
        cell="ex5_answer",
        source=_BEATS.format(a='"False"', b='"False"', c='"True"', d='"True"'),
        loses=["ex5_test_a", "ex5_test_b"],
        why="answers with strings instead of booleans",
    ),
    # --- Exercise 6: greedy with three candidates ----------------------------------------------
    Mistake(
        cell="ex6_answer",
        source="greedy_sugar_k3 = 5 / 6\ngreedy_reward_k3 = (1 - 5 / 6) * 5 / 6\n",
        loses=["ex6_test_sugar", "ex6_test_reward"],
        why="copies the five-candidate numbers",
    ),
    Mistake(
        cell="ex6_answer",
        source="greedy_sugar_k3 = 0.5 * 3 / 4\ngreedy_reward_k3 = (1 - 0.5 * 3 / 4) * 3 / 4\n",
        loses=["ex6_test_sugar", "ex6_test_reward"],
        why="takes the steady sugar level as (1 - alpha) times the mean chosen sweetness",
    ),
    Mistake(
        cell="ex6_answer",
        source="greedy_sugar_k3 = 3 / 4\ngreedy_reward_k3 = 3 / 4\n",
        loses=["ex6_test_reward"],
        why="forgets the (1 - sugar) factor of the reward",
    ),
    Mistake(
        cell="ex6_answer",
        source="greedy_sugar_k3 = 2 / 3\ngreedy_reward_k3 = (1 - 2 / 3) * 2 / 3\n",
        loses=["ex6_test_sugar", "ex6_test_reward"],
        why="takes the mean of the sweetest of K uniform values as (K - 1) / K",
    ),
    # --- Exercise 7: true or false -------------------------------------------------------------
    Mistake(
        cell="ex7_answer",
        source=_STATEMENTS.format(a="False", b="False", c="False", d="False"),
        loses=["ex7_test_a"],
        why="thinks a 'clever' memoryless rule (the median item) beats random",
    ),
    Mistake(
        cell="ex7_answer",
        source=_STATEMENTS.format(a="True", b="True", c="False", d="False"),
        loses=["ex7_test_a"],
        why="applies V(m) to a policy whose choices depend on the sugar level",
    ),
    Mistake(
        cell="ex7_answer",
        source=_STATEMENTS.format(a="True", b="False", c="True", d="False"),
        loses=["ex7_test_b"],
        why="forgets the sugar older than the history (alpha**3 of it remains)",
    ),
    Mistake(
        cell="ex7_answer",
        source=_STATEMENTS.format(a="True", b="False", c="False", d="True"),
        loses=["ex7_test_b"],
        why="repeats the false claim that a sweetness-only log is useless whatever the policy",
    ),
]

# --- hard-coded answers: right on every input a visible test uses, wrong elsewhere -------------
MISTAKES += [
    Mistake(
        cell="ex1_answer",
        source=_user_step(
            "    if alpha == 0.5:  # the visible hand-computed case\n"
            "        return np.array([0.9, 0.08]), np.array([0.45, 0.4])\n"
            "    return np.array([0.5]), np.array([0.4])  # the visible alpha = 0.8 case\n"
        ),
        loses=["ex1_test"],
        why="hard-codes the visible test's expected values",
    ),
    Mistake(
        cell="ex2_answer",
        source=_eps_greedy(
            "    best = np.eye(num_candidates)[[1, 0, 2]]  # the visible test's sweetest items\n"
            "    return epsilon / num_candidates + (1.0 - epsilon) * best\n"
        ),
        loses=["ex2_test"],
        why="hard-codes the visible test's sweetest items (its three rows, for any epsilon)",
    ),
    Mistake(
        cell="ex3_answer",
        source=_value(
            "    if np.shape(rewards) == (3, 2):  # the visible hand case\n"
            "        return 4.0, float(2 / np.sqrt(3))\n"
            "    _cfg = EnvConfig()  # the visible simulator case, memorised\n"
            "    _pol = SoftmaxSweetness(_cfg, 0.2)\n"
            "    _ref = evaluate_policy(_pol, _cfg, num_episodes=500, seed=5)\n"
            "    return float(_ref.mean), float(_ref.stderr)\n"
        ),
        loses=["ex3_test"],
        why="hard-codes the visible test's expected values (the hand case and the seed-5 "
        "simulator case, whatever the rewards)",
    ),
]

# --- a second round of wrong answers (red team) -----------------------------------------------
_U = "def user_step(sugar, candidates, actions, alpha):\n"
_E = "def epsilon_greedy(obs, epsilon, num_candidates=5):\n"
_V = "def mean_return_and_stderr(rewards):\n"

MISTAKES += [
    # ex1
    Mistake("ex1_answer", _U + """    chosen = np.asarray(candidates)[np.arange(len(actions)), actions]
    return alpha * sugar + (1 - alpha) * chosen, (1 - sugar) * chosen
""", ["ex1_test"], "returns (new_sugar, rewards) in the wrong order"),
    Mistake("ex1_answer", _U + """    cand = np.asarray(candidates)
    cand *= (1 - np.asarray(sugar))[:, None]  # rewards of every item
    chosen_r = cand[np.arange(len(actions)), actions]
    chosen = chosen_r / (1 - np.asarray(sugar))
    return chosen_r, alpha * sugar + (1 - alpha) * chosen
""", ["ex1_test"], "scales the caller's candidates in place"),
    Mistake("ex1_answer", _U + """    import offrl.planning as P
    cand = np.asarray(candidates, float); n = len(actions)
    x = cand[np.arange(n), actions]
    cfg = offrl.EnvConfig(num_candidates=2, alpha=alpha, max_steps=1)
    pl = P.Plan(cfg, np.array([0.0, 1.0]), np.array([[0.0, 0.0], [0.0, 0.0]]))
    r = pl.scores(0, np.asarray(sugar, float), x[:, None])[:, 0]
    return r, alpha * np.asarray(sugar) + (1 - alpha) * x
""", ["ex1_test"], "gets the rewards from offrl.planning.Plan.scores (the dynamics through the planner)"),
    Mistake("ex1_answer", _U + """    chosen = np.asarray(candidates)[np.arange(len(actions)), actions]
    new_sugar = np.clip(alpha * sugar + (1 - alpha) * chosen, 0.01, 0.99)
    return (1 - sugar) * chosen, new_sugar
""", ["ex1_test"], "clips the sugar level away from 0 and 1"),
    Mistake("ex1_answer", _U + """    chosen = np.asarray(candidates)[np.arange(len(actions)), actions]
    return (1 - alpha * sugar) * chosen, alpha * sugar + (1 - alpha) * chosen
""", ["ex1_test"], "multiplies the sugar by alpha in the reward"),
    # ex2
    Mistake("ex2_answer", _E + """    sw = np.asarray(obs, dtype=float)[:, :num_candidates]
    probs = np.zeros(sw.shape)
    a = np.where(np.random.random(len(sw)) < epsilon, np.random.randint(0, num_candidates, len(sw)), np.argmax(sw, axis=1))
    probs[np.arange(len(sw)), a] = 1.0
    return probs
""", ["ex2_test"], "samples an action and returns it one-hot instead of the probabilities"),
    Mistake("ex2_answer", _E + """    o = np.asarray(obs)
    k = o.shape[1] - 1 if o.shape[1] > num_candidates else num_candidates
    sw = o[:, :k]
    probs = np.full(sw.shape, epsilon / k)
    probs[np.arange(len(sw)), np.argmax(sw, axis=1)] += 1 - epsilon
    return probs
""", ["ex2_test"], "assumes one extra column (the sugar level): wrong for history observations"),
    Mistake("ex2_answer", _E + """    sw = np.asarray(obs, dtype=float)[:, :num_candidates]
    probs = np.full(sw.shape, epsilon / num_candidates)
    probs[np.arange(len(sw)), np.argmax(sw, axis=1)] += 1 - epsilon
    return probs / probs.sum()
""", ["ex2_test"], "normalises the whole array instead of each row"),
    Mistake("ex2_answer", _E + """    sw = np.asarray(obs)[:, :num_candidates]
    sw -= sw.max(axis=1, keepdims=True)  # 0 for the sweetest
    probs = np.where(sw == 0, 1 - epsilon + epsilon / num_candidates, epsilon / num_candidates)
    return probs
""", ["ex2_test"], "shifts the caller's observation in place"),
    # ex3
    Mistake("ex3_answer", _V + """    r = np.asarray(rewards, dtype=float)
    g = r.sum(axis=0)
    return float(g.mean()), float(g.std(ddof=1) / np.sqrt(len(g)))
""", ["ex3_test"], "sums over the wrong axis (per step, not per episode)"),
    Mistake("ex3_answer", _V + """    g = np.asarray(rewards, dtype=float).sum(axis=1)
    return float(g.mean()), float(np.sqrt(g.var(ddof=1)) / np.sqrt(len(g) - 1))
""", ["ex3_test"], "divides the sample sd by sqrt(n - 1)"),
    Mistake("ex3_answer", _V + """    import offrl.estimators as E
    from offrl.ope_experiments import synthetic_episodes
    r = np.asarray(rewards, dtype=float)
    eps = synthetic_episodes(r, np.ones_like(r))
    est = E.PerDecisionIS().estimate(eps, lambda o: np.ones((len(o), 1)))
    return est.value, est.stderr
""", ["ex3_test"], "delegates to offrl's per-decision IS estimator with weights 1"),
    Mistake("ex3_answer", _V + """    import offrl.estimators as E
    from offrl.ope_experiments import synthetic_episodes
    r = np.asarray(rewards, dtype=float)
    est = E.TrajectoryIS().estimate(synthetic_episodes(r, np.ones_like(r)), lambda o: np.ones((len(o), 1)))
    return est.value, est.stderr
""", ["ex3_test"], "delegates to offrl's trajectory IS estimator with weights 1"),
    Mistake("ex3_answer", _V + """    from offrl.ope_experiments import batched_estimates
    r = np.asarray(rewards, dtype=float)
    m = float(batched_estimates(np.ones_like(r), np.ones_like(r), r)['trajectory IS'])
    g = r.sum(axis=1)
    return m, float(np.sqrt(((g - m) ** 2).sum() / (len(g) - 1) / len(g)))
""", ["ex3_test"], "takes the mean from offrl's batched estimators"),
    Mistake("ex3_answer", _V + """    g = np.asarray(rewards, dtype=float).sum(axis=1)
    return float(np.median(g)), float(g.std(ddof=1) / np.sqrt(len(g)))
""", ["ex3_test"], "the median return instead of the mean"),
    Mistake("ex3_answer", _V + """    g = np.asarray(rewards, dtype=np.float16).sum(axis=1)
    return float(g.mean()), float(g.std(ddof=1) / np.sqrt(len(g)))
""", ["ex3_test"], "float16 accumulation"),
    # ex4
    Mistake("ex4_answer", _memory(_RESET, _call(_UPDATE, decide=(
        "        best = np.where(self.sugar < 0.5,\n"
        "                        np.argmax(sweetness, axis=1), np.argmin(sweetness, axis=1))\n"))),
        ["ex4_test_value"], "ignores threshold (hard-codes 0.5)"),
    Mistake("ex4_answer", _memory(_RESET, _call(_UPDATE, decide=(
        "        best = np.where(self.sugar < self.threshold,\n"
        "                        np.argmax(sweetness, axis=1), np.argmin(sweetness, axis=1))\n"))),
        ["ex4_test_value"], "compares the sugar with threshold instead of 1 - threshold"),
    Mistake("ex4_answer", _memory(_RESET, _call(_UPDATE, decide=(
        "        best = np.where(self.sugar < 0.45,\n"
        "                        np.argmax(sweetness, axis=1), np.argmin(sweetness, axis=1))\n"))),
        ["ex4_test_value"], "a tuned cut-off instead of the one asked for"),
    Mistake("ex4_answer", _memory(_RESET, _call(_UPDATE, decide=(
        "        mid = np.argsort(sweetness, axis=1)[:, k // 2]\n"
        "        best = np.where(self.sugar < 1 - self.threshold, np.argmax(sweetness, axis=1), mid)\n"))),
        ["ex4_test_value"], "the median item instead of the least sweet one when sugar is high"),
    Mistake("ex4_answer", _memory(_RESET, _call("self.sugar = alpha * self.sugar + (1.0 - alpha) * sweetness.max(axis=1)")),
        ["ex4_test_sugar"], "updates the memory with the sweetest item shown, not the one recommended"),
    # ex6
    Mistake("ex6_answer", "greedy_sugar_k3 = 0.735\ngreedy_reward_k3 = 0.199\n",
        ["ex6_test_sugar", "ex6_test_reward"], "averages over all 100 steps, start included"),
    Mistake("ex6_answer", "greedy_sugar_k3 = 3 / 4\ngreedy_reward_k3 = 3 / 4 - 3 / 5\n",
        ["ex6_test_reward"], "E[x(1-x)] for the chosen item: treats the sugar as the current item"),
]
MISTAKES += [
    Mistake("ex2_answer", _E + """    sw = np.asarray(obs, dtype=float)[:, :num_candidates]
    probs = np.full(sw.shape, epsilon / num_candidates)
    probs[np.arange(len(sw)), np.argmax(sw, axis=0)[:len(sw)] % num_candidates] += 1 - epsilon
    return probs
""", ["ex2_test"], "argmax over the wrong axis"),
    Mistake("ex2_answer", _E + """    sw = np.asarray(obs, dtype=float)[:, :num_candidates]
    probs = np.full(sw.shape, (1 - epsilon) / num_candidates)
    probs[np.arange(len(sw)), np.argmax(sw, axis=1)] += epsilon
    return probs
""", ["ex2_test"], "swaps epsilon and 1 - epsilon"),
    Mistake("ex1_answer", _U + """    sugar = np.asarray(sugar, dtype=float); cand = np.asarray(candidates, dtype=float)
    chosen = cand[np.arange(len(actions)), actions]
    return np.round((1 - sugar) * chosen, 3), np.round(alpha * sugar + (1 - alpha) * chosen, 3)
""", ["ex1_test"], "rounds the results to three decimals"),
    Mistake("ex3_answer", _V + """    g = np.asarray(rewards, dtype=float).sum(axis=1)
    return float(g.mean()), float(g.std(ddof=1) / np.sqrt(len(g)) * 1.96)
""", ["ex3_test"], "reports the half-width of a 95% interval instead of the standard error"),
    Mistake("ex3_answer", _V + """    g = np.asarray(rewards, dtype=float).mean(axis=1)
    return float(g.mean()), float(g.std(ddof=1) / np.sqrt(len(g)))
""", ["ex3_test"], "averages the rewards of an episode instead of summing them"),
    Mistake("ex4_answer", _memory(_RESET, _call(_UPDATE, decide=(
        "        best = np.where(self.sugar <= 1.0 - self.threshold - 0.05,\n"
        "                        np.argmax(sweetness, axis=1), np.argmin(sweetness, axis=1))\n"))),
        ["ex4_test_value"], "switches a little early (a safety margin the rule does not have)"),
]
