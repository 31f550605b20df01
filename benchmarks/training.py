"""Section 5 ("marwil"): RLlib new-stack MARWIL trained on the canonical dataset.

Uses the course's training helpers in :mod:`offrl.marwil` (``training_table``,
``write_training_file``, ``marwil_config``, ``MLPPolicy``) with lesson 04's settings
(``COURSE_SETTINGS``, ``COURSE_ITERATIONS``, ``COURSE_SEED``, as scripts/train_policies.py trains
the shipped policy; ``marwil_config``'s defaults if the module has no such settings): the
section reports itself unavailable when that module or one of those functions is missing.
The training loop is driven here rather than through ``offrl.marwil.train`` so that every step
can be timed:

  import ray  ->  ray.init (offrl.ray_setup.init_ray)  ->  training file  ->  MARWILConfig
  ->  build_algo()  ->  algo.train() per iteration  ->  stop

Before training and after every iteration the learner's current policy is copied out as numpy
and run in the simulator with the same users (common random numbers) as the behaviour policy; a
policy "beats the behaviour" when its mean return is higher by more than two standard errors of
the difference. Careful: an untrained network is close to the uniformly random recommender,
which is already better than the behaviour policy here (COURSE.md: random ~25.5, behaviour
~20.4), so "first iteration that beats the behaviour" says nothing about learning. The headline
is therefore the first iteration from which *every* later evaluation beats the behaviour (the
policy beats it for good, however training wanders); the first beat and the untrained value are
recorded beside it. Time = from before ``import ray`` to the end of that iteration, *excluding*
the evaluations (measurement, not training; their total is reported).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import TreeMemorySampler, Unavailable, log, reap_descendants

REQUIRED = ("training_table", "write_training_file", "marwil_config", "MLPPolicy")
#: As scripts/train_policies.py evaluates the shipped policies.
EVAL_EPISODES = 2000
EVAL_SEED = 12345
SETTLED_REL = 0.01


def _helpers():
    try:
        import offrl.marwil as m
    except ImportError as e:
        raise Unavailable(f"offrl.marwil is not available yet ({e})") from None
    missing = [f for f in REQUIRED if not hasattr(m, f)]
    if missing:
        raise Unavailable(f"offrl.marwil lacks {', '.join(missing)}")
    return m


def _live_policy(m, algo, cfg):
    """The learner's current module as an offrl numpy policy (local learner)."""
    from ray.rllib.core import DEFAULT_MODULE_ID

    out = algo.learner_group.foreach_learner(
        lambda learner: m.MLPPolicy.from_module(learner.module[DEFAULT_MODULE_ID], cfg)
    )
    return next(iter(out)).get()


