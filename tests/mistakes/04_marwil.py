"""Typical wrong answers to lesson 04's exercises; each must score 0 on the cells it `loses`.

Every mistake is one more autograde run of a notebook that trains twice with RLlib (~1 min), so
the list keeps one plausible mistake per exercise, plus the two ways of getting MARWIL's settings
wrong that the lesson is about.
"""

from tests.nbgrader_harness import Mistake


def _settings(gamma, start, rate):
    return (
        "SETTINGS = dict(\n"
        f"    gamma={gamma},\n"
        "    beta=1.0,\n"
        f"    sqd_adv_norm_start={start},\n"
        f"    sqd_adv_norm_update_rate={rate},\n"
        ")\n"
        "print(SETTINGS)\n"
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
    # --- Exercise 2: the training table -----------------------------------------------------------
    Mistake(
        cell="ex2_answer",
        source=(
            "def make_training_table(episodes, gamma):\n"
            "    real = episodes.mask\n"
            "    n = int(real.sum())\n"
            "    return {\n"
            "        'eps_id': np.broadcast_to(episodes.eps_id[:, None], real.shape)[real],\n"
            "        'obs': episodes.obs[real],\n"
            "        'actions': episodes.actions[real],\n"
            "        'rewards': episodes.extras['return_to_go'][real],\n"
            "        'new_obs': episodes.new_obs[real],\n"
            "        'terminateds': np.ones(n, dtype=bool),\n"
            "        'truncateds': np.zeros(n, dtype=bool),\n"
            "    }\n"
        ),
        loses=["ex2_test"],
        why="copies the file's return_to_go column (gamma = 0.99) whatever gamma is asked for",
    ),
    # --- Exercise 3: the settings -----------------------------------------------------------------
    Mistake(
        cell="ex3_answer",
        source=_settings(0.8, 100.0, 1e-8),
        loses=["ex3_test"],
        why="keeps RLlib's advantage normaliser (c**2 = 100 for ever): every weight ~1, MARWIL = BC",
    ),
    Mistake(
        cell="ex3_answer",
        source=_settings(0.99, 1.0, 0.05),
        loses=["ex3_test"],
        why="uses the file's discount 0.99: the advantage mostly measures how many steps are left",
    ),
    # --- Exercise 4: concepts ---------------------------------------------------------------------
    Mistake(
        cell="ex4_answer",
        source='answer_default = "A"\nanswer_beta0 = "C"\nanswer_myopic = "B"\n',
        loses=["ex4_test"],
        why="believes RLlib's MARWIL defaults to beta = 0",
    ),
]
