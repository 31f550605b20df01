"""grading/scan.py: the static tamper scan flags hostile submissions and never an honest one.

Honest: every solution (scanned as a submission against its release), every release against
itself, every typical wrong answer of tests/mistakes/, and a list of honest idioms. Hostile: a
list of snippets, one or more per rule class and spelling, and metadata attacks. No kernel runs:
the whole file takes seconds.
"""

from __future__ import annotations

import copy
import functools
import re

import nbformat
import pytest

from grading.scan import scan_submission
from tests.nbgrader_harness import (
    apply_mistake,
    assignments,
    cell_by_id,
    fill_release,
    load_mistakes,
    nbgrader_meta,
    read,
    release_path,
    solution_path,
    with_cell_source,
)

LESSONS = assignments()
LESSON = "00_why_offline_rl"  # hostile snippets go into its answer cell ANSWER
ANSWER, TEST = "ex3_answer", "ex3_test"


@functools.lru_cache(maxsize=None)
def _notebooks(assignment: str):
    return read(solution_path(assignment)), read(release_path(assignment))


def notebooks(assignment: str):
    """(solution, release): fresh copies, safe to modify."""
    return tuple(copy.deepcopy(nb) for nb in _notebooks(assignment))


def correct_submission(assignment: str = LESSON) -> nbformat.NotebookNode:
    solution, release = notebooks(assignment)
    return fill_release(release, solution)


def scan_answer(source: str, cell: str = ANSWER) -> list[str]:
    _, release = notebooks(LESSON)
    return scan_submission(with_cell_source(correct_submission(), cell, source), release)


# ---------------------------------------------------------------------------------------------
# Honest submissions: no flag, ever
# ---------------------------------------------------------------------------------------------
def test_lessons_found():
    assert LESSON in LESSONS and len(LESSONS) >= 6


@pytest.mark.parametrize("assignment", LESSONS)
def test_solution_scanned_as_submission_is_not_flagged(assignment):
    solution, release = notebooks(assignment)
    assert scan_submission(solution, release) == []


@pytest.mark.parametrize("assignment", LESSONS)
def test_release_and_filled_release_are_not_flagged(assignment):
    solution, release = notebooks(assignment)
    assert scan_submission(release, release) == []
    assert scan_submission(fill_release(release, solution), release) == []


@pytest.mark.parametrize("assignment", LESSONS)
def test_typical_mistakes_are_not_flagged(assignment):
    solution, release = notebooks(assignment)
    mistakes = load_mistakes(assignment)
    flagged = {
        f"{m.cell}: {m.why}": flags
        for m in mistakes
        if (flags := scan_submission(apply_mistake(release, solution, m), release))
    }
    assert flagged == {}


@pytest.mark.parametrize("assignment", LESSONS)
def test_correct_variants_are_not_flagged(assignment):
    from tests.nbgrader_harness import load_variants

    solution, release = notebooks(assignment)
    flagged = {
        f"{v.cell}: {v.why}": flags
        for v in load_variants(assignment)
        if (flags := scan_submission(apply_mistake(release, solution, v), release))
    }
    assert flagged == {}


