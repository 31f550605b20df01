"""Train the course's BC and MARWIL policies on the canonical dataset and save them as numpy.

    python scripts/train_policies.py                 # writes data/bc_policy.npz, data/marwil_policy.npz
    python scripts/train_policies.py --seeds 0 1 2   # robustness check: trains, evaluates, writes nothing

Lesson 05 loads the saved policies with ``offrl.marwil.load_trained_policy("bc" | "marwil")``
(numpy only, no Ray). The settings are lesson 04's (``offrl.marwil.COURSE_SETTINGS``); BC is the
same MARWIL with ``beta = 0``. Training is seeded and reproducible (rerunning rewrites the same
files). The evaluation in the simulator uses common random numbers (the same users for every
policy) and prints mean ± standard error, and paired differences.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import offrl
from offrl import marwil
from offrl.ray_setup import init_ray, shutdown_ray


def train_pair(path, config, seed: int, progress: bool):
    """(bc, marwil) TrainResults for one training seed."""
    out = {}
    for name, beta in (("bc", 0.0), ("marwil", marwil.COURSE_SETTINGS["beta"])):
        settings = {**marwil.COURSE_SETTINGS, "beta": beta}
        algo_config = marwil.marwil_config(
            path, config, seed=seed, **{k: v for k, v in settings.items() if k != "gamma"}
        )
        out[name] = marwil.train(
            algo_config, marwil.COURSE_ITERATIONS, config, progress=progress,
            desc=f"{name} (seed {seed})",
        )  # fmt: skip
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="check these training seeds instead of writing the policies")
    parser.add_argument("--eval-episodes", type=int, default=2000)
    parser.add_argument("--eval-seed", type=int, default=12345)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)  # fmt: skip

    config = offrl.canonical_config()
    episodes = offrl.load_canonical()
    evaluate = lambda p: offrl.evaluate_policy(p, config, args.eval_episodes, args.eval_seed)  # noqa: E731
    behaviour = evaluate(offrl.behaviour_policy(config))
    print(f"behaviour policy: {behaviour}")
    seeds = args.seeds if args.seeds is not None else [marwil.COURSE_SEED]
    table = marwil.training_table(episodes, marwil.COURSE_SETTINGS["gamma"])
    start = time.perf_counter()
    init_ray()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = marwil.write_training_file(table, Path(tmp) / "marwil_train.json")
            for seed in seeds:
                results = train_pair(path, config, seed, not args.no_progress)
                values = {name: evaluate(r.policy) for name, r in results.items()}
                mw = results["marwil"].policy
                d_beh = marwil.paired_difference(mw, offrl.behaviour_policy(config), config,
                                                 args.eval_episodes, args.eval_seed)
                d_bc = marwil.paired_difference(mw, results["bc"].policy, config,
                                                args.eval_episodes, args.eval_seed)  # fmt: skip
                print(
                    f"seed {seed}: BC {values['bc']}  MARWIL {values['marwil']}  (paired) "
                    f"MARWIL - behaviour = {d_beh[0]:.3f} ± {d_beh[1]:.3f}, "
                    f"MARWIL - BC = {d_bc[0]:.3f} ± {d_bc[1]:.3f}  "
                    f"train {results['bc'].seconds:.0f}s + {results['marwil'].seconds:.0f}s",
                    flush=True,
                )
                if args.seeds is None:
                    for name, r in results.items():
                        r.policy.metadata.update(
                            name=name, seed=seed, iterations=marwil.COURSE_ITERATIONS,
                            settings={**marwil.COURSE_SETTINGS,
                                      "beta": 0.0 if name == "bc" else marwil.COURSE_SETTINGS["beta"]},
                            value_at_save=[values[name].mean, values[name].stderr],
                        )  # fmt: skip
                        out = r.policy.save(marwil.trained_policy_path(name))
                        print(f"wrote {out} ({out.stat().st_size} bytes)")
    finally:
        shutdown_ray()
    print(f"done in {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
