"""The logged dataset: JSON Lines schema, generation, loading and validation.

One line per transition, the columnar form RLlib's new API stack reads with
``offline_data(input_=[path], input_read_method="read_json")``:

=============== ========= =====================================================================
column          type      meaning
=============== ========= =====================================================================
eps_id          int|str   episode id (one simulated user); one kind throughout the file
t               int       step within the episode: 0, 1, ..., length - 1
obs             [float]   observation before the step
actions         int       recommended item, in [0, num_candidates)
rewards         float     reward of the step
new_obs         [float]   observation after the step (= next step's ``obs``)
terminateds     bool      the episode ended in a terminal state (never, for this recommender)
truncateds      bool      the episode was cut at ``max_steps``
action_prob     float     behaviour policy's probability of ``actions``, in (0, 1]
action_logp     float     its log, ``log(action_prob)``
return_to_go    float     optional: ``sum_{t' >= t} gamma**(t'-t) r_t'`` with ``gamma`` =
                          :data:`RETURN_TO_GO_GAMMA`
=============== ========= =====================================================================

Other columns are allowed and kept (in :attr:`Episodes.extras`). Loading never skips, truncates
or repairs anything: every problem raises :class:`DataError` naming the file, the line and the
field.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from offrl.env import EnvConfig
from offrl.policies import Policy, behaviour_policy
from offrl.simulator import Rollouts, discounts, rollout

REQUIRED_COLUMNS = (
    "eps_id",
    "t",
    "obs",
    "actions",
    "rewards",
    "new_obs",
    "terminateds",
    "truncateds",
    "action_prob",
    "action_logp",
)
OPTIONAL_COLUMNS = ("return_to_go",)
RETURN_TO_GO_GAMMA = 0.99
#: ``exp(action_logp)`` must equal ``action_prob`` to this relative tolerance (float64 round trip
#: of two independently printed numbers is exact to ~1e-16; 1e-6 allows other writers' float32).
LOGP_RTOL = 1e-6


class DataError(ValueError):
    """A problem in a logged-data file, located by file, line (1-based) and field."""

    def __init__(self, path, line: int | None, field: str | None, problem: str):
        self.path, self.line, self.field, self.problem = str(path), line, field, problem
        where = self.path if line is None else f"{self.path}:{line}"
        what = problem if field is None else f"{field}: {problem}"
        super().__init__(f"{where}: {what}")


def discounted_returns_to_go(rewards: np.ndarray, gamma: float, mask: np.ndarray | None = None):
    """``G_t = r_t + gamma * G_{t+1}`` along the last axis (steps outside ``mask`` count as 0)."""
    r = np.asarray(rewards, dtype=np.float64)
    if mask is not None:
        r = np.where(mask, r, 0.0)
    out = np.zeros_like(r)
    acc = np.zeros(r.shape[:-1])
    for t in range(r.shape[-1] - 1, -1, -1):
        acc = r[..., t] + gamma * acc
        out[..., t] = acc
    return out


@dataclass
class Episodes:
    """Logged episodes as padded arrays with leading axes ``(num_episodes, max_len)``.

    Step ``t`` of episode ``i`` is real where ``mask[i, t]``; padding holds zeros (and
    ``action_prob`` 1). ``line[i, t]`` is the file line the step came from (0 if not from a file).
    """

    eps_id: np.ndarray
    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    new_obs: np.ndarray
    terminateds: np.ndarray
    truncateds: np.ndarray
    action_prob: np.ndarray
    mask: np.ndarray
    line: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    source: str = "<memory>"

    @property
    def lengths(self) -> np.ndarray:
        return self.mask.sum(axis=1)

    @property
    def action_logp(self) -> np.ndarray:
        return np.log(self.action_prob)

    @property
    def num_steps(self) -> int:
        return int(self.mask.sum())

    def __len__(self) -> int:
        return len(self.eps_id)

    def returns(self, gamma: float = 1.0) -> np.ndarray:
        """Each episode's return ``sum_t gamma**t r_t``, shape ``(num_episodes,)``."""
        r = self.rewards if self.mask.all() else np.where(self.mask, self.rewards, 0.0)
        return np.asarray(r, dtype=np.float64) @ discounts(self.rewards.shape[1], gamma)

    def returns_to_go(self, gamma: float = RETURN_TO_GO_GAMMA) -> np.ndarray:
        return discounted_returns_to_go(self.rewards, gamma, self.mask)

    def episode(self, i: int) -> dict[str, np.ndarray]:
        """Episode ``i`` unpadded, as a dict of arrays of its own length."""
        n = int(self.lengths[i])
        cols = ("obs", "actions", "rewards", "new_obs", "terminateds", "truncateds", "action_prob")
        ep = {c: getattr(self, c)[i, :n] for c in cols}
        ep.update({k: v[i, :n] for k, v in self.extras.items()})
        ep["eps_id"] = self.eps_id[i]
        return ep

    def subset(self, index) -> "Episodes":
        """The episodes selected by ``index`` (indices, a slice or a boolean mask)."""
        pick = lambda a: a[index]  # noqa: E731
        return Episodes(
            eps_id=pick(self.eps_id), obs=pick(self.obs), actions=pick(self.actions),
            rewards=pick(self.rewards), new_obs=pick(self.new_obs),
            terminateds=pick(self.terminateds), truncateds=pick(self.truncateds),
            action_prob=pick(self.action_prob), mask=pick(self.mask), line=pick(self.line),
            extras={k: pick(v) for k, v in self.extras.items()}, source=self.source,
        )  # fmt: skip

    @classmethod
    def from_rollouts(cls, ro: Rollouts) -> "Episodes":
        """Wrap simulator rollouts (all episodes full length) without going through a file."""
        n, T = ro.actions.shape
        truncateds = np.zeros((n, T), bool)
        truncateds[:, -1] = True
        return cls(
            eps_id=np.arange(n), obs=ro.obs, actions=ro.actions, rewards=ro.rewards,
            new_obs=ro.next_obs, terminateds=np.zeros((n, T), bool), truncateds=truncateds,
            action_prob=ro.action_prob, mask=np.ones((n, T), bool),
            line=np.zeros((n, T), np.int64),
        )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Writing


