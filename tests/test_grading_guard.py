"""The in-kernel grading guard (grading/guard.py), run in real kernels through nbclient.

Three kernels: one notebook with every tampering (each followed by a registered test cell that
must fail and whose report must name the tampering), one honest notebook (empty reports, passing
tests, no stderr), one without OFFRL_GUARD_CELLS (loads, no reports).
"""

from __future__ import annotations

import json
import os
import sys

import nbformat
import pytest

pytest.importorskip("nbclient")
from nbclient import NotebookClient  # noqa: E402

from grading.guard import GUARD_MIME, grade_cell_hash  # noqa: E402

EXT_ARG = '--IPKernelApp.extensions=["grading.guard"]'

SETUP = """\
import numpy as np
import offrl
import offrl.policies
answer = 0.5                     # wrong: the right answer is 0.7
learner_probs = np.array([0.9, 0.1])   # wrong: softmax([1, 1]) is [0.5, 0.5]
"""

# (name, learner cell, test cell, expected substring of a report line)
TAMPERINGS = [
    ("allclose", "np.allclose = lambda *a, **k: True",
     "assert np.allclose(answer, 0.7)", "numpy.allclose was replaced"),
    ("isclose_code", "np.isclose._implementation.__code__ = (lambda a, b, rtol=0, atol=0, "
     "equal_nan=False: True).__code__",
     "assert np.isclose(answer, 0.7)", "the code of numpy._core.numeric.isclose was replaced"),
    ("testing", "np.testing.assert_allclose = lambda *a, **k: None",
     "np.testing.assert_allclose(answer, 0.7)", "numpy.testing.assert_allclose was replaced"),
    ("testing_private", "import numpy.testing._private.utils as u\n"
     "u.assert_array_compare = lambda *a, **k: None",
     "np.testing.assert_allclose(answer, 0.7)",
     "numpy.testing._private.utils.assert_array_compare was replaced"),
    ("softmax_attr", "offrl.policies.softmax = lambda x, *a, **k: learner_probs",
     "assert np.allclose(learner_probs, offrl.policies.softmax(np.array([1.0, 1.0])))",
     "offrl.policies.softmax was replaced"),
    ("softmax_from_import", "from offrl.policies import softmax\n"
     "import offrl.policies as P\nP.softmax = lambda x, *a, **k: learner_probs\n"
     "softmax.__code__ = (lambda logits, axis=-1, temperature=1.0: learner_probs).__code__",
     "from offrl.policies import softmax\n"
     "assert np.allclose(learner_probs, softmax(np.array([1.0, 1.0])))",
     "the code of offrl.policies.softmax was replaced"),
    ("builtins_abs", "import builtins\nbuiltins.abs = lambda x: 0",
     "assert abs(answer - 0.7) < 1e-9", "builtins.abs was replaced"),
    ("shadow_all", "def all(*a, **k):\n    return True",
     "assert all([answer == 0.7])", "notebook name all shadows builtins.all"),
    ("np_rebound", "import types\nnp = types.SimpleNamespace(allclose=lambda *a, **k: True)",
     "assert np.allclose(answer, 0.7)", "notebook name np was rebound"),
    ("sys_modules", "import sys, types\nfake = types.ModuleType('numpy')\n"
     "fake.allclose = lambda *a, **k: True\nsys.modules['numpy'] = fake",
     "import numpy\nassert numpy.allclose(answer, 0.7)", "sys.modules['numpy'] was replaced"),
    ("module_class", "import types\nclass M(types.ModuleType):\n"
     "    def __getattribute__(self, k):\n"
     "        return (lambda *a, **kw: True) if k == 'allclose' else super().__getattribute__(k)\n"
     "np.__class__ = M",
     "assert np.allclose(answer, 0.7)", "the class of module numpy was changed"),
    ("input_transformer", "def kill(lines):\n"
     "    return [l.replace('assert', 'pass #') for l in lines]\n"
     "get_ipython().input_transformers_cleanup.append(kill)\n"
     "get_ipython().input_transformers_post.append(kill)",
     "assert answer == 0.7", "an input transformer was added"),
    ("ast_transformer", "import ast\nclass NoAssert(ast.NodeTransformer):\n"
     "    def visit_Assert(self, node):\n        return ast.Pass()\n"
     "get_ipython().ast_transformers.append(NoAssert())",
     "assert answer == 0.7", "an AST transformer was added"),
    ("custom_exc", "get_ipython().set_custom_exc((AssertionError,), "
     "lambda self, etype, value, tb, tb_offset=None: None)",
     "assert answer == 0.7", "shell.CustomTB was replaced"),
    # IPython swaps sys.excepthook around each cell, so a plain assignment does not outlive the
    # cell; a learner callback re-installs it after every cell
    ("excepthook", "import sys\nget_ipython().events.register('post_run_cell', "
     "lambda r: setattr(sys, 'excepthook', lambda *a: None))",
     "assert answer == 0.7", "sys.excepthook was replaced"),
    ("showtraceback_instance", "get_ipython().showtraceback = lambda *a, **k: None",
     "assert answer == 0.7", "shell.showtraceback was replaced"),
    ("showtraceback_class", "type(get_ipython())._showtraceback = lambda *a, **k: None",
     "assert answer == 0.7", "ZMQInteractiveShell._showtraceback was replaced"),
    ("session_send", "from jupyter_client.session import Session\n_send = Session.send\n"
     "def send(self, stream, msg_or_type, *a, **k):\n"
     "    return None if msg_or_type == 'error' else _send(self, stream, msg_or_type, *a, **k)\n"
     "Session.send = send",
     "assert answer == 0.7", "jupyter_client.session.Session.send was replaced"),
    ("settrace", "import sys\ndef tr(frame, event, arg):\n"
     "    if event == 'call' and frame.f_code.co_name == '<module>':\n"
     "        frame.f_globals['answer'] = 0.7\n    return None\nsys.settrace(tr)",
     "assert answer == 0.7", "a trace function was set"),
    ("unregister", "ip = get_ipython()\nfor ev in ('pre_run_cell', 'post_run_cell'):\n"
     "    for f in list(ip.events.callbacks[ev]):\n        ip.events.unregister(ev, f)",
     "assert answer == 0.7", "a pre_run_cell event callback was unregistered"),
    ("str_eq", "class S(str):\n    def __eq__(self, other):\n        return True\n"
     "    __hash__ = str.__hash__\nchoice = S('b')",
     "assert choice == 'a'", "answer choice is an instance of learner class S"),
]


