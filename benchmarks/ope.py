"""Section 1: off-policy estimation, offrl's vectorised estimators vs RLlib's old-stack ones.

The task both sides do is the same: given logged episodes and a target policy (an object that
maps observations to action probabilities), compute RLlib's summary (v_behavior, v_target,
their stds, v_gain, v_delta) for per-decision importance sampling and for per-decision weighted
importance sampling (RLlib's ``ImportanceSampling`` and ``WeightedImportanceSampling``, which
are per-decision despite their names; see offrl/estimators.py).

* RLlib: ``offrl.rllib_ope.rllib_estimates`` (wraps the policy as an old-stack ``Policy`` and the
  episodes as a ``SampleBatch``, then runs both estimators; they loop over episodes in Python).
* offrl, policy per estimator: ``rllib_summary(PerDecisionIS(g), eps, policy)`` and the same
  with ``PerDecisionWIS``: each evaluates and checks the policy's probabilities, as each RLlib
  estimator calls the policy. This is the like-for-like figure (headline).
* offrl, probabilities once: ``pi = target_action_probs(policy, eps)`` then both estimators on
  the array (what lesson 05 and ``offrl.ope_experiments`` do when they evaluate several
  estimators: the policy is evaluated and checked once). Also a headline
  (``ope_speedup_vs_rllib_probs_once``), beside the like-for-like one; the time includes
  evaluating the policy.

Timing: the three alternate (RLlib, offrl, offrl with probabilities once, RLlib, ...); each
sample lasts at least ``MIN_SAMPLE_S`` (one or a few of RLlib's calls, tens to hundreds of
offrl's at the small sizes) and gives the time per call, the way ``timeit`` measures a short
function. The first call of every sample is also kept (``speedup_first_call``): offrl right
after RLlib's run, whose Python loops have evicted numpy's code and data from the caches.

Numbers: RLlib does not use the policy's probabilities as they are. ``compute_action_probs``
takes the policy's float64 log-likelihoods, ``convert_to_numpy`` rounds them to float32, and
``np.exp`` runs in float32: RLlib's target probability is ``exp(float32(log pi))``. Like is
compared with like by giving offrl exactly those probabilities (``rllib_target_probs``); the
difference is then float64 rounding (~1e-15 relative). Reported beside it: offrl with the
probabilities rounded to float32 (what tests/test_estimators.py feeds it) and with full
precision; those differ from RLlib by the float32 rounding, amplified by products of 100 ratios.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import log, side_by_side, timed

FIELDS = ("v_behavior", "v_behavior_std", "v_target", "v_target_std", "v_gain", "v_delta")
GAMMA = 0.99
#: A timed sample lasts at least this long (many calls of offrl's sub-millisecond estimate; one
#: or a few of RLlib's): see benchmarks/common.py:side_by_side.
MIN_SAMPLE_S = 0.05
TIMED_TARGET = "softmax0.5"


def _targets(cfg):
    from offrl import SoftmaxSweetness, SugarAware, UniformRandom

    # The three targets of tests/test_estimators.py::test_matches_rllib_old_stack_estimators.
    return {
        "softmax0.5": SoftmaxSweetness(cfg, 0.5),
        "uniform": UniformRandom(cfg),
        "sugar_aware_soft": SugarAware(cfg, temperature=0.2),
    }


def _ours(eps, target):
    from offrl.estimators import PerDecisionIS, PerDecisionWIS, rllib_summary

    return {
        "is": rllib_summary(PerDecisionIS(GAMMA), eps, target),
        "wis": rllib_summary(PerDecisionWIS(GAMMA), eps, target),
    }


def _ours_probs_once(eps, target):
    from offrl.estimators import target_action_probs

    return _ours(eps, target_action_probs(target, eps))


def rllib_target_probs(policy, eps) -> np.ndarray:
    """The target probabilities RLlib's old-stack estimators use: ``exp`` in float32 of the
    log-likelihoods rounded to float32 (``compute_action_probs`` in
    ray/rllib/offline/estimators/off_policy_estimator.py), as float64."""
    from offrl.estimators import target_action_probs

    with np.errstate(divide="ignore"):
        log_pi = np.log(target_action_probs(policy, eps)).astype(np.float32)
    return np.exp(log_pi).astype(np.float64)


def _diff(a: dict, b: dict) -> dict:
    """Largest absolute and relative difference over both estimators and all fields."""
    abs_d, rel_d, worst = 0.0, 0.0, None
    for key in ("is", "wis"):
        for f in FIELDS:
            x, y = float(a[key][f]), float(b[key][f])
            d = abs(x - y)
            r = d / max(abs(x), abs(y), 1e-300) if d else 0.0
            if d > abs_d:
                abs_d, worst = d, f"{key}.{f}"
            rel_d = max(rel_d, r)
    return {"max_abs_diff": abs_d, "max_rel_diff": rel_d, "largest_in": worst}


def run(opts) -> dict:
    import offrl
    from offrl import Episodes, behaviour_policy, rollout
    from offrl.estimators import target_action_probs

    cfg = offrl.canonical_config()
    beh = behaviour_policy(cfg)
    targets = _targets(cfg)
    sizes = opts.ope_sizes
    repeats = {n: opts.repeat or (7 if n <= 100 else 5 if n <= 2000 else 3) for n in sizes}

    log("ope: importing RLlib (first rllib_estimates call; not part of any timing)")
    from offrl.rllib_ope import rllib_estimates, to_sample_batch

    small = Episodes.from_rollouts(rollout(beh, 5, cfg, seed=0))
    import_s, _, _ = timed(lambda: rllib_estimates(small, targets[TIMED_TARGET], cfg, GAMMA))

    out = {
        "task": "RLlib's summary for per-decision IS and per-decision WIS of one target policy "
        "on logged episodes of 100 steps (behaviour: the course's softmax, temperature 0.2); "
        f"gamma={GAMMA}",
        "timed_target": TIMED_TARGET,
        "rllib_first_call_s": round(import_s, 3),
        "numbers_compared_like_with_like": "RLlib's target probability is exp(float32(log pi)) "
        "computed in float32 (convert_to_numpy rounds the policy's log-likelihoods); "
        "max_abs_diff gives offrl exactly those probabilities. *_float32_probs: offrl given "
        "pi rounded to float32 (as in tests/test_estimators.py); *_full_precision_probs: offrl "
        "given the policy itself",
        "sizes": [],
    }
    for n in sizes:
        eps = Episodes.from_rollouts(rollout(beh, n, cfg, seed=1000 + n))
        target = targets[TIMED_TARGET]
        log(f"ope: {n} episodes x {cfg.max_steps} steps, {repeats[n]} repeats side by side")
        t = side_by_side(
            {
                "rllib": lambda: rllib_estimates(eps, target, cfg, GAMMA),
                "offrl": lambda: _ours(eps, target),
                "offrl_probs_once": lambda: _ours_probs_once(eps, target),
            },
            repeat=repeats[n],
            min_sample_s=MIN_SAMPLE_S,
        )
        conversion_s, _, _ = timed(lambda: to_sample_batch(eps))
        row = {
            "episodes": n,
            "steps": int(eps.num_steps),
            "repeats": repeats[n],
            "rllib": t["rllib"],
            "offrl": t["offrl"],
            "offrl_probs_once": t["offrl_probs_once"],
            "rllib_sample_batch_conversion_s": round(conversion_s, 6),
            "speedup": t["rllib"]["median_s"] / t["offrl"]["median_s"],
            "speedup_probs_once": t["rllib"]["median_s"] / t["offrl_probs_once"]["median_s"],
            # Each function's first call of a sample, right after the others ran (cold caches).
            "speedup_first_call": t["rllib"]["first_call_median_s"]
            / t["offrl"]["first_call_median_s"],
            "speedup_probs_once_first_call": t["rllib"]["first_call_median_s"]
            / t["offrl_probs_once"]["first_call_median_s"],
            # The same ratio in CPU time of this process (less sensitive to other load; every
            # computation here runs in this process, RLlib's old-stack estimators included).
            "speedup_cpu": t["rllib"]["cpu_median_s"] / t["offrl"]["cpu_median_s"],
            "targets": {},
        }
        # Numbers: every target (the timed one reuses its last timed RLlib result).
        for name, pol in targets.items():
            if name == TIMED_TARGET:
                rl = t["rllib"]["_result"]
            else:
                rl = rllib_estimates(eps, pol, cfg, GAMMA)
            pi32 = target_action_probs(pol, eps).astype(np.float32).astype(np.float64)
            row["targets"][name] = {
                "v_target_is": rl["is"]["v_target"],
                "v_target_wis": rl["wis"]["v_target"],
                "rllib_probs": _diff(_ours(eps, rllib_target_probs(pol, eps)), rl),
                "float32_probs": _diff(_ours(eps, pi32), rl),
                "full_precision_probs": _diff(_ours(eps, pol), rl),
            }
        same = _diff(t["offrl"]["_result"], t["offrl_probs_once"]["_result"])["max_abs_diff"]
        row["offrl_variants_agree"] = same == 0.0
        for kind in ("rllib_probs", "float32_probs", "full_precision_probs"):
            for m in ("max_abs_diff", "max_rel_diff"):
                row[f"{m}_{kind}"] = max(v[kind][m] for v in row["targets"].values())
        row["max_abs_diff"] = row["max_abs_diff_rllib_probs"]
        row["max_rel_diff"] = row["max_rel_diff_rllib_probs"]
        log(
            f"ope: {n} episodes: RLlib {t['rllib']['median_s']:.4f} s, offrl "
            f"{t['offrl']['median_s']:.4f} s ({row['speedup']:.1f}x; CPU "
            f"{row['speedup_cpu']:.1f}x), probabilities once "
            f"{t['offrl_probs_once']['median_s']:.4f} s ({row['speedup_probs_once']:.1f}x), "
            f"max |diff| {row['max_abs_diff']:.2e}"
        )
        out["sizes"].append(row)
    out["speedup_min"] = min(r["speedup"] for r in out["sizes"])
    out["speedup_cpu_min"] = min(r["speedup_cpu"] for r in out["sizes"])
    out["speedup_probs_once_min"] = min(r["speedup_probs_once"] for r in out["sizes"])
    out["speedup_first_call_min"] = min(r["speedup_first_call"] for r in out["sizes"])
    out["speedup_probs_once_first_call_min"] = min(
        r["speedup_probs_once_first_call"] for r in out["sizes"]
    )
    out["max_abs_diff"] = max(r["max_abs_diff"] for r in out["sizes"])
    out["max_rel_diff"] = max(r["max_rel_diff"] for r in out["sizes"])
    for kind in ("float32_probs", "full_precision_probs"):
        out[f"max_abs_diff_{kind}"] = max(r[f"max_abs_diff_{kind}"] for r in out["sizes"])
        out[f"max_rel_diff_{kind}"] = max(r[f"max_rel_diff_{kind}"] for r in out["sizes"])
    return out


def headlines(res: dict) -> dict:
    return {
        "ope_speedup_vs_rllib": res["speedup_min"],
        "ope_speedup_vs_rllib_probs_once": res["speedup_probs_once_min"],
        "ope_max_abs_diff": res["max_abs_diff"],
    }


def table(res: dict) -> list[tuple[str, str, str]]:
    rows = []
    for r in res["sizes"]:
        rows.append((
            f"{r['episodes']:,} episodes: RLlib / offrl",
            f"{r['rllib']['median_s']:.4f} s / {r['offrl']['median_s']:.5f} s = "
            f"{r['speedup']:.1f}x (CPU time: {r['speedup_cpu']:.1f}x; probabilities once: "
            f"{r['offrl_probs_once']['median_s']:.5f} s, {r['speedup_probs_once']:.1f}x)",
            ">= 100x",
        ))  # fmt: skip
        rows.append((
            "  ... first call after RLlib's (cold)",
            f"{r['speedup_first_call']:.1f}x (probabilities once: "
            f"{r['speedup_probs_once_first_call']:.1f}x)",
            "",
        ))  # fmt: skip
    rows.append((
        "max |offrl - RLlib| (RLlib's probabilities)",
        f"{res['max_abs_diff']:.1e} (rel {res['max_rel_diff']:.1e})",
        "<= 1e-6",
    ))  # fmt: skip
    rows.append((
        "  ... offrl given pi in float32 / in full",
        f"{res['max_abs_diff_float32_probs']:.1e} (rel {res['max_rel_diff_float32_probs']:.1e}) / "
        f"{res['max_abs_diff_full_precision_probs']:.1e} "
        f"(rel {res['max_rel_diff_full_precision_probs']:.1e})",
        "",
    ))  # fmt: skip
    return rows