def run(opts) -> dict:
    m = _helpers()
    import offrl
    from offrl import behaviour_policy, evaluate_policy

    cfg = offrl.canonical_config()
    settings = dict(getattr(m, "COURSE_SETTINGS", {}))
    gamma = settings.pop("gamma", None)
    seed = getattr(m, "COURSE_SEED", 0)
    iterations = opts.marwil_iterations or getattr(m, "COURSE_ITERATIONS", 10)
    behaviour = evaluate_policy(behaviour_policy(cfg), cfg, EVAL_EPISODES, seed=EVAL_SEED)
    steps: dict[str, float] = {}
    per_iter, values, evals = [], [], []
    beaten_at = None
    with TreeMemorySampler(interval=0.2) as mem, tempfile.TemporaryDirectory(
        prefix="offrl-marwil-"
    ) as tmp:
        t_start = time.perf_counter()

        def step(name, fn):
            t = time.perf_counter()
            value = fn()
            steps[name] = round(time.perf_counter() - t, 3)
            log(f"marwil: {name}: {steps[name]:.2f} s")
            return value

        from offrl.ray_setup import init_ray, quiet_environment, shutdown_ray

        quiet_environment()
        step("import_ray_s", lambda: __import__("ray"))
        step("ray_init_s", init_ray)
        algo = None
        try:
            path = step(
                "write_training_file_s",
                lambda: m.write_training_file(
                    m.training_table(offrl.load_canonical(), *([gamma] if gamma else [])),
                    Path(tmp) / "train.json",
                ),
            )
            algo_config = step(
                "config_s", lambda: m.marwil_config(path, cfg, seed=seed, **settings)
            )
            algo = step("build_algo_s", algo_config.build_algo)
            train_clock = time.perf_counter() - t_start
            t = time.perf_counter()
            untrained = evaluate_policy(
                _live_policy(m, algo, cfg), cfg, EVAL_EPISODES, seed=EVAL_SEED
            )
            evals.append(time.perf_counter() - t)
            clock_at = []
            beats = []
            for it in range(iterations):
                t = time.perf_counter()
                algo.train()
                dt = time.perf_counter() - t
                train_clock += dt
                per_iter.append(round(dt, 4))
                t = time.perf_counter()
                live = _live_policy(m, algo, cfg)
                value = evaluate_policy(live, cfg, EVAL_EPISODES, seed=EVAL_SEED)
                evals.append(time.perf_counter() - t)
                margin = value.mean - behaviour.mean
                se = float(np.hypot(value.stderr, behaviour.stderr))
                values.append(round(value.mean, 4))
                clock_at.append(round(train_clock, 3))
                beats.append(bool(margin > 2 * se))
                log(f"marwil: iteration {it + 1}: {dt:.2f} s, value {value.mean:.3f} "
                    f"(behaviour {behaviour.mean:.3f})")  # fmt: skip
        finally:
            if algo is not None:
                t = time.perf_counter()
                if getattr(algo, "offline_data", None) is not None:
                    algo.offline_data.batch_iterators = None
                algo.stop()
                steps["algo_stop_s"] = round(time.perf_counter() - t, 3)
            step("ray_shutdown_s", shutdown_ray)
        memory = mem.report()
    reap_descendants()
    later = per_iter[1:] or per_iter
    first_beat = next((i for i, b in enumerate(beats) if b), None)
    for_good = next((i for i in range(len(beats)) if all(beats[i:])), None)
    if for_good is not None:
        beaten_at = {"iteration": for_good + 1, "time_s": clock_at[for_good]}
    # When training has settled: the first iteration from which every value is within
    # SETTLED_REL of the last one.
    settled = None
    if values:
        close = [abs(v - values[-1]) <= SETTLED_REL * abs(values[-1]) for v in values]
        i = next(i for i in range(len(close)) if all(close[i:]))
        settled = {"iteration": i + 1, "time_s": clock_at[i], "value": values[-1]}
    return {
        "how": "offrl.marwil.marwil_config on the canonical dataset's training table "
        "(return-to-go rewards) with the settings below; evaluation after every iteration in "
        f"the simulator, {EVAL_EPISODES} episodes, seed {EVAL_SEED}, same users for both policies",
        "settings": {**settings, "gamma": gamma, "seed": seed, "iterations": iterations},
        "steps": steps,
        "iterations": per_iter,
        "first_iteration_s": per_iter[0] if per_iter else None,
        "later_iterations_median_s": float(np.median(later)) if later else None,
        "values": values,
        "behaviour_value": round(behaviour.mean, 4),
        "behaviour_stderr": round(behaviour.stderr, 4),
        "untrained_value": round(untrained.mean, 4),
        "untrained_beats_behaviour": bool(
            untrained.mean - behaviour.mean > 2 * np.hypot(untrained.stderr, behaviour.stderr)
        ),
        "beats_behaviour_per_iteration": beats,
        "first_beat": None if first_beat is None
        else {"iteration": first_beat + 1, "time_s": clock_at[first_beat]},
        "beaten_at": beaten_at,
        "settled_within_1pct_of_final": settled,
        "time_to_beat_behaviour_s": beaten_at["time_s"] if beaten_at else None,
        "evaluation_total_s": round(sum(evals), 3),
        "memory": memory,
    }


def headlines(res: dict) -> dict:
    return {"marwil_time_to_beat_behaviour_s": res["time_to_beat_behaviour_s"]}


def table(res: dict) -> list[tuple[str, str, str]]:
    s = res["steps"]
    rows = [
        ("start-up", f"import ray {s.get('import_ray_s', 0):.1f} s, ray.init "
         f"{s.get('ray_init_s', 0):.1f} s, config {s.get('config_s', 0):.1f} s, build "
         f"{s.get('build_algo_s', 0):.1f} s", ""),
        ("iterations", f"first {res['first_iteration_s']:.2f} s, later (median) "
         f"{res['later_iterations_median_s']:.3f} s; {len(res['iterations'])} run", ""),
    ]  # fmt: skip
    b = res["beaten_at"]
    rows.append((
        "time to beat the behaviour for good",
        (f"{b['time_s']:.1f} s (iteration {b['iteration']}; "
         f"value {res['values'][b['iteration'] - 1]:.2f}"
         f" vs {res['behaviour_value']:.2f}; final {res['values'][-1]:.2f}, untrained "
         f"{res['untrained_value']:.2f})") if b else
        f"not within {len(res['iterations'])} iterations (last {res['values'][-1]:.2f} vs "
        f"{res['behaviour_value']:.2f})",
        "",
    ))  # fmt: skip
    st = res.get("settled_within_1pct_of_final")
    if st:
        rows.append((
            "time to the final level (within 1%)",
            f"{st['time_s']:.1f} s (iteration {st['iteration']} of {len(res['iterations'])})",
            "",
        ))  # fmt: skip
    rows.append(("peak RSS of the process tree", f"{res['memory']['peak_rss_gib']:.2f} GiB", ""))
    return rows