def _f32(values) -> list[str]:
    """Shortest decimal strings that read back to the same float32 values (``str`` of each
    ``np.float32``, converted in one call)."""
    return np.asarray(values, dtype=np.float32).ravel().astype(str).tolist()


#: write_jsonl formats this many episodes at a time (bounds the memory its strings take).
_WRITE_EPISODES_PER_CHUNK = 1000
_ROW = (
    '{"eps_id": %s, "t": %d, "obs": [%s], "actions": %d, "rewards": %s, "new_obs": [%s], '
    '"terminateds": %s, "truncateds": %s, "action_prob": %r, "action_logp": %r, '
    '"return_to_go": %r}\n'
)


def _jsonl_rows(episodes: Episodes, rtg: np.ndarray, lo: int, hi: int) -> str:
    """The lines of episodes ``lo:hi`` (steps ``t < length``), formatted column by column."""
    lengths = np.asarray(episodes.lengths[lo:hi])
    keep = np.arange(episodes.mask.shape[1]) < lengths[:, None]
    obs = np.asarray(episodes.obs[lo:hi], dtype=np.float32)
    new_obs = np.asarray(episodes.new_obs[lo:hi], dtype=np.float32)
    d, join = obs.shape[2], ", ".join

    def lists(values):  # "v1, v2, ..." for each observation
        s = _f32(values)
        return [join(s[j : j + d]) for j in range(0, len(s), d)] if d else [""] * len(values)

    obs_rows = lists(obs[keep])
    # new_obs of step t is normally obs of step t + 1: reuse that string when the bits agree.
    same = np.zeros_like(keep)
    same[:, :-1] = keep[:, 1:] & np.all(
        new_obs[:, :-1].view(np.uint32) == obs[:, 1:].view(np.uint32), axis=2
    )
    row_of_next = np.roll(np.cumsum(keep.ravel()).reshape(keep.shape) - 1, -1, axis=1)
    fresh = iter(lists(new_obs[keep & ~same]))
    new_rows = [
        obs_rows[r] if r >= 0 else next(fresh)
        for r in np.where(same, row_of_next, -1)[keep].tolist()
    ]
    eps = [str(int(e)) for e in episodes.eps_id[lo:hi]]
    bools = ("false", "true")

    def flags(a):
        return [bools[b] for b in np.asarray(a[lo:hi])[keep].astype(bool).tolist()]

    probs = np.asarray(episodes.action_prob[lo:hi])[keep].astype(np.float64).tolist()
    columns = zip(
        [eps[i] for i in np.nonzero(keep)[0].tolist()],
        np.nonzero(keep)[1].tolist(),
        obs_rows,
        np.asarray(episodes.actions[lo:hi])[keep].tolist(),
        _f32(np.asarray(episodes.rewards[lo:hi])[keep]),
        new_rows,
        flags(episodes.terminateds),
        flags(episodes.truncateds),
        probs,
        map(math.log, probs),
        rtg[lo:hi][keep].astype(np.float64).tolist(),
    )
    return "".join([_ROW % row for row in columns])


