"""nbgrader configuration of the offline-RL course.

Run every nbgrader command from the repository root (where this file lives); nbgrader reads
``nbgrader_config.py`` from the current directory.

    nbgrader generate_assignment A --force   # solutions/A -> notebooks/A; A into gradebook.db
    # put each learner's notebook at submitted/<student>/A/A.ipynb (or: nbgrader collect A)
    nbgrader autograde A                     # -> autograded/<student>/A/, scores in gradebook.db
    nbgrader validate notebooks/A/A.ipynb    # what a learner runs (prints; exit status is always 0)

``python scripts/release.py`` regenerates notebooks/ without touching gradebook.db; the tests
(tests/test_lessons.py) copy this file into a temporary course directory, where ``root`` then
points at that directory.
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file

# ---------------------------------------------------------------------------------------------
# Course layout: the course root is the folder of this file, not the current working directory,
# so submitted/, autograded/, feedback/ and gradebook.db always land next to it.
# ---------------------------------------------------------------------------------------------
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"  # instructor notebooks: solutions, hidden tests
c.CourseDirectory.release_directory = "notebooks"  # generated student release (committed)
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Never copy editor/cache droppings from solutions/<A>/ into the release or a submission.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".DS_Store",
    "ray_results",
]

# No exchange: this course is distributed through git, and submissions are placed in
# submitted/<student>/<A>/ by `make collect` (or by hand). Nothing here depends on an exchange;
# it points inside the course (git-ignored) only so that the Formgrader does not complain about
# /srv/nbgrader/exchange being missing or unwritable.
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".exchange")

# ---------------------------------------------------------------------------------------------
# Release generation
# ---------------------------------------------------------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.enforce_metadata = True  # a BEGIN SOLUTION outside a solution cell is an error

# ---------------------------------------------------------------------------------------------
# Execution (autograde and validate)
# ---------------------------------------------------------------------------------------------
# nbgrader's Execute preprocessor applies this limit per cell (the documented
# ExecutePreprocessor.timeout is not what 0.9.x reads). The slowest cell in the course trains
# MARWIL from the logged file (lesson 04): measured up to ~90 s on a 2-core machine, including
# Ray start-up. 240 s leaves more than 2x headroom for a slower or busier grading machine, while
# a runaway cell (an infinite loop in a learner's answer) is still interrupted within minutes;
# the rest of the notebook then keeps running and the cell's tests score 0.
c.Execute.timeout = 240
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120  # kernel start on a loaded 2-core CI runner
# (Execute.execute_retries is declared by nbgrader 0.9.6 but never read: no retry to rely on.)

# ---------------------------------------------------------------------------------------------
# Library notices never cost points; warnings from the learner's own code always do, and
# `nbgrader validate` (what learners run) and `autograde` judge both the same way.
# nbgrader scores a test cell 0 if it has ANY stderr output. IgnorePattern (nbgrader >= 0.9.4)
# drops matching stderr outputs. What it really does (read from
# nbgrader/preprocessors/ignorepattern.py, 0.9.6):
#   * it is DISABLED by default (its own `enabled` trait defaults to False);
#   * for each stderr *stream output* of a code cell it does `re.search(pattern, output.text)`
#     and, on a match, drops that WHOLE output (not just the matching line). ipykernel batches
#     stderr writes, so one output can hold several lines: if any line is a library notice, the
#     batch goes. Errors (exceptions, failed asserts) are `error` outputs, not stderr, and are
#     never dropped, so a wrong answer still scores 0.
#   * autograde runs it after Execute; `nbgrader validate` does NOT (the Validator's preprocessor
#     list is a fixed class default, not configurable), so a warning would fail a cell in
#     validate and pass it in autograde. _validate_like_autograde() below adds it to validate.
# The pattern (MULTILINE, so ^ anchors at each line) recognises only library notices. A warning
# raised by the learner's own code names the learner's cell as its file (ipykernel compiles each
# cell to ".../ipykernel_<pid>/<hash>.py"; older IPython: "<ipython-input-...>"): that is not a
# library notice, and it costs the test cell its points in both.
_LEARNER_CELL = r"(?:[^\n]*?ipykernel_\d+[/\\]|<ipython-input-)"
_LIBRARY_NOTICE_LINES = [
    # warnings.warn(): "/path/module.py:123: SomeWarning: message", unless the path is a cell's
    r"(?!" + _LEARNER_CELL + r")\S.*:\d+: \w*Warning: ",
    # logging with a timestamp (Ray, RLlib, Ray Data): "2025-01-01 12:00:00,123\tWARNING x.py:1 -- "
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d+\s+(?:WARNING|WARN|INFO|DEBUG)\b",
    # logging.basicConfig's default format: "WARNING:ray.rllib:message"
    r"(?:WARNING|INFO|DEBUG):[\w.]+:",
    # torch / C++ glog-style warnings: "[W1121 17:08:00.000000 123 file.cpp:45] Warning: ..."
    r"\[W\d{4} \d\d:\d\d:\d\d",
    # progress bars (tqdm text mode writes to stderr): " 40%|####      | 4/10 [00:01<00:02, ...]"
    r"(?:[^|\n]*\s)?\d{1,3}%\|",
]
# Ray worker lines carry a "(SomeActor pid=1234, ip=...)" prefix before the notice.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?m)^(?:\(\S+ pid=\d+(?:, ip=\S+)?\)\s*)?(?:" + "|".join(_LIBRARY_NOTICE_LINES) + ")"
)


def _validate_like_autograde():
    """Run IgnorePattern in `nbgrader validate` (command line and the Lab's Validate button) as
    autograde does, after Execute: one judgement of stderr for learner and grader."""
    from nbgrader.preprocessors import IgnorePattern
    from nbgrader.validator import Validator

    trait = Validator.class_traits()["preprocessors"]
    default = list(trait.default())  # traitlets keeps this List's default in default_args
    if IgnorePattern not in default:
        trait.default_args = ([*default, IgnorePattern],)


_validate_like_autograde()

# ---------------------------------------------------------------------------------------------
# Autograding
# ---------------------------------------------------------------------------------------------
# Locked cells whose checksum changed are replaced by the gradebook copy (nbgrader default).
# A learner who deleted a test cell gets it back, graded, instead of a silent 0 (the cell is
# re-inserted after the preceding solution/grade cell); a deleted cell can never raise a score.
c.OverwriteCells.add_missing_cells = True
c.Autograde.create_student = True  # any folder under submitted/ is a student
c.LimitOutput.max_lines = 1000

# ---------------------------------------------------------------------------------------------
# Trustworthy grading (the instructor's repository): when the `grading` package is installed,
# autograde runs every submission in a bubblewrap sandbox (grading/execute.py) and feedback hides
# hidden tests and learner JavaScript (grading/feedback.py). `make grade` grades a class in
# parallel through the same pipeline. The learner edition has no `grading` package: there this
# file only serves `nbgrader validate`.
# ---------------------------------------------------------------------------------------------
import importlib.util  # noqa: E402

if importlib.util.find_spec("grading") is not None:
    import grading.config  # noqa: E402

    grading.config.configure(c, c.CourseDirectory.root)
