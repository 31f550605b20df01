"""`make grade` on a multi-node Ray cluster: a local `ray.cluster_utils.Cluster` with two nodes (one
CPU each) grades a few submissions of the small assignment of test_grading_attacks.py through
RAY_ADDRESS; the work lands on both nodes and the scores are those of a local run."""

from __future__ import annotations

import json
import os

import pytest

from tests import nbgrader_harness as h
from tests.test_grading_attacks import A, tiny_course

pytestmark = pytest.mark.xdist_group("grading_cluster")


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    c = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
    )
    c.add_node(num_cpus=1)
    c.wait_for_nodes()
    yield c
    c.shutdown()


def test_grading_on_two_nodes(cluster, tmp_path, monkeypatch):
    course, solution, release = tiny_course(tmp_path)
    wrong = h.fill_release(release, solution)
    h.cell_by_id(wrong, "ex2_answer").source = 'answer = "B"'
    students = {
        "right_1": h.fill_release(release, solution),
        "right_2": h.fill_release(release, solution),
        "blank": release,
        "wrong_mcq": wrong,
    }
    monkeypatch.setenv("RAY_ADDRESS", cluster.address)
    scores = h.autograde(course, A, students, workers=2)
    full = {"ex1_test": (2.0, 2.0), "ex2_test": (1.0, 1.0)}
    assert scores["right_1"] == full and scores["right_2"] == full
    assert scores["blank"] == {"ex1_test": (0.0, 2.0), "ex2_test": (0.0, 1.0)}
    assert scores["wrong_mcq"] == {"ex1_test": (2.0, 2.0), "ex2_test": (0.0, 1.0)}
    cache = course / ".grading" / "cache"
    nodes = {json.loads(p.read_text())["report"].get("node") for p in cache.glob("*.json")}
    assert len(nodes - {None}) == 2, f"the submissions ran on {nodes}, not on both nodes"
    assert all(not f for f in h.flags(course, A).values())