HONEST = {
    "stdlib and os.path": (
        "import numpy as np\nimport json, math, collections, itertools\nfrom pathlib import Path\n"
        "import os\np = os.path.join(os.getcwd(), 'out.json')\n"
        "print(os.path.exists(p), os.environ.get('HOME'), os.listdir('.'))\n"
        "os.makedirs('figs', exist_ok=True)\nos.environ['PYTHONHASHSEED'] = '0'\n"
    ),
    "read the course data": (
        "import offrl\npath = offrl.canonical_dataset_path()\n"
        "with open(path) as f:\n    rows = [json.loads(line) for line in f]\n"
        "log = offrl.load_canonical()\nprint(offrl.dataset.REQUIRED_COLUMNS)\n"
    ),
    "write files in the working folder": (
        "with open('my_log.jsonl', 'w') as f:\n    f.write(json.dumps({'a': 1}) + '\\n')\n"
        "Path('results').mkdir(exist_ok=True)\n(Path('results') / 'x.txt').write_text('hi')\n"
        "import tempfile\ntmp = tempfile.TemporaryDirectory()\n"
        "(Path(tmp.name) / 'x').write_text('')\n"
        "tmp.cleanup()\n"
    ),
    "an RLlib config of their own": (
        "from ray.rllib.algorithms.marwil import MARWILConfig\n"
        "config = MARWILConfig().training(beta=1.0, lr=1e-3)\nconfig.lr = 1e-3\n"
        "config.train_batch_size_per_learner = 100\n"
        "import ray\nray.init(ignore_reinit_error=True, num_cpus=1)\nray.shutdown()\n"
    ),
    "classes with __init__ / __call__ / __repr__": (
        "class Policy:\n    '''A policy.'''\n    def __init__(self, tau):\n        self.tau = tau\n"
        "        self.__dict__.update({})\n    def __call__(self, obs):\n"
        "        return np.ones((len(obs), 5)) / 5\n    def __repr__(self):\n"
        "        return f'{self.__class__.__name__}(tau={self.tau})'\n"
        "from dataclasses import dataclass\n@dataclass\nclass Row:\n"
        "    obs: list\n    action: int\n"
    ),
    "f-strings, lambdas, rng": (
        "rng = np.random.default_rng(0)\nx = rng.random(5)\nf = lambda o, e=0.1: o * e\n"
        "print(f'{x.mean():.3f} / step, ratio {1/3:.2%}')\n"
        "items = 'a/b/c'.split('/')\ns = '/'.join(items)\nhome = '~'\n"
    ),
    "warnings and logging": (
        "import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter('ignore')\n"
        "    y = np.log(np.array([1.0, 2.0]))\nimport logging\n"
        "logging.getLogger('ray').setLevel(logging.ERROR)\n"
    ),
    "plots": (
        "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (6, 3)\n"
        "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nplt.title('a/b')\nplt.savefig('fig.png')\n"
        "plt.show()\n"
    ),
    "harmless magics": (
        "%matplotlib inline\n%time z = sum(range(10))\n%timeit -n 1 -r 1 np.zeros(3)\nnp.mean?\n"
    ),
    "cell magic %%timeit": "%%timeit -n 1 -r 1\nnp.sort(np.arange(10))\n",
    "pandas options": (
        "import pandas as pd\npd.options.display.max_rows = 20\n"
        "pd.set_option('display.precision', 3)\ndf = pd.DataFrame({'a': [1, 2]})\n"
        "df['b'] = df['a']\n"
    ),
    "commonly shadowed builtins": (
        "sum = 0\nfor v in [1, 2]:\n    sum += v\ntype = 'B'\nmax_steps = 10\nid_ = 3\n"
    ),
    "sys for information": (
        "import sys\nprint(sys.version, sys.executable, sys.float_info.epsilon)\n"
        "sys.setrecursionlimit(5000)\n"
    ),
    "containers of their own": (
        "import collections\ndq = collections.deque()\ndq.append(1)\n"
        "od = collections.OrderedDict()\nod.update({'a': 1})\narr = np.zeros(3)\narr[0] = 1\n"
        "arr.sort()\nnp.char.add(['a'], ['b'])\n"
    ),
    "torch module": (
        "import torch\ntorch.manual_seed(0)\nclass Net(torch.nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.lin = torch.nn.Linear(2, 2)\n    def forward(self, x):\n"
        "        return self.lin(x)\n"
    ),
    "exceptions and type names": (
        "try:\n    raise ValueError('bad')\nexcept ValueError as e:\n"
        "    print(type(e).__name__, e)\n"
    ),
    "prose mentioning grading words": (
        "answer_ex1 = 'B'  # the solutions I tried\nnote = 'two solutions were submitted...'\n"
    ),
    "importlib.metadata and IPython.display": (
        "import importlib.metadata\nprint(importlib.metadata.version('numpy'))\n"
        "from IPython.display import display, Markdown\ndisplay(Markdown('**x**'))\n"
    ),
    "re-importing what the setup imports": (
        "import numpy as np\nimport offrl\nfrom pathlib import Path\nimport json\n"
    ),
    "gymnasium and tqdm": (
        "import gymnasium as gym\nenv = gym.make('CartPole-v1')\nenv.reset(seed=0)\n"
        "from tqdm import tqdm\nfor i in tqdm(range(3)):\n    pass\n"
    ),
    "does not parse": "def chosen_rank_shares(episodes, num_candidates)\n    return 1\n",
    "scratch file in /tmp": "with open('/tmp/scratch.txt', 'w') as f:\n    f.write('x')\n",
}


