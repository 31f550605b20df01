"""Bad data: the loader, ``python -m offrl validate-data`` and the estimators reject every fault
with an error a learner understands, naming the file, the line (or the episode and step) and the
field, and never skip, truncate or repair anything silently.

Every loader fault starts from a small good file written by :func:`offrl.generate_dataset`
(3 episodes x 4 steps, so file line ``n`` holds episode ``(n - 1) // 4``, step ``(n - 1) % 4``)
and corrupts it in exactly one way. The tests also pin the behaviour decisions about inputs
that are *accepted*: Windows line endings, a missing final newline, extra columns, lines in any
order, string ``eps_id`` values (what RLlib 2.60 writes).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import offrl
from offrl import (
    DataError,
    EnvConfig,
    Episodes,
    OPEError,
    PerDecisionIS,
    PerDecisionWIS,
    TrajectoryIS,
    UniformRandom,
    WeightedIS,
    generate_dataset,
    importance_ratios,
    load_episodes,
    target_action_probs,
    validate_file,
)
from offrl.__main__ import main as cli_main

CONFIG = EnvConfig(num_candidates=5, max_steps=4, obs_mode="sugar")  # obs_dim 6
K = CONFIG.num_candidates
N_EPISODES, T = 3, CONFIG.max_steps
ESTIMATORS = (TrajectoryIS, PerDecisionIS, WeightedIS, PerDecisionWIS)


def line_of(episode: int, t: int) -> int:
    """The 1-based line of step ``t`` of ``episode`` in the good file."""
    return episode * T + t + 1


def make_good(path: Path) -> Episodes:
    return generate_dataset(path, num_episodes=N_EPISODES, config=CONFIG, seed=7)


# --------------------------------------------------------------------------------------------
# Corruptions: each returns a function that edits the good file at ``path`` in place.


def read_rows(path: Path) -> list[dict]:
    return [json.loads(s) for s in path.read_text(encoding="utf-8").splitlines()]


def write_rows(path: Path, rows: list[dict]) -> None:
    # json.dumps prints floats with repr, which reads back to the same float64 as the writer's.
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


RAW = "@@raw@@"


def set_field(line: int, field: str, value, raw: str | None = None):
    """Set ``field`` on ``line`` to ``value`` (a callable gets the old value); with ``raw``,
    the value is written as that literal JSON text instead (e.g. ``1e400``)."""

    def corrupt(path):
        rows = read_rows(path)
        row = rows[line - 1]
        row[field] = value(row[field]) if callable(value) else value
        if raw is not None:
            row[field] = RAW
        write_rows(path, rows)
        if raw is not None:
            path.write_text(path.read_text().replace(json.dumps(RAW), raw))

    return corrupt


def set_fields(line: int, **values):
    def corrupt(path):
        rows = read_rows(path)
        rows[line - 1].update(values)
        write_rows(path, rows)

    return corrupt


def set_obs_element(line: int, field: str, j: int, raw: str):
    """Replace element ``j`` of the list ``field`` on ``line`` by the literal JSON ``raw``."""

    def corrupt(path):
        rows = read_rows(path)
        rows[line - 1][field][j] = RAW
        write_rows(path, rows)
        path.write_text(path.read_text().replace(json.dumps(RAW), raw))

    return corrupt


def drop_field(line: int, field: str):
    def corrupt(path):
        rows = read_rows(path)
        del rows[line - 1][field]
        write_rows(path, rows)

    return corrupt


def edit_rows(fn: Callable[[list[dict]], list[dict] | None]):
    def corrupt(path):
        rows = read_rows(path)
        out = fn(rows)
        write_rows(path, rows if out is None else out)

    return corrupt


def edit_lines(fn: Callable[[list[str]], list[str]]):
    """Edit the raw text lines (without their newlines); the file keeps a final newline."""

    def corrupt(path):
        lines = path.read_text(encoding="utf-8").split("\n")[:-1]
        path.write_text("".join(s + "\n" for s in fn(lines)), encoding="utf-8")

    return corrupt


def edit_bytes(fn: Callable[[bytes], bytes]):
    def corrupt(path):
        path.write_bytes(fn(path.read_bytes()))

    return corrupt


def replace_line(line: int, text: str):
    return edit_lines(lambda ls: ls[: line - 1] + [text] + ls[line:])


def delete_line(line: int):
    return edit_lines(lambda ls: ls[: line - 1] + ls[line:])


def remove_path(path):
    path.unlink()


def make_directory(path):
    path.unlink()
    path.mkdir()


def in_episode(episode: int, fn):
    """Apply ``fn(row)`` to every row of ``episode``."""

    def edit(rows):
        for r in rows:
            if r["eps_id"] == episode:
                fn(r)

    return edit_rows(edit)


def grow_obs(r):
    r["obs"].append(0.5)
    r["new_obs"].append(0.5)


@dataclass(frozen=True)
class Fault:
    id: str
    corrupt: Callable[[Path], None]
    line: int | None  # None: the file as a whole
    field: str | None  # None: not one field (the line as a whole)
    says: tuple[str, ...] = ()  # words the message must contain (case-insensitive)


LAST = N_EPISODES * T  # last line of the good file

FAULTS = [
    # --- the file as a whole
    Fault("missing_file", remove_path, None, None, ("no such file",)),
    Fault("a_directory", make_directory, None, None, ("directory",)),
    Fault("empty_file", edit_bytes(lambda b: b""), None, None, ("empty",)),
    Fault("only_newlines", edit_bytes(lambda b: b"\n\n\n"), None, None, ("empty",)),
    Fault("utf16_file", edit_bytes(lambda b: b.decode().encode("utf-16")), None, None,
          ("utf-16", "utf-8")),
    Fault("gzip_file", edit_bytes(lambda b: __import__("gzip").compress(b)), None, None,
          ("gzip",)),
    # --- a line that is not one JSON object
    Fault("not_utf8", edit_bytes(lambda b: b.replace(b'"t": 2', b'"t\xe9": 2', 1)), 3, None,
          ("utf-8",)),
    Fault("utf8_bom", edit_bytes(lambda b: b"\xef\xbb\xbf" + b), 1, None, ("bom",)),
    Fault("truncated_last_line", edit_bytes(lambda b: b[: len(b) - 150]), LAST, None,
          ("cut short",)),
    Fault("invalid_json", edit_lines(lambda ls: ls[:5] + [ls[5].replace("],", "", 1)] + ls[6:]),
          6, None, ("invalid json", "column")),
    Fault("two_objects_on_a_line", edit_lines(lambda ls: ls[:1] + [ls[1] + ls[2]] + ls[3:]),
          2, None, ("invalid json",)),
    Fault("json_array_not_object", replace_line(5, "[1, 2, 3]"), 5, None, ("json object",)),
    Fault("json_number_not_object", replace_line(5, "42"), 5, None, ("json object",)),
    Fault("blank_line_in_middle", edit_lines(lambda ls: ls[:4] + [""] + ls[4:]), 5, None,
          ("blank",)),
    Fault("blank_line_at_end", edit_bytes(lambda b: b + b"\n"), LAST + 1, None, ("blank",)),
    Fault("whitespace_line", edit_lines(lambda ls: ls[:4] + ["   \t"] + ls[4:]), 5, None,
          ("blank",)),
    Fault("duplicate_key", edit_lines(lambda ls: ls[:6] + [ls[6][:-1] + ', "actions": 3}']
                                      + ls[7:]), 7, "actions", ("twice",)),
    Fault("old_samplebatch_line", replace_line(2, json.dumps(
        {"type": "SampleBatch", "eps_id": [0, 0], "t": [0, 1], "obs": "BCJNGGhAAAAA"})),
        2, "type", ("samplebatch", "one transition per line")),
    # --- columns
    Fault("missing_column", drop_field(2, "action_prob"), 2, "action_prob", ("missing",)),
    Fault("misspelt_column", edit_rows(lambda rows: rows[3].update(action=rows[3].pop("actions"))),
          4, "actions", ("missing", "'action'")),
    Fault("return_to_go_on_some_lines_only", drop_field(10, "return_to_go"), 10, "return_to_go",
          ("missing",)),
    # --- eps_id and t
    Fault("eps_id_fractional", set_field(6, "eps_id", 1.5), 6, "eps_id", ("integer",)),
    Fault("eps_id_boolean", set_field(6, "eps_id", True), 6, "eps_id", ("boolean",)),
    Fault("eps_id_null", set_field(6, "eps_id", None), 6, "eps_id", ("null",)),
    Fault("eps_id_empty_string", set_field(6, "eps_id", ""), 6, "eps_id", ("empty",)),
    Fault("eps_id_string_and_integer_mixed", in_episode(1, lambda r: r.update(eps_id="1")),
          line_of(1, 0), "eps_id", ("string", "integer", "line 1")),
    Fault("eps_id_too_large", set_field(1, "eps_id", 2**64), 1, "eps_id", ("64-bit",)),
    Fault("t_negative", set_field(1, "t", -1), 1, "t", (">= 0",)),
    Fault("t_string", set_field(2, "t", "1"), 2, "t", ("integer", '"1"')),
    Fault("t_float", set_field(2, "t", 1.0), 2, "t", ("integer", "1.0")),
    Fault("duplicate_step", edit_lines(lambda ls: ls[:2] + [ls[1]] + ls[2:]), 3, "t",
          ("duplicate", "t=1", "line 2")),
    Fault("gap_in_t", delete_line(line_of(1, 2)), line_of(1, 2), "t",
          ("t=2", "missing")),
    Fault("first_step_missing", delete_line(1), 1, "t", ("t=0", "missing")),
    # --- actions
    Fault("action_string", set_field(3, "actions", "2"), 3, "actions", ("integer", "string")),
    Fault("action_fractional", set_field(3, "actions", 1.5), 3, "actions",
          ("integer", "fractional")),
    Fault("action_written_as_float", set_field(3, "actions", 2.0), 3, "actions",
          ("integer", "2.0")),
    Fault("action_negative", set_field(3, "actions", -1), 3, "actions", ("range",)),
    Fault("action_too_large", set_field(3, "actions", K), 3, "actions", ("range",)),
    Fault("action_boolean", set_field(3, "actions", True), 3, "actions", ("integer", "boolean")),
    # --- observations
    Fault("obs_too_short", set_field(6, "obs", lambda o: o[:-1]), 6, "obs",
          ("5 values", "6")),
    Fault("new_obs_too_long", set_field(6, "new_obs", lambda o: o + [0.5]), 6, "new_obs",
          ("7 values", "6")),
    Fault("obs_size_differs_in_one_episode", in_episode(2, grow_obs), line_of(2, 0), "obs",
          ("7 values", "6")),
    Fault("obs_nan", set_obs_element(2, "obs", 1, "NaN"), 2, "obs", ("element 1", "finite")),
    Fault("obs_infinity", set_obs_element(2, "obs", 1, "Infinity"), 2, "obs", ("finite",)),
    Fault("obs_1e400", set_obs_element(2, "obs", 1, "1e400"), 2, "obs", ("finite",)),
    Fault("obs_beyond_float32", set_obs_element(2, "obs", 1, "1e39"), 2, "obs", ("float32",)),
    Fault("new_obs_nan", set_obs_element(2, "new_obs", 0, "NaN"), 2, "new_obs", ("finite",)),
    Fault("obs_element_string", set_obs_element(2, "obs", 1, '"0.5"'), 2, "obs",
          ("element 1", "number")),
    Fault("obs_nested_list", set_field(2, "obs", lambda o: [o]), 2, "obs", ("element 0",)),
    Fault("obs_empty_list", set_field(2, "obs", []), 2, "obs", ("non-empty",)),
    Fault("obs_compressed_string", set_field(2, "obs", "BCJNGGhAq1IAAAAAAAA="), 2, "obs",
          ("list", "compress")),
    Fault("obs_null", set_field(2, "obs", None), 2, "obs", ("list", "null")),
    Fault("new_obs_not_next_obs", set_obs_element(2, "new_obs", 0, "0.123"), 2, "new_obs",
          ("differs", "t=2", "line 3")),
    # --- rewards
    Fault("reward_list", set_field(3, "rewards", lambda r: [r]), 3, "rewards", ("number",)),
    Fault("reward_string", set_field(3, "rewards", "0.5"), 3, "rewards", ("number",)),
    Fault("reward_nan", set_field(3, "rewards", math.nan), 3, "rewards", ("finite", "nan")),
    Fault("reward_1e400", set_field(3, "rewards", 0, raw="1e400"), 3, "rewards", ("finite",)),
    Fault("reward_huge_integer", set_field(3, "rewards", 10**400), 3, "rewards",
          ("float32", "401 digits")),
    Fault("reward_beyond_float32", set_field(3, "rewards", 1e39), 3, "rewards", ("float32",)),
    Fault("return_to_go_nan", set_field(5, "return_to_go", math.nan), 5, "return_to_go",
          ("finite",)),
    # --- behaviour probabilities
    Fault("action_prob_zero", set_fields(4, action_prob=0.0, action_logp=-math.inf), 4,
          "action_prob", ("(0, 1]",)),
    Fault("action_prob_negative", set_fields(4, action_prob=-0.25), 4, "action_prob",
          ("(0, 1]",)),
    Fault("action_prob_above_one", set_fields(4, action_prob=1.5, action_logp=math.log(1.5)), 4,
          "action_prob", ("(0, 1]",)),
    Fault("action_prob_nan", set_fields(4, action_prob=math.nan), 4, "action_prob",
          ("finite",)),
    Fault("action_prob_string", set_fields(4, action_prob="0.5"), 4, "action_prob",
          ("number",)),
    Fault("action_prob_not_exp_logp", set_field(4, "action_prob", lambda p: p * 0.9), 4,
          "action_logp", ("exp(action_logp)", "action_prob")),
    Fault("action_logp_positive_huge", set_field(4, "action_logp", 1000.0), 4, "action_logp",
          ("exp(action_logp)",)),
    Fault("action_logp_nan", set_field(4, "action_logp", math.nan), 4, "action_logp",
          ("finite",)),
    # --- episode ends
    Fault("terminated_as_0", set_field(2, "terminateds", 0), 2, "terminateds",
          ("true or false",)),
    Fault("truncated_as_1", set_field(4, "truncateds", 1), 4, "truncateds", ("true or false",)),
    Fault("terminated_as_string", set_field(2, "terminateds", "false"), 2, "terminateds",
          ("true or false",)),
    Fault("terminated_and_truncated", set_field(4, "terminateds", True), 4, "truncateds",
          ("both",)),
    Fault("steps_after_terminal", set_field(line_of(1, 1), "terminateds", True), line_of(1, 1),
          "terminateds", ("continues", f"line {line_of(1, 2)}")),
    Fault("steps_after_truncation", set_field(line_of(1, 2), "truncateds", True), line_of(1, 2),
          "truncateds", ("continues",)),
    Fault("episode_never_ends", set_field(line_of(2, 3), "truncateds", False), line_of(2, 3),
          "terminateds", ("never ends",)),
    Fault("last_lines_missing", edit_lines(lambda ls: ls[:-1]), line_of(2, 2), "terminateds",
          ("never ends",)),
    Fault("two_logs_concatenated", edit_lines(lambda ls: ls + ls), LAST + 1, "t",
          ("duplicate", "t=0", "line 1")),
]
assert len({f.id for f in FAULTS}) == len(FAULTS), "fault ids must be unique"


@pytest.fixture(scope="module")
def fault_files(tmp_path_factory):
    """One corrupted copy of the good file per fault, keyed by fault id."""
    root = tmp_path_factory.mktemp("faults")
    files = {}
    for fault in FAULTS:
        path = root / f"{fault.id}.json"
        make_good(path)
        fault.corrupt(path)
        files[fault.id] = path
    return files


@pytest.fixture(scope="module")
def cli_all_faults(fault_files, tmp_path_factory):
    """The real command line, run once on a good file, every faulty file and another good one."""
    root = tmp_path_factory.mktemp("good")
    good = [root / "good_a.json", root / "good_b.json"]
    for p in good:
        make_good(p)
    files = [good[0], *fault_files.values(), good[1]]
    proc = run_cli(*files)
    return good, proc


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "offrl", "validate-data", *map(str, args)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def check_data_error(err: BaseException, path: Path, fault: Fault) -> None:
    """The error is a DataError that points at the file, the line and the field, in one line."""
    assert type(err) is DataError, f"expected DataError, got {type(err).__name__}: {err}"
    msg = str(err)
    assert err.path == str(path)
    assert err.line == fault.line, f"wrong line in: {msg}"
    assert err.field == fault.field, f"wrong field in: {msg}"
    where = f"{path}:{fault.line}: " if fault.line is not None else f"{path}: "
    assert msg.startswith(where), msg
    if fault.field is not None:
        assert msg.startswith(f"{where}{fault.field}: "), msg
    for word in fault.says:
        assert word.lower() in msg.lower(), f"{word!r} not in: {msg}"
    assert "\n" not in msg and len(msg) < len(str(path)) + 400, msg
    assert err.problem and "Traceback" not in msg


# --------------------------------------------------------------------------------------------
# The good file and the test helpers themselves


def episodes_equal(a: Episodes, b: Episodes) -> None:
    for name in ("eps_id", "obs", "actions", "rewards", "new_obs", "terminateds", "truncateds",
                 "action_prob", "mask"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_good_file_loads_as_written(tmp_path):
    path = tmp_path / "good.json"
    written = make_good(path)
    eps = load_episodes(path, num_actions=K)
    episodes_equal(eps, written)
    assert eps.line.tolist() == [[line_of(i, t) for t in range(T)] for i in range(N_EPISODES)]
    assert validate_file(path, K).startswith(f"{path}: OK: {N_EPISODES * T} transitions")


def test_rewriting_rows_is_not_itself_a_fault(tmp_path):
    """Control for the corruption helpers: re-serialising every row changes nothing."""
    path = tmp_path / "good.json"
    written = make_good(path)
    write_rows(path, read_rows(path))
    episodes_equal(load_episodes(path, K), written)
    edit_lines(lambda ls: ls)(path)
    episodes_equal(load_episodes(path, K), written)


# --------------------------------------------------------------------------------------------
# Every fault: loader, validate_file, in-process CLI and the real CLI


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_loader_rejects(fault, fault_files, capsys):
    path = fault_files[fault.id]
    with pytest.raises(Exception) as info:
        load_episodes(path, num_actions=K)
    check_data_error(info.value, path, fault)
    with pytest.raises(Exception) as again:
        validate_file(path, K)
    check_data_error(again.value, path, fault)
    # the command line prints exactly that message on stderr and exits 1
    assert cli_main(["validate-data", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"{info.value}\n"


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_cli_reports_fault(fault, fault_files, cli_all_faults):
    path = fault_files[fault.id]
    _, proc = cli_all_faults
    mine = [s for s in proc.stderr.splitlines() if s.startswith(f"{path}:")]
    where = f"{path}:{fault.line}: " if fault.line is not None else f"{path}: "
    assert len(mine) == 1 and mine[0].startswith(where), proc.stderr
    if fault.field is not None:
        assert mine[0].startswith(f"{where}{fault.field}: ")


def test_cli_many_files_at_once(fault_files, cli_all_faults):
    """Good files get a summary on stdout, each bad file one line on stderr, in order; exit 1."""
    good, proc = cli_all_faults
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    assert [s.split(": OK: ")[0] for s in out] == [str(p) for p in good], proc.stdout
    err = proc.stderr.splitlines()
    assert len(err) == len(FAULTS), proc.stderr
    for line, path in zip(err, fault_files.values()):
        assert line.startswith(f"{path}:"), line


def test_cli_good_files(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    written = [make_good(p) for p in paths]
    proc = run_cli(*paths)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout.splitlines()
    assert len(out) == 2
    for line, path, eps in zip(out, paths, written):
        assert line == validate_file(path, K)
        assert line.startswith(f"{path}: OK: {N_EPISODES * T} transitions in {N_EPISODES} episodes")
        assert f"mean return {eps.returns().mean():.3f}" in line


def test_cli_num_actions(tmp_path):
    path = tmp_path / "good.json"
    eps = make_good(path)
    top = int(eps.actions.max())
    assert cli_main(["validate-data", "--num-actions", str(top + 1), str(path)]) == 0
    assert cli_main(["validate-data", "--num-actions", str(top), str(path)]) == 1
    with pytest.raises(SystemExit) as info:  # argparse: usage error, exit status 2
        cli_main(["validate-data", "--num-actions", "0", str(path)])
    assert info.value.code == 2


def test_unreadable_file(tmp_path, monkeypatch):
    """A read error (permissions, I/O) becomes a DataError. Simulated, since root reads anything."""
    path = tmp_path / "good.json"
    make_good(path)

    def deny(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(DataError) as info:
        load_episodes(path, K)
    assert info.value.path == str(path) and "permission denied" in str(info.value).lower()


def test_huge_integers_without_num_actions(tmp_path):
    """Without ``num_actions`` an action still has to fit the int64 array it is stored in."""
    path = tmp_path / "bad.json"
    make_good(path)
    set_field(3, "actions", 2**63)(path)
    with pytest.raises(DataError) as info:
        load_episodes(path)
    assert (info.value.line, info.value.field) == (3, "actions")
    assert "64-bit" in str(info.value)


# --------------------------------------------------------------------------------------------
# Inputs that are accepted (behaviour decisions)


def test_windows_line_endings_are_accepted(tmp_path):
    """CRLF: ``\\r`` is JSON whitespace, json.loads and RLlib's reader both read such files; the
    data are identical, so there is nothing to repair."""
    path = tmp_path / "crlf.json"
    written = make_good(path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    eps = load_episodes(path, K)
    episodes_equal(eps, written)
    assert eps.line[1, 0] == line_of(1, 0)
    assert cli_main(["validate-data", str(path)]) == 0


def test_windows_line_endings_still_locate_errors(tmp_path):
    path = tmp_path / "crlf.json"
    make_good(path)
    set_field(6, "rewards", "x")(path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DataError) as info:
        load_episodes(path, K)
    assert (info.value.line, info.value.field) == (6, "rewards")


def test_missing_final_newline_is_accepted(tmp_path):
    path = tmp_path / "no_newline.json"
    written = make_good(path)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    episodes_equal(load_episodes(path, K), written)


def test_extra_columns_are_kept(tmp_path):
    path = tmp_path / "extra.json"
    written = make_good(path)

    def add(rows):
        for n, r in enumerate(rows, start=1):
            r["user_segment"] = f"seg{n % 3}"
            r["dwell"] = n * 0.5
        rows[4]["debug"] = [1, 2]  # only on line 5

    edit_rows(add)(path)
    eps = load_episodes(path, K)
    episodes_equal(eps, written)
    assert {"user_segment", "dwell", "debug", "return_to_go"} <= set(eps.extras)
    for i in range(N_EPISODES):
        for t in range(T):
            n = line_of(i, t)
            assert eps.extras["user_segment"][i, t] == f"seg{n % 3}"
            assert eps.extras["dwell"][i, t] == n * 0.5
            assert eps.extras["debug"][i, t] == ([1, 2] if n == 5 else None)
    assert eps.episode(1)["debug"].tolist() == [[1, 2], None, None, None]
    np.testing.assert_allclose(eps.extras["return_to_go"], written.returns_to_go(), rtol=1e-12)


def test_lines_in_any_order_are_accepted(tmp_path):
    """Steps are grouped by eps_id and ordered by t (RLlib shuffles rows anyway); nothing is
    lost: ``line`` still says where each step came from."""
    path = tmp_path / "shuffled.json"
    written = make_good(path)
    order = [line_of(0, 2), line_of(1, 0), line_of(0, 0), line_of(2, 3), line_of(0, 3),
             line_of(2, 0), line_of(1, 1), line_of(0, 1), line_of(2, 1), line_of(1, 3),
             line_of(2, 2), line_of(1, 2)]  # fmt: skip
    edit_lines(lambda ls: [ls[n - 1] for n in order])(path)
    eps = load_episodes(path, K)
    episodes_equal(eps.subset([eps.eps_id.tolist().index(i) for i in range(N_EPISODES)]), written)
    for new_line, old_line in enumerate(order, start=1):
        i, t = divmod(old_line - 1, T)
        assert eps.line[list(eps.eps_id).index(i), t] == new_line


def test_string_eps_ids_are_accepted(tmp_path):
    """RLlib 2.60's offline writer stores ``SingleAgentEpisode.id_`` (a uuid4 hex string) as
    eps_id, and its reader turns any eps_id into ``str``; so string ids are accepted, as long
    as every line uses the same kind (a file mixing 1 and "1" is ambiguous and rejected)."""
    path = tmp_path / "str_ids.json"
    written = make_good(path)
    ids = ["3f2a9c", "b71e00", "0c55d4"]

    def rename(rows):
        for r in rows:
            r["eps_id"] = ids[r["eps_id"]]

    edit_rows(rename)(path)
    eps = load_episodes(path, K)
    assert eps.eps_id.tolist() == ids
    for name in ("obs", "actions", "rewards", "action_prob", "mask"):
        np.testing.assert_array_equal(getattr(eps, name), getattr(written, name))
    target = UniformRandom(CONFIG)
    for est in ESTIMATORS:
        assert est().estimate(eps, target).value == est().estimate(written, target).value
    # and a later error names the string id
    set_field(line_of(1, 3), "truncateds", False)(path)
    with pytest.raises(DataError, match='episode "b71e00" never ends'):
        load_episodes(path, K)


def test_integer_rewards_are_accepted(tmp_path):
    path = tmp_path / "int_reward.json"
    make_good(path)
    set_field(2, "rewards", 1)(path)
    assert load_episodes(path, K).rewards[0, 1] == 1.0


# --------------------------------------------------------------------------------------------
# Estimators: faults in the episodes or the target policy


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    path = tmp_path_factory.mktemp("est") / "good.json"
    make_good(path)
    return load_episodes(path, K)


def copy(eps: Episodes, **changes) -> Episodes:
    """A deep copy of ``eps`` with some arrays replaced (the fixture stays intact)."""
    out = eps.subset(np.arange(len(eps)))
    for k, v in changes.items():
        setattr(out, k, v)
    return out


def with_value(a: np.ndarray, index, value) -> np.ndarray:
    a = np.array(a)  # a copy, same dtype
    a[index] = value
    return a


def uniform_target(eps):
    return target_action_probs(UniformRandom(CONFIG), eps)


@dataclass(frozen=True)
class EstFault:
    id: str
    build: Callable[[Episodes], tuple[Episodes, object]]  # -> (episodes, target)
    says: tuple[str, ...]
    at: tuple[int, int] | None = None  # (episode, step) the message must locate, with its line


STEP = (1, 2)  # the step the point faults are put at

EST_FAULTS = [
    EstFault("target_nan", lambda e: (e, with_value(uniform_target(e), STEP, np.nan)),
             ("target probability", "nan"), STEP),
    EstFault("target_inf", lambda e: (e, with_value(uniform_target(e), STEP, np.inf)),
             ("target probability", "inf"), STEP),
    EstFault("target_negative", lambda e: (e, with_value(uniform_target(e), STEP, -0.1)),
             ("outside [0, 1]",), STEP),
    EstFault("target_above_one", lambda e: (e, with_value(uniform_target(e), STEP, 1.5)),
             ("outside [0, 1]",), STEP),
    EstFault("target_too_few_episodes", lambda e: (e, uniform_target(e)[:-1]),
             ("shape", f"({N_EPISODES}, {T})")),
    EstFault("target_too_many_steps", lambda e: (e, np.full((N_EPISODES, T + 1), 0.2)),
             ("shape", f"({N_EPISODES}, {T})")),
    EstFault("target_one_dimensional", lambda e: (e, np.full(N_EPISODES * T, 0.2)), ("shape",)),
    EstFault("target_ragged_lists", lambda e: (e, [[0.2] * T, [0.2] * (T - 1), [0.2] * T]),
             ("target probabilities", "shape")),
    EstFault("target_strings", lambda e: (e, np.full((N_EPISODES, T), "high")),
             ("target probabilities", "number")),
    EstFault("target_none", lambda e: (e, None), ("target",)),
    EstFault("policy_wrong_shape", lambda e: (e, lambda obs: np.full(len(obs), 0.2)),
             ("policy", "shape")),
    EstFault("policy_too_few_actions",  # every logged action 0 except a 4 at STEP
             lambda e: (copy(e, actions=with_value(np.zeros_like(e.actions), STEP, K - 1)),
                        lambda obs: np.ones((len(obs), 1))),
             ("1 action (0 to 0)", f"is {K - 1}"), STEP),
    EstFault("policy_returns_logits",
             lambda e: (e, lambda obs: np.log(UniformRandom(CONFIG)(obs)) + 3.0),
             ("sum", "softmax"), (0, 0)),
    EstFault("policy_returns_nan", lambda e: (e, lambda obs: np.full((len(obs), K), np.nan)),
             ("policy", "finite"), (0, 0)),
    EstFault("behaviour_prob_zero",
             lambda e: (copy(e, action_prob=with_value(e.action_prob, STEP, 0.0)),
                        uniform_target(e)),
             ("behaviour probability", "0"), STEP),
    EstFault("behaviour_prob_nan",
             lambda e: (copy(e, action_prob=with_value(e.action_prob, STEP, np.nan)),
                        uniform_target(e)),
             ("behaviour probability", "nan"), STEP),
    EstFault("behaviour_prob_above_one",
             lambda e: (copy(e, action_prob=with_value(e.action_prob, STEP, 1.5)),
                        uniform_target(e)),
             ("behaviour probability", "1.5"), STEP),
    EstFault("reward_nan",
             lambda e: (copy(e, rewards=with_value(e.rewards, STEP, np.nan)), uniform_target(e)),
             ("reward", "nan"), STEP),
    EstFault("weights_overflow",  # weights 1e60, 1e120, 1e180 (> 1e150) along each episode
             lambda e: (copy(e, action_prob=np.full(e.action_prob.shape, 1e-60)),
                        np.ones(e.actions.shape)),
             ("overflow", "1e150"), (0, 2)),
    EstFault("empty_dataset", lambda e: (e.subset(np.array([], dtype=int)), uniform_target(e)),
             ("empty",)),
    EstFault("inconsistent_episode_arrays",
             lambda e: (copy(e, rewards=e.rewards[:, :-1]), uniform_target(e)),
             ("rewards", "shape")),
]


@pytest.mark.parametrize("block", ["one_block", "episode_per_block"])
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("fault", EST_FAULTS, ids=lambda f: f.id)
def test_estimators_reject(fault, estimator, block, logged, monkeypatch):
    """Every fault, with the policy evaluated in one block or one episode at a time (the
    located message must name the same step whichever block it is in)."""
    if block == "episode_per_block":
        monkeypatch.setattr(offrl.estimators, "BLOCK_STEPS", T)
    episodes, target = fault.build(logged)
    with pytest.raises(Exception) as info:
        estimator().estimate(episodes, target)
    err = info.value
    assert type(err) is OPEError, f"expected OPEError, got {type(err).__name__}: {err}"
    msg = str(err)
    for word in fault.says:
        assert word.lower() in msg.lower(), f"{word!r} not in: {msg}"
    if fault.at is not None:
        i, t = fault.at
        assert f"{logged.source}:{logged.line[i, t]}, episode {i} step {t}" in msg, msg
    assert "\n" not in msg and "np." not in msg, msg


def test_estimator_errors_without_a_file(logged):
    """Episodes built in memory have no lines: the message names the episode and step only."""
    eps = Episodes.from_rollouts(offrl.rollout(UniformRandom(CONFIG), 3, CONFIG, seed=1))
    p = with_value(target_action_probs(UniformRandom(CONFIG), eps), (2, 1), np.nan)
    with pytest.raises(OPEError, match=r"at episode 2 step 1\b") as info:
        TrajectoryIS().estimate(eps, p)
    assert "<memory>" not in str(info.value)


@pytest.mark.parametrize("estimator", (WeightedIS, PerDecisionWIS), ids=lambda c: c.__name__)
def test_weighted_estimators_reject_all_zero_weights(estimator, logged):
    """The target never takes a logged action: sum of weights is 0, the ratio 0/0 undefined."""
    p = np.zeros(logged.actions.shape)
    with pytest.raises(OPEError, match="all importance weights are 0"):
        estimator().estimate(logged, p)


def test_per_decision_wis_names_the_step_without_overlap(logged):
    p = uniform_target(logged)
    p[:, 2] = 0.0
    with pytest.raises(OPEError, match="all importance weights are 0 at step 2"):
        PerDecisionWIS().estimate(logged, p)
    with pytest.raises(OPEError, match="all importance weights are 0"):
        WeightedIS().estimate(logged, p)


@pytest.mark.parametrize("estimator", (TrajectoryIS, PerDecisionIS), ids=lambda c: c.__name__)
def test_unweighted_estimators_give_zero_for_all_zero_weights(estimator, logged):
    """Decision: for plain IS an all-zero weight is a defined (unbiased) estimate of 0, not an
    error; it is the weighted estimators' normaliser that becomes 0/0."""
    est = estimator().estimate(logged, np.zeros(logged.actions.shape))
    assert est.value == 0.0 and est.ess == 0.0