def write_jsonl(episodes: Episodes, path, gamma: float = RETURN_TO_GO_GAMMA) -> Path:
    """Write ``episodes`` to ``path`` in the course's JSON Lines schema (see module docstring).

    Observations and rewards are float32 (as the simulator computes them) written with the
    fewest digits that read back exactly; probabilities are float64.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rtg = episodes.returns_to_go(gamma)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for lo in range(0, len(episodes), _WRITE_EPISODES_PER_CHUNK):
            f.write(_jsonl_rows(episodes, rtg, lo, lo + _WRITE_EPISODES_PER_CHUNK))
    return path


def generate_dataset(
    path,
    num_episodes: int = 50,
    config: EnvConfig | None = None,
    policy: Policy | None = None,
    seed: int = 0,
    gamma: float = RETURN_TO_GO_GAMMA,
) -> Episodes:
    """Simulate ``num_episodes`` users under ``policy`` (default: the course's behaviour policy)
    and write the log to ``path``. Returns the episodes as written."""
    config = config or EnvConfig()
    policy = policy or behaviour_policy(config)
    episodes = Episodes.from_rollouts(rollout(policy, num_episodes, config, seed=seed))
    write_jsonl(episodes, path, gamma)
    return episodes


# --------------------------------------------------------------------------------------------
# Reading and validation

_INT64_MAX = 2**63 - 1
_FLOAT64_MAX = sys.float_info.max
#: ``obs``, ``new_obs`` and ``rewards`` are stored as float32: a larger value would silently
#: become inf, so it is rejected.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v) -> str:
    """``v`` spelt as in the JSON file (``true``, ``null``, ``"2"``, ``NaN``), kept short."""
    try:
        s = json.dumps(v)
    except (TypeError, ValueError):
        s = repr(v)
    if len(s) > 60 and _is_int(v):
        return f"{s[:10]}... ({len(s)} digits)"
    return s if len(s) <= 60 else s[:57] + "..."


def _got(v) -> str:
    """``v``'s JSON type and value, for messages: ``a string "2"``, ``an array [0.5]``."""
    if v is None:
        return "null"
    kind = (
        "a boolean" if isinstance(v, bool) else "an integer" if isinstance(v, int)
        else "a number" if isinstance(v, float) else "a string" if isinstance(v, str)
        else "an array" if isinstance(v, list) else "an object" if isinstance(v, dict)
        else type(v).__name__
    )  # fmt: skip
    return f"{kind} {_show(v)}"


def _int_problem(v, expected: str = "an integer") -> str | None:
    """What is wrong with ``v`` as a 64-bit integer, or None."""
    if _is_int(v):
        return None if abs(v) <= _INT64_MAX else f"must fit in a 64-bit integer, got {_show(v)}"
    if isinstance(v, float) and math.isfinite(v):
        if v.is_integer():
            return (
                f"must be {expected}, got {_show(v)}, a floating-point number "
                f"(write {int(v)})"
            )
        return f"must be {expected}, got a fractional number {_show(v)}"
    return f"must be {expected}, got {_got(v)}"


def _number_problem(v, limit: float = _FLOAT64_MAX) -> str | None:
    """What is wrong with ``v`` as a finite number of magnitude at most ``limit``, or None."""
    if not _is_number(v):
        return f"must be a number, got {_got(v)}"
    if isinstance(v, float) and not math.isfinite(v):
        hint = " (a number too large for a float, such as 1e400, reads as Infinity)"
        return f"must be finite, got {_show(v)}" + (hint if math.isinf(v) else "")
    if abs(v) > limit:
        kind = "float32" if limit == _FLOAT32_MAX else "a 64-bit float"
        return f"must fit in {kind} (largest {limit:.4g}), got {_show(v)}: it would become inf"
    return None


def _check_row(row, path, line: int, num_actions: int | None, first: dict | None = None) -> None:
    """Field-level checks of one parsed line.

    ``first`` (filled in from the first line checked, shared by all the lines of a file) holds
    what every line must agree on: the JSON type of ``eps_id`` and the observation size.
    """
    first = {} if first is None else first
    err = lambda fld, msg: DataError(path, line, fld, msg)  # noqa: E731
    if not isinstance(row, dict):
        raise err(None, f"expected a JSON object {{...}} on each line, got {_got(row)}")
    if row.get("type") in ("SampleBatch", "MultiAgentBatch"):
        raise err(
            "type",
            f"this line is an old-format RLlib {row['type']} (many steps in one line); this "
            "course's format has one transition per line",
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in row]
    if missing:
        unknown = [k for k in row if k not in REQUIRED_COLUMNS and k not in OPTIONAL_COLUMNS]
        close = difflib.get_close_matches(missing[0], unknown, n=1, cutoff=0.75)
        also = f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        hint = f"; is {close[0]!r} a misspelling?" if close else ""
        raise err(missing[0], f"required column missing{also}{hint}")

    eid = row["eps_id"]
    if isinstance(eid, str):
        if not eid.strip():
            raise err("eps_id", f"must be an integer or a non-empty string, got {_show(eid)}")
        kind = "a string"
    else:
        problem = _int_problem(eid, "an integer or a string")
        if problem:
            raise err("eps_id", problem)
        kind = "an integer"
    kind0, line0 = first.setdefault("eps_id", (kind, line))
    if kind != kind0:
        raise err(
            "eps_id",
            f"is {kind} ({_show(eid)}) but line {line0}'s eps_id is {kind0}: use one kind "
            'throughout (RLlib reads 1 and "1" as the same episode)',
        )
    for c in ("t", "actions"):
        problem = _int_problem(row[c])
        if problem:
            raise err(c, problem)
    if row["t"] < 0:
        raise err("t", f"must be >= 0, got {row['t']}")
    a = row["actions"]
    if a < 0 or (num_actions is not None and a >= num_actions):
        allowed = "must be >= 0" if num_actions is None else f"must lie in [0, {num_actions - 1}]"
        raise err("actions", f"out of range: {a} ({allowed})")

    for c in ("obs", "new_obs"):
        v = row[c]
        if not isinstance(v, list) or not v:
            hint = (
                " (compressed? RLlib's recorder compresses obs unless told not to; this format "
                "needs plain lists)" if isinstance(v, str) else ""
            )  # fmt: skip
            raise err(c, f"must be a non-empty list of numbers, got {_got(v)}{hint}")
        for j, x in enumerate(v):
            problem = _number_problem(x, _FLOAT32_MAX)
            if problem:
                raise err(c, f"element {j} {problem}")
        dim0, line0 = first.setdefault("obs", (len(v), line))
        if len(v) != dim0:
            raise err(
                c,
                f"has {len(v)} values but line {line0}'s obs has {dim0} (every observation "
                "must have the same size)",
            )

    problem = _number_problem(row["rewards"], _FLOAT32_MAX)
    if problem:
        raise err("rewards", problem)
    p = row["action_prob"]
    problem = _number_problem(p)
    if problem:
        raise err("action_prob", problem)
    if not 0.0 < p <= 1.0:
        hint = " (the behaviour policy cannot have taken an action it gives probability 0)"
        raise err("action_prob", f"must lie in (0, 1], got {_show(p)}" + (hint if p == 0 else ""))
    logp = row["action_logp"]
    problem = _number_problem(logp)
    if problem:
        raise err("action_logp", problem)
    exp_logp = math.exp(logp) if logp < 700 else math.inf
    if not math.isclose(exp_logp, p, rel_tol=LOGP_RTOL):
        raise err(
            "action_logp",
            f"exp(action_logp) = {exp_logp!r} but action_prob is {p!r}: action_logp must be "
            "log(action_prob)",
        )
    for c in OPTIONAL_COLUMNS:
        if c in row:
            problem = _number_problem(row[c])
            if problem:
                raise err(c, problem)
    for c in ("terminateds", "truncateds"):
        if not isinstance(row[c], bool):
            raise err(c, f"must be true or false, got {_got(row[c])}")
    if row["terminateds"] and row["truncateds"]:
        raise err("truncateds", "terminateds and truncateds are both true (at most one may be)")


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicate_keys(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return obj


def _read_rows(path, num_actions):
    p = Path(path)
    fail = lambda problem: DataError(path, None, None, problem)  # noqa: E731
    if not p.exists():
        raise fail("no such file")
    if p.is_dir():
        raise fail("is a directory, not a JSON Lines file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise fail(f"cannot be read: {e.strerror or e}") from None
    if not data.strip():
        raise fail("file is empty: no transitions")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(
            "file is UTF-16 encoded, not UTF-8 (Windows PowerShell's '>' writes UTF-16): "
            "save it as UTF-8"
        )
    if data.startswith(b"\x1f\x8b"):
        raise fail("file is gzip-compressed: decompress it first (gunzip)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise DataError(
            path, line, None, f"not valid UTF-8: byte 0x{data[e.start]:02x} at column {column}"
        ) from None
    lines = text.split("\n")
    ends_with_newline = lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    rows = []
    first: dict = {}
    for i, raw in enumerate(lines, start=1):
        if raw.startswith("\ufeff"):
            raise DataError(
                path, i, None,
                "starts with a UTF-8 byte-order mark (BOM), which json.loads rejects: save the "
                "file as UTF-8 without BOM",
            )  # fmt: skip
        if not raw.strip():
            raise DataError(path, i, None, "blank line (every line must hold one transition)")
        try:
            row = json.loads(
                raw, parse_constant=float, object_pairs_hook=_object_without_duplicate_keys
            )
        except _DuplicateKey as e:
            raise DataError(
                path, i, str(e.args[0]), "appears twice in one object (which value is meant?)"
            ) from None
        except json.JSONDecodeError as e:
            if i == len(lines) and not ends_with_newline:
                msg = f"last line is cut short (was the file truncated?): {e.msg}"
            else:
                near = raw[max(0, e.pos - 15) : e.pos + 15]
                msg = f"invalid JSON: {e.msg} at column {e.colno}, near {near!r}"
            raise DataError(path, i, None, msg) from None
        except (ValueError, RecursionError) as e:  # e.g. an integer with > 4300 digits
            raise DataError(path, i, None, f"cannot be read as JSON: {e}") from None
        _check_row(row, path, i, num_actions, first)
        rows.append((i, row))
    return rows


def load_episodes(path, num_actions: int | None = None) -> Episodes:
    """Read, validate and group a JSON Lines log into :class:`Episodes`.

    ``num_actions`` (if given) bounds the ``actions`` column. Episodes are ordered by first
    appearance; their steps by ``t``. ``eps_id`` may be integers or strings (RLlib writes
    uuid strings), the same kind on every line. Raises :class:`DataError` on the first problem.
    """
    rows = _read_rows(path, num_actions)
    by_eps: dict = {}
    for line, row in rows:
        by_eps.setdefault(row["eps_id"], []).append((row["t"], line, row))
    obs_dim = None
    episodes = []
    extra_names = sorted(
        {k for _, r in rows for k in r} - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS)
    )
    for eps_id, steps in by_eps.items():
        eid = _show(eps_id)
        steps.sort(key=lambda s: (s[0], s[1]))
        seen = {}
        for t, line, _ in steps:
            if t in seen:
                raise DataError(
                    path, line, "t",
                    f"duplicate step t={t} in episode {eid} (also on line {seen[t]}): each "
                    "(eps_id, t) must appear once; were two logs with the same eps_ids joined?",
                )  # fmt: skip
            seen[t] = line
        for expect, (t, line, _) in enumerate(steps):
            if t != expect:
                raise DataError(
                    path, line, "t",
                    f"gap in episode {eid}: step t={expect} is missing before t={t}",
                )  # fmt: skip
        for k, (t, line, row) in enumerate(steps):
            if obs_dim is None:
                obs_dim = len(row["obs"])
            if len(row["obs"]) != obs_dim:
                raise DataError(
                    path, line, "obs",
                    f"has {len(row['obs'])} values; earlier lines have {obs_dim}",
                )  # fmt: skip
            ends = row["terminateds"] or row["truncateds"]
            if ends and k < len(steps) - 1:
                flag = "terminateds" if row["terminateds"] else "truncateds"
                raise DataError(
                    path, line, flag,
                    f"is true, so episode {eid} ends at t={t}, but it continues with "
                    f"t={steps[k + 1][0]} on line {steps[k + 1][1]}",
                )  # fmt: skip
            if not ends and k == len(steps) - 1:
                raise DataError(
                    path, line, "terminateds",
                    f"episode {eid} never ends: its last step t={t} is neither terminated nor "
                    "truncated (is the file cut short, or are the episode's last steps missing?)",
                )  # fmt: skip
            if k < len(steps) - 1:
                nxt = steps[k + 1][2]["obs"]
                if row["new_obs"] != nxt:
                    raise DataError(
                        path, line, "new_obs",
                        f"differs from the obs of the next step t={t + 1} (line {steps[k + 1][1]}) "
                        f"in episode {eid}",
                    )  # fmt: skip
        episodes.append((eps_id, steps))
    n, T = len(episodes), max(len(s) for _, s in episodes)
    out = Episodes(
        eps_id=np.array([e for e, _ in episodes]),
        obs=np.zeros((n, T, obs_dim), np.float32),
        actions=np.zeros((n, T), np.int64),
        rewards=np.zeros((n, T), np.float32),
        new_obs=np.zeros((n, T, obs_dim), np.float32),
        terminateds=np.zeros((n, T), bool),
        truncateds=np.zeros((n, T), bool),
        action_prob=np.ones((n, T), np.float64),
        mask=np.zeros((n, T), bool),
        line=np.zeros((n, T), np.int64),
        source=str(path),
    )
    if any("return_to_go" in r for _, r in rows):
        out.extras["return_to_go"] = np.zeros((n, T))
    for name in extra_names:
        out.extras[name] = np.full((n, T), None, dtype=object)
    for i, (_, steps) in enumerate(episodes):
        for t, line, row in steps:
            out.obs[i, t] = row["obs"]
            out.actions[i, t] = row["actions"]
            out.rewards[i, t] = row["rewards"]
            out.new_obs[i, t] = row["new_obs"]
            out.terminateds[i, t] = row["terminateds"]
            out.truncateds[i, t] = row["truncateds"]
            out.action_prob[i, t] = row["action_prob"]
            out.mask[i, t] = True
            out.line[i, t] = line
            for name in out.extras:
                if name in row:
                    out.extras[name][i, t] = row[name]
                elif name == "return_to_go":
                    raise DataError(path, line, name, "present on other lines but missing here")
    return out


def validate_file(path, num_actions: int | None = None) -> str:
    """Validate a log and return a one-line summary; raises :class:`DataError` if it is bad."""
    eps = load_episodes(path, num_actions)
    lengths = eps.lengths
    return (
        f"{path}: OK: {eps.num_steps} transitions in {len(eps)} episodes "
        f"(length {lengths.min()}-{lengths.max()}), obs_dim {eps.obs.shape[2]}, "
        f"actions {eps.actions[eps.mask].min()}-{eps.actions[eps.mask].max()}, "
        f"mean return {eps.returns().mean():.3f}"
    )


def canonical_config() -> EnvConfig:
    """The recommender the canonical dataset was logged from."""
    return EnvConfig(num_candidates=5, alpha=0.5, max_steps=100, obs_mode="sugar")


CANONICAL_SEED = 2024
CANONICAL_NUM_EPISODES = 50


def data_dir() -> Path:
    """The repo's ``data/`` folder (override with ``OFFRL_DATA_DIR``); found through the package,
    never through the current working directory."""
    env = os.environ.get("OFFRL_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


def canonical_dataset_path() -> Path:
    return data_dir() / "recommender_offline.json"


def load_canonical() -> Episodes:
    """Load ``data/recommender_offline.json``, the course's logged dataset."""
    return load_episodes(canonical_dataset_path(), canonical_config().num_candidates)
