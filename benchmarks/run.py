"""Benchmarks of the offline-RL course: ``make bench`` (= ``python benchmarks/run.py``).

    python benchmarks/run.py                       # every section: a table + results.json
    python benchmarks/run.py --only ope,datagen    # some sections (others kept from results.json)
    python benchmarks/run.py --quick               # fewer repeats and smaller sizes (a smoke run)

Sections (each runs in its own fresh Python process, so one section's imports and memory do not
leak into another's figures):

  ope        offrl's vectorised estimators vs RLlib's old-stack IS/WIS (time, ratio, difference)
  datagen    vectorised simulator vs stepping the gymnasium env; writing 1 M transitions
  course     every solution notebook run top to bottom with nbclient: time, peak memory
  autograde  `nbgrader autograde` of one student's complete submissions, every assignment
  marwil     RLlib MARWIL on the canonical dataset: start-up, iterations, time to beat behaviour
  grading    a synthetic class: sequential nbgrader vs make grade (1 and W workers); sandbox cost

Benchmarks are not tests: nothing asserts a time; goals are printed as met or missed. Figures
that are noisy are medians over repeats, ratios come from runs timed side by side in the same
process, and the machine (cores, memory, load average) is recorded with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    REPO,
    Unavailable,
    load_average,
    log,
    machine_info,
    now,
    strip_private,
)

SECTIONS = ("ope", "datagen", "course", "autograde", "marwil", "grading")
RESULTS = REPO / "benchmarks" / "results.json"

#: headline key -> (direction, goal); direction "min": the value must be >= goal, "max": <= goal.
GOALS = {
    "ope_speedup_vs_rllib": ("min", 100.0),
    "ope_speedup_vs_rllib_probs_once": ("min", 100.0),
    "ope_max_abs_diff": ("max", 1e-6),
    "datagen_steps_per_s": ("min", 2e6),
    "datagen_speedup_vs_step_loop": ("min", 50.0),
    "course_total_s": ("max", 120.0),
    "course_peak_rss_gib": ("max", 3.0),
    "autograde_total_s": ("max", 150.0),
    "marwil_time_to_beat_behaviour_s": (None, None),
    "grading_parallel_efficiency": ("min", 0.85),
    "grading_sandbox_overhead": ("max", 0.15),
    "grading_speedup_vs_nbgrader": (None, None),
    "grading_runner_guard_overhead": (None, None),
}


def _module(section: str):
    import importlib

    return importlib.import_module(f"benchmarks.{'training' if section == 'marwil' else section}")


def _csv_ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--only", help=f"comma-separated sections to run ({', '.join(SECTIONS)})")
    p.add_argument("--skip", default="", help="comma-separated sections not to run")
    p.add_argument("--quick", action="store_true", help="smoke run: fewer repeats, smaller sizes")
    p.add_argument("--repeat", type=int, help="repeats of every timed figure (default: per figure)")
    p.add_argument("--out", type=Path, default=RESULTS, help="results file (default: %(default)s)")
    p.add_argument(
        "--no-merge",
        action="store_true",
        help="do not keep sections from an existing results file that this run did not measure",
    )
    p.add_argument("--ope-sizes", type=_csv_ints, help="episodes per OPE dataset (50,1000,10000)")
    p.add_argument("--datagen-sizes", type=_csv_ints, help="episodes per rollout (50,1000,10000)")
    p.add_argument("--loop-episodes", type=int, help="episodes of the step loop (default 100)")
    p.add_argument("--write-episodes", type=int, help="episodes written to JSONL (default 10000)")
    p.add_argument("--write-repeat", type=int, help="repeats of the JSONL write (default 3)")
    p.add_argument(
        "--marwil-iterations", type=int, help="MARWIL iterations (default: lesson 04's)"
    )
    p.add_argument("--section-timeout", type=float, default=1800, help="seconds per section")
    p.add_argument("--grading-students", type=int, help="grading: submissions per assignment")
    p.add_argument("--grading-assignments", help="grading: comma-separated assignments")
    p.add_argument("--child", choices=SECTIONS, help=argparse.SUPPRESS)
    p.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    quick = opts.quick
    defaults = {
        "ope_sizes": [50, 1000] if quick else [50, 1000, 10_000],
        "datagen_sizes": [50, 1000, 10_000],
        "loop_episodes": 20 if quick else 100,
        "write_episodes": 1000 if quick else 10_000,
        "write_repeat": 1 if quick else 3,
    }
    for k, v in defaults.items():
        if getattr(opts, k) is None:
            setattr(opts, k, v)
    if quick and opts.repeat is None:
        opts.repeat = 2
    return opts


# ---------------------------------------------------------------------------------------------
# One section, in a child process


def run_child(opts) -> int:
    section = opts.child
    result = {"status": "ok", "measured_at": now(), "load_average_before": load_average()}
    t0 = time.perf_counter()
    try:
        result.update(_module(section).run(opts))
    except Unavailable as e:
        result.update(status="unavailable", reason=str(e))
    except Exception as e:  # noqa: BLE001 - reported in the results, the run goes on
        result.update(
            status="failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc()
        )
        log(f"{section}: FAILED: {type(e).__name__}: {e}")
    result["section_wall_s"] = round(time.perf_counter() - t0, 2)
    result["load_average_after"] = load_average()
    opts.child_out.write_text(json.dumps(strip_private(result), indent=1, default=_jsonable))
    return 0


def _jsonable(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _kill_tree(pid: int) -> None:
    """Stop a section's process and everything it started (kernels, Ray), by pid."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True) + [root]
    except psutil.Error:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=10)