def test_target_probability_zero_where_behaviour_logged_is_fine(logged):
    """Probability 0 under the target is valid input (weight 0), unlike 0 under behaviour."""
    p = uniform_target(logged)
    p[0, 1] = 0.0
    for est in ESTIMATORS:
        assert math.isfinite(est().estimate(logged, p).value)


def test_large_finite_weights_are_accepted(logged):
    """The overflow guard is not over-strict: weights up to 1e120 still give finite figures."""
    eps = copy(logged, action_prob=np.full(logged.action_prob.shape, 1e-30))  # weights to 1e120
    for est in ESTIMATORS:
        e = est().estimate(eps, np.ones(eps.actions.shape))
        assert all(map(math.isfinite, (e.value, e.stderr, e.ess))), e


def test_huge_finite_rewards_are_not_mistaken_for_infinite(logged):
    """Rewards near float64's limit are finite (their sum is not: a fast check must not sum
    them), and an infinite one among them is still found."""
    r = np.array(logged.rewards, dtype=np.float64)
    r[0, 0] = r[1, 0] = 1.5e308
    eps = copy(logged, rewards=r)
    rho = importance_ratios(eps, uniform_target(eps))  # no OPEError
    assert np.isfinite(rho).all()
    r[1, 1] = np.inf  # while a real infinity is still found and located
    with pytest.raises(OPEError, match=r"reward inf is not a finite number at .*step 1"):
        importance_ratios(eps, uniform_target(eps))


def test_float32_policy_probabilities_are_accepted(logged):
    """A policy computed in float32 (as a torch module is) passes the rows-sum-to-1 check and
    gives the float64 policy's estimate to float32 precision."""
    policy = offrl.SoftmaxSweetness(CONFIG, temperature=0.5)
    as_float32 = lambda obs: policy(obs).astype(np.float32)  # noqa: E731
    for est in ESTIMATORS:
        exact = est().estimate(logged, policy).value
        # 4 steps of float32 ratios (relative error ~6e-8 each): 1e-5 is a generous bound
        assert est().estimate(logged, as_float32).value == pytest.approx(exact, rel=1e-5)
