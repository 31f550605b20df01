"""offrl.checks: the shared checks behind the lessons' hidden tests must catch what they claim
(and nothing else): a reference reached by any name, swallowed refusals, in-place changes, an
ignored or re-seeded rng."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import offrl
import offrl.env
import offrl.policies
from offrl.checks import ReferenceUsed, check_rng_used, reference_blocked, unchanged

transition_alias = offrl.transition  # imported under another name before the block


def test_reference_blocked_catches_every_route_to_the_reference():
    s = np.array([0.2, 0.5])
    sw = np.array([0.9, 0.3])
    routes = [
        lambda: offrl.transition(s, sw, 0.5),
        lambda: transition_alias(s, sw, 0.5),
        lambda: functools.partial(offrl.env.transition, alpha=0.5)(s, sw),
        lambda: list(map(transition_alias, [s], [sw], [0.5])),
        lambda: np.vectorize(offrl.transition)(s, sw, 0.5),
    ]
    for route in routes:
        with pytest.raises(ReferenceUsed, match="offrl.env.transition"):
            with reference_blocked(offrl.transition):
                route()
    # restored afterwards, and the result is the reference's
    assert np.allclose(offrl.transition(s, sw, 0.5)[0], (1 - s) * sw)


def test_a_swallowed_refusal_still_fails():
    def sneaky():
        try:
            return offrl.policies.softmax(np.zeros((1, 2)), 1.0)
        except Exception:
            return np.full((1, 2), 0.5)

    with pytest.raises(ReferenceUsed, match="caught the error"):
        with reference_blocked(offrl.policies.softmax):
            sneaky()


def test_calls_from_inside_offrl_are_allowed():
    env = offrl.make_env()
    env.reset(seed=0)
    with reference_blocked(offrl.transition):
        env.step(0)  # the env steps with offrl.transition: not the learner's call


def test_own_code_passes_and_nothing_is_left_patched():
    code = offrl.transition.__code__
    with reference_blocked(offrl.transition, offrl.policies.softmax):
        x = np.exp(np.zeros(3))
    assert x.sum() == 3 and offrl.transition.__code__ is code


def test_unchanged_catches_in_place_changes_and_dtype_changes():
    x = np.arange(4.0)
    with unchanged(x=x):
        y = x * 2
    assert y[1] == 2
    with pytest.raises(AssertionError, match="`x` in place"):
        with unchanged(x=x):
            x[0] = 99
    z = np.array([1.0, np.nan])
    with unchanged(z=z):
        pass  # NaN stays NaN: unchanged


def test_check_rng_used():
    def good(rng):
        return rng.random(3)

    check_rng_used(good)
    with pytest.raises(AssertionError, match="global"):
        check_rng_used(lambda rng: np.random.random(3))
    with pytest.raises(AssertionError, match="never used"):
        check_rng_used(lambda rng: np.random.default_rng(0).random(3))
    with pytest.raises(AssertionError, match="never used"):
        check_rng_used(lambda rng: np.zeros(3))