def run_section(section: str, argv: list[str], timeout: float) -> dict:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)  # nbgrader shells out to `alembic`
    if env.get("PATH", "").split(os.pathsep)[0] != bindir:
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    with tempfile.TemporaryDirectory(prefix=f"bench-{section}-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), *argv, "--child", section,
               "--child-out", str(out)]  # fmt: skip
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = f"a timeout ({timeout:.0f} s)"
            _kill_tree(proc.pid)
        if out.is_file():
            return json.loads(out.read_text())
        return {
            "status": "failed",
            "measured_at": now(),
            "error": f"the section's process ended with {code} after "
            f"{time.perf_counter() - t0:.0f} s without writing results",
        }


# ---------------------------------------------------------------------------------------------
# Results and the table


def headlines(sections: dict) -> dict:
    out = {k: None for k in GOALS}
    for name, res in sections.items():
        if res.get("status") == "ok":
            try:
                out.update(_module(name).headlines(res))
            except (KeyError, TypeError) as e:
                log(f"{name}: no headline figures ({e})")
    return out


def goal_status(heads: dict) -> dict:
    status = {}
    for key, (direction, goal) in GOALS.items():
        value = heads.get(key)
        if direction is None:
            status[key] = {"goal": None, "met": None}
            continue
        met = None if value is None else (value >= goal if direction == "min" else value <= goal)
        status[key] = {"goal": f"{'>=' if direction == 'min' else '<='} {goal:g}", "met": met}
    return status


def print_table(sections: dict, measured: list[str]) -> None:
    rows = []  # (label, value, goal); a None row is a section heading
    for name in SECTIONS:
        res = sections.get(name)
        if res is None:
            continue
        earlier = f"  (kept from an earlier run, {res.get('measured_at', '?')})"
        when = "" if name in measured else earlier
        rows.append((f"[{name}]{when}", None, None))
        status = res.get("status")
        if status != "ok":
            why = (res.get("reason") or res.get("error", "")).strip().splitlines() or [""]
            rows.append(("  " + status.upper(), why[-1][:110], ""))
            continue
        try:
            section_rows = _module(name).table(res)
        except (KeyError, TypeError, IndexError) as e:
            section_rows = [(name, f"(cannot show: {type(e).__name__}: {e})", "")]
        rows.extend(("  " + a, b, c) for a, b, c in section_rows)
    w0 = max([len(r[0]) for r in rows if r[1] is not None] + [20])
    w1 = max([len(r[1]) for r in rows if r[1] is not None] + [20])
    line = "-" * (w0 + w1 + 14)
    print(line)
    print(f"{'figure':<{w0}}  {'measured':<{w1}}  goal")
    for label, value, goal in rows:
        if value is None:
            print(line)
            print(label)
        else:
            print(f"{label:<{w0}}  {value:<{w1}}  {goal}")
    print(line)


def print_headlines(heads: dict, goals: dict) -> None:
    for key, value in heads.items():
        g = goals[key]
        mark = {True: "met", False: "MISSED", None: ""}[g["met"]]
        shown = "n/a" if value is None else (f"{value:.3g}" if isinstance(value, float) else value)
        print(f"  {key:<34} {shown:>12}   {g['goal'] or '':<10} {mark}")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = parse_args(argv)
    if opts.child:
        return run_child(opts)
    wanted = [s.strip() for s in opts.only.split(",")] if opts.only else list(SECTIONS)
    skip = {s.strip() for s in opts.skip.split(",") if s.strip()}
    unknown = [s for s in wanted + sorted(skip) if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
        return 2
    wanted = [s for s in SECTIONS if s in wanted and s not in skip]

    previous = {}
    if not opts.no_merge and opts.out.is_file():
        try:
            previous = json.loads(opts.out.read_text()).get("sections", {})
        except (OSError, ValueError):
            previous = {}
    machine = machine_info()
    log(f"machine: {machine['cores_logical']} cores, {machine['memory_gib']} GiB, load "
        f"{machine['load_average_1_5_15']}; sections: {', '.join(wanted)}")  # fmt: skip
    sections = dict(previous)
    t0 = time.perf_counter()
    for name in wanted:
        log(f"=== {name} ===")
        sections[name] = run_section(name, argv, opts.section_timeout)
        res = sections[name]
        log(f"{name}: {res.get('status')} in {res.get('section_wall_s', '?')} s")
    heads = headlines(sections)
    goals = goal_status(heads)
    machine["load_average_1_5_15_at_end"] = load_average()
    start_end = (machine["load_average_1_5_15"], machine["load_average_1_5_15_at_end"])
    loads = [x for x in start_end if x]
    busy = bool(loads) and max(x[0] for x in loads) > 0.75 * (machine["cores_logical"] or 1)
    machine["busy"] = busy
    if busy:
        machine["note"] = (
            "other work was running (1-minute load average above 0.75 per core): absolute times "
            "are inflated; ratios, measured side by side, much less so (see the CPU-time ratios)"
        )
    results = {
        **heads,
        "machine": machine,
        "goals": goals,
        "generated_at": now(),
        "command": "python benchmarks/run.py " + " ".join(argv),
        "sections_measured_in_this_run": wanted,
        "run_wall_s": round(time.perf_counter() - t0, 1),
        "sections": {k: sections[k] for k in SECTIONS if k in sections},
    }
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(results, indent=1, default=_jsonable) + "\n")
    print()
    print_table(results["sections"], wanted)
    print("headline figures:")
    print_headlines(heads, goals)
    print(f"machine: {machine['cores_logical']} cores, {machine['memory_gib']} GiB, "
          f"{machine['cpu_model']}; load average {machine['load_average_1_5_15']} at start, "
          f"{machine['load_average_1_5_15_at_end']} at end")  # fmt: skip
    if busy:
        print(f"NOTE: {machine['note']}")
    print(f"written: {opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