@pytest.mark.parametrize("name", HONEST)
def test_honest_code_is_not_flagged(name):
    assert scan_answer(HONEST[name]) == []


def test_honest_metadata_changes_are_not_flagged():
    """What front ends and honest learners change: outputs, execution counts, cell ids, collapsed
    or hidden sources, the kernelspec (nbgrader overwrites it), an added plain cell, a missing
    checksum (solutions have none), a tag that does not touch execution."""
    _, release = notebooks(LESSON)
    nb = correct_submission()
    nb.metadata["kernelspec"] = {"name": "py-custom", "display_name": "x", "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"changed-{i}"
        cell.metadata["collapsed"] = True
        cell.metadata["jupyter"] = {"source_hidden": True}
        cell.metadata.get("nbgrader", {}).pop("checksum", None)
        if cell.cell_type == "code":
            cell.execution_count = 7
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    cell_by_id(nb, ANSWER).metadata["tags"] = ["my-notes"]
    nb.cells.insert(5, nbformat.v4.new_code_cell("x = 1  # my own cell"))
    nb.cells.insert(5, nbformat.v4.new_markdown_cell("my notes"))
    assert scan_submission(nb, release) == []


# ---------------------------------------------------------------------------------------------
# Hostile code: each snippet is flagged, naming the cell and the line
# ---------------------------------------------------------------------------------------------
HOSTILE = [
    # changing a library the tests use (aliases, from-imports, string access)
    ("np.allclose = lambda *a, **k: True", "assigns numpy.allclose"),
    ("np.testing.assert_allclose = lambda *a, **k: None", "numpy.testing.assert_allclose"),
    ("import numpy.linalg as la\nla.norm = lambda *a, **k: 0.0", "numpy.linalg.norm"),
    ("from offrl import estimators as E\nE.x = 1", "offrl.estimators.x"),
    ("import offrl.policies\noffrl.policies.softmax = print", "offrl.policies.softmax"),
    ("import numpy as nump\nf = nump.testing\nf.assert_array_equal = print", "numpy.testing"),
    ("setattr(np, 'allclose', lambda *a, **k: True)", "setattr on numpy"),
    ("setattr(np, 'all' + 'close', lambda *a, **k: True)", "setattr on numpy"),
    ("del np.isclose", "deletes numpy.isclose"),
    ("from offrl import Episodes as Ep\nsetattr(Ep, 'returns', None)", "offrl.Episodes"),
    ("offrl.Episodes.returns = lambda self, gamma=1.0: 0", "offrl.Episodes.returns"),
    ("getattr(np, 'testing').assert_allclose = print", "numpy.testing.assert_allclose"),
    ("import sys\nsys.modules['numpy'].allclose = lambda *a, **k: True", "numpy.allclose"),
    ("from offrl.dataset import REQUIRED_COLUMNS\nREQUIRED_COLUMNS.clear()", "in place"),
    ("import sys\nsys.path.insert(0, '/tmp/evil')", "sys.path"),
    ("type(episodes).returns = lambda self, g=1.0: 0", "type()"),
    ("vars(np)['allclose'] = None", "vars()"),
    ("globals()['np'] = None", "globals()"),
    ("import sys\nsys.stderr = open('/dev/null', 'w')", "sys.stderr"),
    # builtins and the names the tests use
    ("import builtins\nbuiltins.isinstance = lambda *a: True", "builtins"),
    ("__builtins__.len = lambda x: 5", "builtins"),
    ("isinstance = lambda *a: True", "rebinds the builtin 'isinstance'"),
    ("np = None", "rebinds 'np'"),
    ("def patch():\n    global np\n    np = None\npatch()", "rebinds 'np'"),
    ("import fakenumpy as np", "neither the standard library nor an installed package"),
    ("def make_log(*a):\n    return None", "rebinds 'make_log'"),
    ("from . import helper", "relative import"),
    # IPython
    ("get_ipython().events.register('pre_run_cell', lambda *a: None)", "IPython internals"),
    ("ip = get_ipython()\nip.ast_transformers.append(object())", "get_ipython"),
    ("%load_ext mytamper", "%load_ext magic"),
    ("%%writefile hack.py\nprint(1)", "%%writefile magic"),
    ("%%bash\nls /", "%%bash magic"),
    ("!rm -rf ../../gradebook.db", "!shell command"),
    ("files = !ls /", "!shell command"),
    ("%time np.allclose = print", "assigns numpy.allclose"),
    ("%%capture\nnp.allclose = print", "assigns numpy.allclose"),
    ("import IPython\nIPython.get_ipython().run_cell('x')", "IPython"),
    # interpreter hooks, processes, introspection
    ("import sys\nsys.settrace(lambda *a: None)", "sys.settrace"),
    ("import sys as s\ns.excepthook = print", "sys.excepthook"),
    ("import sys\nf = sys._getframe(1)", "sys._getframe"),
    ("import ctypes", "imports ctypes"),
    ("import gc\ngc.get_referrers(np.allclose)", "gc"),
    ("import inspect\nframe = inspect.currentframe().f_back\nframe.f_globals['x'] = 1", "frame"),
    ("import subprocess\nsubprocess.run(['cat', 'x'])", "subprocess"),
    ("import os\nos.system('ls')", "os.system"),
    ("from os import system as run_it\nrun_it('ls')", "os.system"),
    ("import os\nos.fork()", "os.fork"),
    ("import os\nos.dup2(1, 2)", "os.dup2"),
    ("import os\nos.remove('data.json')", "os.remove"),
    ("import multiprocessing", "multiprocessing"),
    ("import threading\nthreading.Thread(target=print).start()", "threading"),
    ("import signal\nsignal.alarm(1)", "signal"),
    ("import atexit\natexit.register(print)", "atexit"),
    ("import socket", "socket"),
    ("import asyncio\nasyncio.get_event_loop().call_later(1, print)", "asyncio"),
    # dynamic code
    ("exec('np.allclose = lambda *a, **k: True')", "exec"),
    ("eval(compile('1', 'x', 'eval'))", "eval"),
    ("__import__('numpy').allclose = None", "__import__"),
    ("import importlib\nm = importlib.import_module('num' + 'py')", "importlib"),
    ("import base64\ncode = base64.b64decode('bnAuYWxsY2xvc2U=')", "decodes an embedded literal"),
    ("import codecs\nx = codecs.decode('cevag(1)', 'rot13')", "decodes an embedded literal"),
    ("import pickle\nobj = pickle.loads(b'\\x80\\x04K\\x01.')", "pickle.loads"),
    ("import types\nf = types.FunctionType(g.__code__, {})", "types.FunctionType"),
    ("Fake = type('Fake', (str,), {'__eq__': lambda s, o: True})", "type(name, bases, dict)"),
    # dunder plumbing
    ("def g(): pass\ng.__globals__['np'] = None", "__globals__"),
    ("x = ().__class__.__bases__[0].__subclasses__()", "__subclasses__"),
    ("x = getattr(np, '__dict__')", "__dict__"),
    ("episodes.__class__.returns = None", "__class__"),
    ("object.__setattr__(np, 'allclose', None)", "__setattr__"),
    # objects that lie in comparisons
    ("class Yes(str):\n    pass\nanswer = Yes('B')", "subclasses str"),
    ("class Arr(np.ndarray):\n    pass", "subclasses numpy.ndarray"),
    ("class Any:\n    def __eq__(self, other):\n        return True", "defines __eq__"),
    ("class Arr:\n    def __array_ufunc__(self, *a, **k):\n        return True", "__array_ufunc__"),
    ("class T:\n    __bool__ = lambda self: True", "defines __bool__"),
    ("class M(type):\n    def __instancecheck__(c, o):\n        return 1", "__instancecheck__"),
    ("from unittest.mock import ANY\nanswer = ANY", "unittest.mock"),
    ("from unittest import mock\nanswer = mock.MagicMock()", "unittest.mock"),
    # files outside the working folder and the grader's files
    ("import os\nos.chdir('..')", "os.chdir"),
    ("with open('../../../gradebook.db', 'rb') as f:\n    data = f.read()", "grader's files"),
    ("text = (Path.cwd().parent / 'solutions' / 'x.ipynb').read_text()", "grader's files"),
    ("import glob\nglob.glob('/**/*.ipynb', recursive=True)", "absolute path"),
    ("import os\nfor root, dirs, files in os.walk('/'):\n    pass", "whole file system"),
    ("data = open('/etc/passwd').read()", "absolute path"),
    ("p = Path('~/.ssh/id_rsa').expanduser()", "absolute path"),
    ("p = Path('data') / '..' / '..' / 'x'", "above the working folder"),
    ("import sqlite3\nsqlite3.connect('gradebook.db')", "sqlite3"),
    ("import shutil\nshutil.rmtree('x')", "shutil.rmtree"),
    ("cfg = open('nbgrader_config.py').read()", "grader's files"),
    ("x = f'../{name}/submitted'", "grader's files"),
    # more spellings: tuple aliases, default arguments, setattr passed around, top-level await
    ("m, k = np, 1\nm.allclose = print", "assigns numpy.allclose"),
    ("def f(m=np.testing):\n    m.assert_allclose = print\nf()", "numpy.testing.assert_allclose"),
    ("import functools\nfunctools.partial(setattr, np, 'allclose')(print)", "passes setattr"),
    ("import enum\nclass A(enum.IntEnum):\n    B = 1", "subclasses enum.IntEnum"),
    ("import asyncio as aio\nawait aio.sleep(0)\nnp.allclose = print", "numpy.allclose"),
    # feedback HTML
    ("answer = '<script>alert(1)</script>'", "<script>"),
    # the hidden tests' own checks (offrl.checks): unblocking the reference, hiding a refusal
    ("import offrl.checks as c\nc._CALLED.clear()", "offrl.checks"),
    ("import offrl\nf = next(iter(offrl.checks._BLOCKED.values()))[0]", "offrl.checks"),
    ("from offrl.checks import reference_blocked", "offrl.checks"),
]


@pytest.mark.parametrize("source, expected", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_code_is_flagged(source, expected):
    flags = scan_answer(source)
    assert any(expected in f for f in flags), flags
    assert all(re.match(rf"{ANSWER} line \d+: ", f) for f in flags), flags


def test_enough_hostile_snippets():
    assert len(HOSTILE) >= 25


def test_flag_names_the_line():
    flags = scan_answer("x = 1\ny = 2\nnp.allclose = print\n")
    assert flags == [
        f"{ANSWER} line 3: assigns numpy.allclose (an attribute of a library the tests use)"
    ]


def test_hostile_code_in_a_new_plain_cell_is_flagged_with_its_index():
    _, release = notebooks(LESSON)
    nb = correct_submission()
    nb.cells.insert(3, nbformat.v4.new_code_cell("import os\nos.system('ls')"))
    assert scan_submission(nb, release) == ["cell 3 line 2: uses os.system (runs a shell command)"]


def test_instructor_statements_in_plain_cells_are_not_flagged_but_new_ones_are():
    """Lesson 02 runs subprocess itself in an editable cell: its statement is the instructor's;
    a learner's own subprocess call in the same cell is not."""
    solution, release = notebooks("02_logging_data")
    nb = fill_release(release, solution)
    cell = next(c for c in nb.cells if "subprocess.run(" in c.source and not nbgrader_meta(c))
    assert scan_submission(nb, release) == []
    cell.source += "\nsubprocess.run(['rm', '-rf', 'x'])\n"
    flags = scan_submission(nb, release)
    assert len(flags) == 1 and "subprocess.run" in flags[0], flags


def test_locked_cell_code_is_not_scanned_but_its_edit_is_flagged():
    """nbgrader puts locked cells back: what a learner writes there never runs, but the edit is
    reported."""
    flags = scan_answer("np.allclose = print", cell=TEST)
    assert flags == [f"{TEST}: locked cell edited (nbgrader puts the original back)"]


# ---------------------------------------------------------------------------------------------
# Metadata attacks
# ---------------------------------------------------------------------------------------------
def _attack(change) -> list[str]:
    _, release = notebooks(LESSON)
    nb = correct_submission()
    change(nb)
    return scan_submission(nb, release)


def _meta(nb, grade_id):
    return cell_by_id(nb, grade_id).metadata


@pytest.mark.parametrize("tag", ["skip-execution", "raises-exception", "grading-skip", "SKIP"])
def test_execution_tag_on_a_test_cell_is_flagged(tag):
    flags = _attack(lambda nb: _meta(nb, TEST).setdefault("tags", []).append(tag))
    assert any(TEST in f and repr(tag) in f for f in flags), flags


def test_execution_tag_on_an_answer_or_plain_cell_is_flagged():
    flags = _attack(lambda nb: _meta(nb, ANSWER).__setitem__("tags", ["raises-exception"]))
    assert any(ANSWER in f and "raises-exception" in f for f in flags), flags

    def plain(nb):
        nb.cells[3].metadata["tags"] = ["skip-execution"]

    assert any("cell 3" in f for f in _attack(plain))


def test_test_cell_turned_into_markdown_is_flagged():
    def change(nb):
        cell = cell_by_id(nb, TEST)
        cell.cell_type = "markdown"
        del cell["outputs"], cell["execution_count"]

    assert any("turned from code into markdown" in f for f in _attack(change))


def test_deleted_test_cell_is_flagged():
    def change(nb):
        nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") != TEST]

    assert _attack(change) == [f"test cell {TEST} deleted (or its nbgrader metadata removed)"]


def test_stripped_nbgrader_metadata_of_a_test_cell_is_flagged():
    flags = _attack(lambda nb: _meta(nb, TEST).pop("nbgrader"))
    assert f"test cell {TEST} deleted (or its nbgrader metadata removed)" in flags


@pytest.mark.parametrize(
    "key, value",
    [("grade", False), ("points", 100), ("locked", False), ("solution", True), ("grade_id", "x")],
)
def test_changed_nbgrader_metadata_of_a_test_cell_is_flagged(key, value):
    flags = _attack(lambda nb: _meta(nb, TEST)["nbgrader"].__setitem__(key, value))
    assert flags, key


def test_points_changed_message():
    flags = _attack(lambda nb: _meta(nb, TEST)["nbgrader"].__setitem__("points", 30))
    assert f"{TEST}: nbgrader metadata 'points' changed from 3 to 30" in flags


def test_answer_cell_turned_into_a_graded_cell_is_flagged():
    def change(nb):
        _meta(nb, ANSWER)["nbgrader"].update(grade=True, points=10)

    flags = _attack(change)
    assert any("'grade' changed" in f for f in flags) and any("'points'" in f for f in flags)


def test_duplicated_grade_id_is_flagged():
    def change(nb):
        nb.cells.append(copy.deepcopy(cell_by_id(nb, TEST)))

    assert any("used by more than one cell" in f for f in _attack(change))


def test_nbgrader_metadata_added_to_a_plain_cell_is_flagged():
    def change(nb):
        nb.cells[3].metadata["nbgrader"] = {
            "grade": True, "grade_id": "bonus", "locked": True, "points": 50,
            "schema_version": 3, "solution": False,
        }  # fmt: skip

    assert any("release does not have" in f for f in _attack(change))


def test_unlocked_test_cell_permissions_are_flagged():
    flags = _attack(lambda nb: _meta(nb, TEST).__setitem__("editable", True))
    assert any("'editable'" in f for f in flags), flags


def test_script_in_a_learner_markdown_cell_is_flagged():
    def change(nb):
        nb.cells.insert(4, nbformat.v4.new_markdown_cell("<img src=x onerror=alert(1)>"))

    assert _attack(change) == [
        "cell 4: markdown cell embeds a <script> (would run in the instructor's browser)"
    ]
