"""Section 2: data generation, offrl's vectorised simulator vs stepping the gymnasium env.

* vectorised: ``offrl.rollout(behaviour, n, cfg, seed)`` simulates ``n`` users at once and
  records everything a dataset holds (obs, actions, rewards, next obs, action probabilities,
  hidden sugar level);
* step loop: ``offrl.CandyRecommenderEnv`` stepped one action at a time with the same policy
  and the same sampling (``offrl.sample_actions``), recording the same things. With one episode
  and the same seeds it reproduces the vectorised rollout bit for bit (checked below), so both
  do the same work.

Also timed: writing 1 M transitions (10,000 episodes of 100 steps) to JSON Lines with
``offrl.write_jsonl``, and ``generate_dataset`` of the canonical 50-episode file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import log, side_by_side, summarise, timed


def step_loop(policy, cfg, num_episodes: int, seed: int = 0):
    """Generate ``num_episodes`` episodes by stepping the gymnasium env once per action.

    Seeds are derived like :func:`offrl.rollout`'s, so ``num_episodes=1`` gives exactly the
    episode ``rollout(policy, 1, cfg, seed)`` gives. Returns the recorded arrays ``(n, T, ...)``.
    """
    from offrl import CandyRecommenderEnv, sample_actions

    T = cfg.max_steps
    rec = {k: [] for k in ("obs", "actions", "rewards", "next_obs", "action_prob", "sugar")}
    for i in range(num_episodes):
        env_seed, action_seed = np.random.SeedSequence(seed + i).spawn(2)
        rng = np.random.default_rng(action_seed)
        env = CandyRecommenderEnv(cfg)
        env.np_random = np.random.default_rng(env_seed)  # rollout seeds with a SeedSequence
        obs, info = env.reset()
        for _ in range(T):
            probs = np.asarray(policy(obs[None]))
            a = int(sample_actions(probs, rng)[0])
            rec["obs"].append(obs)
            rec["sugar"].append(info["sugar"])
            rec["actions"].append(a)
            rec["action_prob"].append(probs[0, a])
            obs, r, _, truncated, info = env.step(a)
            rec["rewards"].append(r)
            rec["next_obs"].append(obs)
    dtypes = {"obs": np.float32, "next_obs": np.float32, "rewards": np.float32,
              "sugar": np.float32, "actions": np.int64, "action_prob": np.float64}  # fmt: skip
    return {
        k: np.asarray(v, dtype=dtypes[k]).reshape((num_episodes, T) + np.shape(v[0]))
        for k, v in rec.items()
    }


def _loop_matches_rollout(policy, cfg, seed: int = 7) -> bool:
    from offrl import rollout

    ro = rollout(policy, 1, cfg, seed=seed)
    loop = step_loop(policy, cfg, 1, seed=seed)
    return all(np.array_equal(getattr(ro, k), v) for k, v in loop.items())


def run(opts) -> dict:
    import offrl
    from offrl import Episodes, behaviour_policy, generate_dataset, rollout, write_jsonl

    cfg = offrl.canonical_config()
    beh = behaviour_policy(cfg)
    T = cfg.max_steps
    sizes = opts.datagen_sizes
    loop_episodes = opts.loop_episodes
    repeat = opts.repeat or 5

    matches = _loop_matches_rollout(beh, cfg)
    log(f"datagen: step loop reproduces rollout bit for bit: {matches}")

    out = {
        "policy": "the course's behaviour policy (softmax of sweetness, temperature 0.2)",
        "env": cfg.to_dict(),
        "step_loop_reproduces_rollout_exactly": matches,
        "step_loop_episodes": loop_episodes,
        "vectorised": [],
    }
    # The largest size is timed side by side with the step loop (the headline ratio); the
    # others alone.
    largest = max(sizes)
    for n in sorted(sizes):
        log(f"datagen: rollout of {n} episodes, {repeat} repeats")
        fns = {"vectorised": lambda: rollout(beh, n, cfg, seed=0)}
        if n == largest:
            fns["step_loop"] = lambda: step_loop(beh, cfg, loop_episodes, seed=0)
        t = side_by_side(fns, repeat=repeat, warmup=1)
        row = {"episodes": n, "steps": n * T, **{k: v for k, v in t["vectorised"].items()}}
        row["steps_per_s"] = n * T / t["vectorised"]["median_s"]
        row["steps_per_cpu_s"] = n * T / t["vectorised"]["cpu_median_s"]
        out["vectorised"].append(row)
        if n == largest:
            loop = t["step_loop"]
            out["step_loop"] = {**loop, "steps": loop_episodes * T}
            out["step_loop"]["steps_per_s"] = loop_episodes * T / loop["median_s"]
            out["step_loop"]["steps_per_cpu_s"] = loop_episodes * T / loop["cpu_median_s"]
            out["headline_episodes"] = n
            out["steps_per_s"] = row["steps_per_s"]
            out["speedup_vs_step_loop"] = row["steps_per_s"] / out["step_loop"]["steps_per_s"]
            out["speedup_vs_step_loop_cpu"] = (
                row["steps_per_cpu_s"] / out["step_loop"]["steps_per_cpu_s"]
            )
            log(
                f"datagen: vectorised {row['steps_per_s'] / 1e6:.2f} M steps/s, step loop "
                f"{out['step_loop']['steps_per_s'] / 1e3:.1f} k steps/s: "
                f"{out['speedup_vs_step_loop']:.0f}x"
            )

    # Writing JSON Lines: 1 M transitions (fewer with --quick).
    n_write = opts.write_episodes
    write_repeat = opts.write_repeat
    eps = Episodes.from_rollouts(rollout(beh, n_write, cfg, seed=0))
    with tempfile.TemporaryDirectory(prefix="offrl-bench-") as tmp:
        path = Path(tmp) / "log.json"
        log(f"datagen: write_jsonl of {eps.num_steps:,} transitions, {write_repeat} repeats")
        wall, cpu = [], []
        for _ in range(write_repeat):
            w, c, _ = timed(lambda: write_jsonl(eps, path))
            wall.append(w)
            cpu.append(c)
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            first = f.readline()
        import json

        json.loads(first)  # the file is JSON Lines
        w = summarise(wall, cpu)
        out["write_jsonl"] = {
            "transitions": int(eps.num_steps),
            **w,
            "transitions_per_s": eps.num_steps / w["median_s"],
            "file_mb": round(size / 1e6, 1),
            "mb_per_s": round(size / 1e6 / w["median_s"], 1),
        }
        log(f"datagen: wrote {size / 1e6:.0f} MB in {w['median_s']:.2f} s (median)")
        canon = Path(tmp) / "canonical.json"
        g = [
            timed(
                lambda: generate_dataset(
                    canon,
                    num_episodes=offrl.dataset.CANONICAL_NUM_EPISODES,
                    config=cfg,
                    seed=offrl.dataset.CANONICAL_SEED,
                )
            )
            for _ in range(repeat)
        ]
        out["generate_canonical_dataset"] = summarise([x[0] for x in g], [x[1] for x in g])
        out["generate_canonical_dataset"]["identical_to_data_file"] = (
            canon.read_bytes() == offrl.canonical_dataset_path().read_bytes()
        )
    return out


def headlines(res: dict) -> dict:
    return {
        "datagen_steps_per_s": res["steps_per_s"],
        "datagen_speedup_vs_step_loop": res["speedup_vs_step_loop"],
    }


def table(res: dict) -> list[tuple[str, str, str]]:
    rows = []
    for r in res["vectorised"]:
        rows.append((
            f"vectorised, {r['episodes']:,} episodes",
            f"{r['steps_per_s'] / 1e6:.2f} M steps/s ({r['median_s']:.3f} s; "
            f"{r['steps_per_cpu_s'] / 1e6:.2f} M per CPU-s)",
            ">= 2 M/s" if r["episodes"] == res["headline_episodes"] else "",
        ))  # fmt: skip
    loop = res["step_loop"]
    rows.append((
        f"gymnasium step loop, {res['step_loop_episodes']} episodes",
        f"{loop['steps_per_s'] / 1e3:.1f} k steps/s; vectorised is "
        f"{res['speedup_vs_step_loop']:.0f}x faster "
        f"(CPU time: {res['speedup_vs_step_loop_cpu']:.0f}x)"
        + ("" if res["step_loop_reproduces_rollout_exactly"] else " (LOOP != ROLLOUT!)"),
        ">= 50x",
    ))  # fmt: skip
    w = res["write_jsonl"]
    rows.append((
        f"write_jsonl {w['transitions']:,} transitions",
        f"{w['median_s']:.2f} s ({w['transitions_per_s'] / 1e3:.0f} k rows/s, "
        f"{w['file_mb']} MB)",
        "",
    ))  # fmt: skip
    g = res["generate_canonical_dataset"]
    rows.append((
        "generate_dataset, canonical 50 episodes",
        f"{g['median_s']:.3f} s"
        + ("" if g["identical_to_data_file"] else " (DIFFERS from data/ file!)"),
        "",
    ))  # fmt: skip
    return rows