def _code(src):
    return nbformat.v4.new_code_cell(src)


def _run(tmp_path, monkeypatch, cells, grade_sources, env=True, timeout=60):
    nb = nbformat.v4.new_notebook()
    nb.cells = [_code(c) for c in cells]
    if env:
        cfg = tmp_path / "guard_cells.json"
        cfg.write_text(json.dumps({"grade_cells": [grade_cell_hash(s) for s in grade_sources]}))
        monkeypatch.setenv("OFFRL_GUARD_CELLS", str(cfg))
    else:
        monkeypatch.delenv("OFFRL_GUARD_CELLS", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    client = NotebookClient(nb, kernel_name="python3", timeout=timeout, allow_errors=True,
                            extra_arguments=[EXT_ARG],
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return nb


def _reports(cell):
    return [o["data"][GUARD_MIME] for o in cell.outputs
            if o.get("output_type") == "display_data" and GUARD_MIME in o.get("data", {})]


def _errors(cell):
    return [o for o in cell.outputs if o.get("output_type") == "error"]


def _stderr(cell):
    return [o for o in cell.outputs if o.get("output_type") == "stream" and o["name"] == "stderr"]


def test_grade_cell_hash_is_sha256_of_exact_source():
    import hashlib

    assert grade_cell_hash("assert x == 1\n") == hashlib.sha256(b"assert x == 1\n").hexdigest()
    assert grade_cell_hash("assert x == 1") != grade_cell_hash("assert x == 1\n")
    assert GUARD_MIME == "application/x-offrl-guard+json"


@pytest.fixture(scope="module")
def tampered_nb(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        cells = [SETUP]
        grades = []
        for i, (_, learner, test, _) in enumerate(TAMPERINGS):
            test = f"# test cell {i}\n{test}"  # distinct sources
            cells += [learner, test]
            grades.append(test)
        # a control: a correct answer still passes after all of this
        control = "# control\nanswer = 0.7\nassert np.allclose(answer, 0.7)"
        cells += ["del all, M, S, choice, NoAssert", control]
        grades.append(control)
        nb = _run(tmp_path_factory.mktemp("tampered"), mp, cells, grades)
    finally:
        mp.undo()
    return nb


@pytest.mark.parametrize("k", range(len(TAMPERINGS)), ids=[t[0] for t in TAMPERINGS])
def test_tampering_is_undone_and_reported(tampered_nb, k):
    name, learner, test, expected = TAMPERINGS[k]
    learner_cell = tampered_nb.cells[1 + 2 * k]
    test_cell = tampered_nb.cells[2 + 2 * k]
    assert not _errors(learner_cell), learner_cell.outputs
    reports = _reports(test_cell)
    assert len(reports) == 1, test_cell.outputs
    rep = reports[0]
    assert rep["cell"] == grade_cell_hash(test_cell.source)
    assert rep["n"] == k + 1
    assert any(expected in line for line in rep["tampered"]), rep["tampered"]
    errs = _errors(test_cell)
    assert errs and errs[0]["ename"] == "AssertionError", test_cell.outputs
    # learner cells get no report
    assert not _reports(learner_cell)


def test_control_after_tampering_passes_cleanly(tampered_nb):
    control = tampered_nb.cells[-1]
    assert not _errors(control), control.outputs
    (rep,) = _reports(control)
    assert rep["tampered"] == [] and rep["n"] == len(TAMPERINGS) + 1


HONEST = [
    """\
import warnings
warnings.filterwarnings("ignore", category=DeprecationWarning)
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import offrl
from offrl.policies import softmax
import offrl.plots
np.random.seed(0)
np.set_printoptions(precision=3)
rng = np.random.default_rng(1)
""",
    """\
from dataclasses import dataclass

@dataclass
class Result:
    value: float
    n: int

class Helper:
    def __init__(self, k):
        self.k = k
    def scale(self, x):
        return self.k * x

def my_softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()

res = Result(0.7, 3)
helper = Helper(2)
answer = 0.7
probs = my_softmax([1.0, 2.0, 3.0])
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
plt.close(fig)
print("done")
""",
    "# test 1\nassert np.allclose(probs, softmax(np.array([1.0, 2.0, 3.0])))\n"
    "np.testing.assert_allclose(answer, 0.7)\nassert abs(res.value - 0.7) < 1e-12",
    "import math\nsum_sq = sum(x * x for x in range(4))\nx = math.sqrt(sum_sq)\n"
    "warnings.simplefilter('ignore')\nwith warnings.catch_warnings():\n"
    "    warnings.simplefilter('error')\n",
    "# test 2\nassert isinstance(helper, Helper) and helper.scale(2) == 4\n"
    "assert len(probs) == 3 and all(probs > 0)\nassert x == math.sqrt(14)\n"
    "assert res == Result(0.7, 3)",
    "# test 3\nimport offrl.policies\nassert offrl.policies.softmax is softmax",
]
HONEST_GRADES = [HONEST[2], HONEST[4], HONEST[5]]


def test_honest_notebook_clean_reports_no_stderr(tmp_path, monkeypatch):
    nb = _run(tmp_path, monkeypatch, HONEST, HONEST_GRADES)
    n = 0
    for cell in nb.cells:
        assert not _errors(cell), cell.outputs
        assert not _stderr(cell), cell.outputs
        reports = _reports(cell)
        if cell.source in HONEST_GRADES:
            n += 1
            assert len(reports) == 1
            assert reports[0] == {"cell": grade_cell_hash(cell.source), "tampered": [], "n": n}
        else:
            assert reports == []
    assert n == 3


def test_without_env_var_guard_loads_and_reports_nothing(tmp_path, monkeypatch):
    cells = [
        "import sys, os\nassert 'OFFRL_GUARD_CELLS' not in os.environ\n"
        "assert get_ipython().transform_cell.__name__ == 'guarded_transform_cell'\n"
        "import grading.guard as g\nprint(len(g._COSTS))",
        "assert 1 == 1",
    ]
    nb = _run(tmp_path, monkeypatch, cells, [], env=False)
    for cell in nb.cells:
        assert not _errors(cell), cell.outputs
        assert not _stderr(cell), cell.outputs
        assert not _reports(cell)
    assert nb.cells[0].outputs[0]["text"].strip() == "1"  # loaded: the load cost was recorded
