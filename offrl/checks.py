"""Checks the lessons' hidden tests share: what a test asks of an answer beyond its value.

    with reference_blocked(offrl.transition):      # the answer must not call the reference
        got = step(sugar, sweetness, action)
    with unchanged(obs=obs, pi=pi):                # ...nor change its inputs in place
        got = importance_weights(pi, mu)
    check_rng_used(lambda rng: sample(probs, rng))  # ...and draw from the generator it is given

Each raises ``AssertionError`` with a message that says *what* is wrong (never the formula), so
nbgrader scores the test cell 0 and the learner reads why.

``reference_blocked`` swaps the code of the given functions (not the names that point at them),
so an answer that imported the reference under another name, wrapped it in a lambda or
``functools.partial``, or reaches it through ``offrl.<module>.<name>`` is caught the same way.
Calls from inside ``offrl`` still work (an answer may step the environment, which itself calls
``offrl.transition``); only calls from outside the package are refused. So a test lists, besides
the reference, every offrl entry point that computes the same thing through it (an environment's
``step`` for ``transition``, a policy class for ``softmax``, the estimators for the weights):
blocking every offrl caller automatically would also refuse an offrl object the test itself hands
to the answer (a policy passed to a rollout calls ``softmax``), which is legitimate. A refused call is also
remembered, so an answer that swallows the error in ``try/except`` still fails when the block
ends.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["ReferenceUsed", "check_rng_used", "reference_blocked", "same_values", "unchanged"]


class ReferenceUsed(AssertionError):
    """An answer called the course's reference for what the exercise asks the learner to write."""


# key -> (original function, display name); the stubs look their original up here
_BLOCKED: dict[str, tuple[Callable, str]] = {}
_CALLED: list[str] = []


def _stub_code(key: str) -> types.CodeType:
    """A code object that forwards to _dispatch; it runs with the blocked function's globals
    (an offrl module's), so it finds this module by import, never by a closure."""
    src = (
        f"def _blocked(*args, **kwargs):\n"
        f"    import offrl.checks as _c\n"
        f"    return _c._dispatch({key!r}, args, kwargs)\n"
    )
    ns: dict = {}
    exec(compile(src, f"<offrl.checks: {key}>", "exec"), ns)  # noqa: S102 - fixed source
    return ns["_blocked"].__code__


def _from_offrl(frame) -> bool:
    name = frame.f_globals.get("__name__", "") if frame is not None else ""
    return name == "offrl" or (name.startswith("offrl.") and name != "offrl.checks")


def _dispatch(key: str, args: tuple, kwargs: dict) -> Any:
    original, shown = _BLOCKED[key]
    caller = sys._getframe(2)  # 0: _dispatch, 1: the stub, 2: whoever called the function
    if _from_offrl(caller):
        return original(*args, **kwargs)
    _CALLED.append(shown)
    raise ReferenceUsed(
        f"your answer calls {shown}, which is (or computes with) the course's own version of "
        "what this exercise asks you to write: write it yourself"
    )


def _display(fn) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)}"


@contextlib.contextmanager
def reference_blocked(*functions: Callable) -> Iterator[None]:
    """Within the block, calls to any of ``functions`` from outside ``offrl`` raise
    :class:`ReferenceUsed`; if one was refused and the error swallowed, the block still fails
    when it ends. Every function is restored on exit, whatever happens inside."""
    saved = []
    start = len(_CALLED)
    try:
        for fn in functions:
            fn = getattr(fn, "__func__", fn)  # a bound method: block the function itself
            if not isinstance(fn, types.FunctionType):
                raise TypeError(f"reference_blocked needs Python functions, got {fn!r}")
            if any(fn is f for f, _ in saved):
                continue
            key = f"{_display(fn)}@{id(fn)}"
            original = types.FunctionType(
                fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
            )
            original.__kwdefaults__ = fn.__kwdefaults__
            _BLOCKED[key] = (original, _display(fn))
            saved.append((fn, fn.__code__))
            stub = _stub_code(key)
            if fn.__code__.co_freevars:
                raise TypeError(f"{_display(fn)} is a closure: block the function that builds it")
            fn.__code__ = stub
        yield
        if len(_CALLED) > start:
            raise ReferenceUsed(
                f"your answer called {_CALLED[start]} (and caught the error), which is (or computes "
                "with) the course's own version of what this exercise asks you to write; write it "
                "yourself"
            )
    finally:
        for fn, code in saved:
            fn.__code__ = code
            for key in [k for k, (o, _) in _BLOCKED.items() if o.__code__ is code]:
                del _BLOCKED[key]
        del _CALLED[start:]


def same_values(a, b) -> bool:
    """Exactly the same values, dtype aside (NaN equals NaN), for arrays, scalars and tuples."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b))
    try:
        x, y = np.asarray(a), np.asarray(b)
    except Exception:  # noqa: BLE001 - not array-like: fall back to ==
        return bool(a == b)
    if x.shape != y.shape:
        return False
    if x.dtype.kind in "fc" or y.dtype.kind in "fc":
        return bool(np.array_equal(x, y, equal_nan=True))
    return bool(np.array_equal(x, y))


@contextlib.contextmanager
def unchanged(**inputs) -> Iterator[None]:
    """Fails if the block changes any of the named arrays (values, shape or dtype) in place."""
    before = {name: (np.array(v, copy=True), getattr(v, "dtype", None)) for name, v in inputs.items()}
    yield
    for name, (copy, dtype) in before.items():
        now = inputs[name]
        if getattr(now, "dtype", None) != dtype or not same_values(copy, now):
            raise AssertionError(
                f"your function changed its input `{name}` in place: the caller's data must come "
                "back untouched (work on a copy)"
            )


def check_rng_used(call: Callable[[np.random.Generator], Any], seeds=(20240, 7)) -> Any:
    """``call(rng)`` must draw its randomness from ``rng``: two generators in the same state give
    the same result, generators from different seeds give different results, and ``rng`` is
    advanced. Returns the first result."""
    a = call(np.random.default_rng(seeds[0]))
    b = call(np.random.default_rng(seeds[0]))
    if not same_values(a, b):
        raise AssertionError(
            "two generators in the same state gave different results: take every random number "
            "from the `rng` argument (not from np.random's global state)"
        )
    rng = np.random.default_rng(seeds[1])
    state = rng.bit_generator.state
    c = call(rng)
    if rng.bit_generator.state == state:
        raise AssertionError("the `rng` you were given was never used: draw from it")
    if same_values(a, c):
        raise AssertionError(
            "generators with different seeds gave the same result: use the `rng` argument you "
            "are given, do not make a new generator with a fixed seed"
        )
    return a
