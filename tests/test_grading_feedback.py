"""grading/feedback.py: learner feedback without hidden tests, answer keys, huge outputs or
learner JavaScript.

Unit tests run SafeFeedback on notebook objects; the end-to-end test builds a temporary course
holding a small synthetic assignment (never a real lesson), runs `nbgrader generate_assignment`,
`autograde` and `generate_feedback` with `grading.feedback.configure(c)` appended to the copy of
the repo's nbgrader_config.py, and reads the feedback HTML.
"""

from __future__ import annotations

import copy
import html as htmllib
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

from grading import feedback
from grading.feedback import SafeFeedback
from tests import nbgrader_harness as h

A = "fbtest"
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
    "kgAAAABJRU5ErkJggg=="
)

# The synthetic test cell: visible check, then hidden checks holding the MCQ answer key.
VISIBLE = 'assert isinstance(answer, str), "answer must be a string such as \'A\'"'
HIDDEN_KEY = 'assert answer.strip().upper() == "B", "not the main reason: re-read section 1"'
HIDDEN_2 = 'assert len(answer.strip()) == 1, "one letter only"'
TEST_SOURCE = "\n".join(
    [VISIBLE, "### BEGIN HIDDEN TESTS", HIDDEN_KEY, HIDDEN_2, "### END HIDDEN TESTS"]
)
MESSAGE = "not the main reason: re-read section 1"


def meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    m = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


def grade_meta(grade_id="q1_test", points=2):
    return meta(grade_id, grade=True, locked=True, points=points)


# ------------------------------------------------------------------------------------------------
# Reading the HTML: visible text and live (executable) markup
# ------------------------------------------------------------------------------------------------
class _Scan(HTMLParser):
    """Collects the visible text and every element that could run script."""

    MATHJAX = ("https://cdnjs.cloudflare.com/ajax/libs/mathjax/",)

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.live: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            src = a.get("src") or ""
            trusted = src.startswith(self.MATHJAX) or a.get("type") == "text/x-mathjax-config"
            if not trusted:
                self.live.append(f"<script {attrs}>")
            self._in_script = True
        if tag in ("iframe", "object", "embed", "base", "form", "frame"):
            self.live.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            v = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.lower().startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href") and (
                v.startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                self.live.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


def scan(html: str) -> tuple[str, list[str]]:
    """(visible text, live script-like elements) of an HTML page."""
    p = _Scan()
    p.feed(html)
    p.close()
    return "".join(p.text), p.live


def render_feedback_html(nb, sanitize_html=True, configured=True) -> str:
    """The feedback page as nbgrader renders it (its `feedback` template), without a gradebook;
    with the HTMLExporter settings of feedback.configure() unless `configured` is False."""
    import nbgrader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    base = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    c = Config()
    if configured:
        feedback.configure(c)
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [str(base / "templates")]
    c.HTMLExporter.extra_template_paths = [
        str(base / "static" / "node_modules" / "bootstrap" / "dist" / "css")
    ]
    c.HTMLExporter.sanitize_html = sanitize_html
    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # what GetGrades adds from the gradebook
        m = cell.metadata.get("nbgrader", {})
        if m.get("grade") or m.get("solution"):
            m.setdefault("score", 0.0)
            m.setdefault("points", m.get("points", 0))
            m.setdefault("comment", None)
    resources = {"nbgrader": {"notebook": "nb", "score": 0, "max_score": 2, "late_penalty": 0}}
    html, _ = HTMLExporter(config=c).from_notebook_node(copy.deepcopy(nb), resources=resources)
    return html


# ------------------------------------------------------------------------------------------------
# Unit tests on notebook objects
# ------------------------------------------------------------------------------------------------
def run_pp(nb, **kw):
    nb = copy.deepcopy(nb)
    return SafeFeedback(**kw).preprocess(nb, {})


def error_output(evalue, traceback):
    return new_output("error", ename="AssertionError", evalue=evalue, traceback=traceback)


def graded_nb(*extra_cells, test_outputs=()):
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("Pick B. Math: $a < b$.", metadata=meta("intro", locked=True)),
        new_code_cell('answer = "C"', metadata=meta("q1_answer", solution=True)),
        new_code_cell(TEST_SOURCE, metadata=grade_meta(), outputs=list(test_outputs)),
        *extra_cells,
    ]
    return nb


def test_configure_keeps_nbgrader_default_preprocessors():
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config

    c = Config()
    feedback.configure(c)
    default = GenerateFeedback.class_traits()["preprocessors"].default()
    assert c.GenerateFeedback.preprocessors == [*default, SafeFeedback]
    assert c.HTMLExporter.sanitize_html is True
    assert c.HTMLExporter.filters == {"clean_html": "grading.feedback.clean_html"}


def test_release_source_matches_clear_hidden_tests():
    from nbgrader.preprocessors import ClearHiddenTests

    source = "x = 1\n    ### BEGIN HIDDEN TESTS\n    assert x == 1\n    ### END HIDDEN TESTS\ny = 2"
    released, hidden = SafeFeedback().split_hidden(source)
    assert released == "x = 1\n    # (hidden tests)\ny = 2"
    assert hidden == ["    ### BEGIN HIDDEN TESTS", "    assert x == 1"]
    cell = new_code_cell(source, metadata=grade_meta())
    ClearHiddenTests()._remove_hidden_test_region(cell)
    assert cell.source == "\n".join(l for l in released.split("\n") if "(hidden tests)" not in l)


def test_unterminated_hidden_region_hides_rest_of_cell():
    released, _ = SafeFeedback().split_hidden("a = 1\n### BEGIN HIDDEN TESTS\nassert a == 1")
    assert released == "a = 1\n# (hidden tests)"


def test_test_cell_shows_release_source_and_only_the_message():
    tb = [
        "\x1b[0;31m" + "-" * 75 + "\x1b[0m",
        "\x1b[0;31mAssertionError\x1b[0m  Traceback (most recent call last)",
        f"\x1b[0;32m----> 3\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m {HIDDEN_KEY}",
        f"\x1b[0;31mAssertionError\x1b[0m: {MESSAGE}",
    ]
    nb = graded_nb(test_outputs=[error_output(MESSAGE, tb)])
    nb, res = run_pp(nb)
    cell = nb.cells[2]
    assert cell.source == VISIBLE + "\n# (hidden tests)"
    (out,) = cell.outputs
    assert out.traceback == [f"AssertionError: {MESSAGE}"]
    assert (out.ename, out.evalue) == ("AssertionError", MESSAGE)
    assert res["offrl_feedback"]["redacted"] == []


def test_message_quoting_hidden_source_is_dropped():
    evalue = f"wrong\n{HIDDEN_KEY}"
    nb, res = run_pp(graded_nb(test_outputs=[error_output(evalue, [evalue])]))
    assert nb.cells[2].outputs[0].traceback == ["AssertionError: wrong"]
    assert res["offrl_feedback"]["redacted"] == [
        {"cell": 2, "output": 0, "grade_id": "q1_test", "field": "evalue"}
    ]


def test_hidden_source_is_redacted_from_every_cell():
    history = ["answer = 'C'", TEST_SOURCE, "print(_ih)"]
    learner = [
        new_code_cell("print('\\n'.join(_ih))", outputs=[
            new_output("stream", name="stdout", text="\n".join(history)),
        ]),
        new_code_cell("_ih", outputs=[
            new_output("execute_result", data={"text/plain": repr(history)}, execution_count=3),
        ]),
        new_code_cell("HTML", outputs=[
            new_output("display_data",
                       data={"text/html": f"<pre>{htmllib.escape(HIDDEN_2)}</pre>"}),
        ]),
        new_code_cell("1/0", outputs=[
            new_output("error", ename="ZeroDivisionError", evalue="x",
                       traceback=[f"\x1b[0;32m{HIDDEN_KEY}\x1b[0m"]),
        ]),
        new_code_cell("print", outputs=[
            new_output("stream", name="stdout", text="### BEGIN HIDDEN TESTS\n[removed]\n"),
        ]),
    ]
    nb, res = run_pp(graded_nb(*learner))
    redacted = "[hidden test text removed]"
    assert nb.cells[3].outputs[0].text == redacted
    assert nb.cells[4].outputs[0].data["text/plain"] == redacted
    assert nb.cells[5].outputs[0].data["text/html"] == redacted
    assert nb.cells[6].outputs[0].traceback == [f"ZeroDivisionError: {redacted}"]
    assert nb.cells[7].outputs[0].text == redacted  # a delimiter: quoted test source
    assert [(r["cell"], r["field"]) for r in res["offrl_feedback"]["redacted"]] == [
        (3, "text"), (4, "text/plain"), (5, "text/html"), (6, "traceback"), (7, "text"),
    ]


def test_short_and_comment_hidden_lines_are_not_searched_for():
    nb = graded_nb(new_code_cell("print", outputs=[
        new_output("stream", name="stdout", text="ok(a)\n# compare with the key\n"),
    ]))
    nb.cells[2].source = (
        "### BEGIN HIDDEN TESTS\nok(a)\n# compare with the key\n### END HIDDEN TESTS"
    )
    nb, res = run_pp(nb)
    assert nb.cells[3].outputs[0].text == "ok(a)\n# compare with the key\n"
    assert res["offrl_feedback"]["redacted"] == []


def test_outputs_are_capped_in_bytes():
    big_png = PNG_1PX + "A" * 300
    cells = [
        new_code_cell("print", outputs=[
            new_output("stream", name="stdout", text="y" * 120),
            new_output("stream", name="stdout", text="y" * 120),  # merged, then capped
        ]),
        new_code_cell("img", outputs=[
            new_output("display_data", data={"image/png": big_png, "text/plain": "<Figure>"}),
        ]),
        new_code_cell("ok", outputs=[new_output("stream", name="stdout", text="short\n")]),
    ]
    nb, res = run_pp(graded_nb(*cells), max_bytes=200, max_image_bytes=200)
    (stream,) = nb.cells[3].outputs
    assert stream.text == "y" * 200 + "\n... [output truncated by the grader: 240 bytes]\n"
    img = nb.cells[4].outputs[0].data
    assert "image/png" not in img
    assert f"image/png image removed by the grader: {len(big_png)} bytes" in img["text/plain"]
    assert nb.cells[5].outputs[0].text == "short\n"
    assert len(res["offrl_feedback"]["truncated"]) == 2


def test_output_cut_at_execution_keeps_its_marker():
    marker = "\n... [output truncated by the grader: 30000001 bytes]\n"
    cells = [
        new_code_cell("a", outputs=[new_output("stream", name="stdout", text="x" * 100 + marker)]),
        new_code_cell("b", outputs=[new_output("stream", name="stdout", text="x" * 300 + marker)]),
    ]
    nb, _ = run_pp(graded_nb(*cells), max_bytes=200)
    assert nb.cells[3].outputs[0].text == "x" * 100 + marker
    assert nb.cells[4].outputs[0].text == "x" * 200 + marker


def test_unsafe_outputs_and_learner_markup_are_neutralised():
    cells = [
        new_code_cell("js", outputs=[new_output("display_data", data={
            "application/javascript": "alert(3)", "text/plain": "<Javascript object>"})]),
        new_code_cell("html", outputs=[new_output("display_data", data={
            "text/html": "<b>ok</b><script>alert(1)</script><img src=x onerror=alert(2)>"})]),
        new_code_cell("png", outputs=[new_output("display_data", data={"image/png": PNG_1PX},
            metadata={"image/png": {"width": "1 onerror=alert(9)", "height": 20}})]),
        new_code_cell("md", outputs=[new_output("display_data", data={
            "text/markdown": "[x](javascript:alert(7)) <script>alert(6)</script>"})]),
        new_markdown_cell("note <script>alert(4)</script> [l](javascript:alert(5)) **bold**"),
        new_raw_cell("<script>alert(8)</script>", metadata={"raw_mimetype": "text/html"}),
        new_code_cell("x", metadata=meta("<script>alert(10)</script>", solution=True)),
        new_code_cell("y"),
    ]
    cells[-1].execution_count = "<script>alert(11)</script>"  # not a valid notebook; still
    nb, res = run_pp(graded_nb(*cells))
    js = nb.cells[3].outputs[0].data
    assert set(js) == {"text/plain"} and "application/javascript output removed" in js["text/plain"]
    assert "<script>" not in nb.cells[4].outputs[0].data["text/html"]
    assert "onerror" not in nb.cells[4].outputs[0].data["text/html"]
    assert nb.cells[5].outputs[0].metadata == {"image/png": {"height": 20}}
    md_out = nb.cells[6].outputs[0].data
    assert "text/markdown" not in md_out and "<script>" not in md_out["text/html"]
    assert "javascript:" not in md_out["text/html"].replace("(javascript:", "")
    assert "<script>" not in nb.cells[7].source and "<strong>bold</strong>" in nb.cells[7].source
    assert "<script>" not in nb.cells[8].source
    assert nb.cells[9].metadata.nbgrader.grade_id == "cell-9"
    assert nb.cells[10].execution_count is None
    assert {r["mimetype"] for r in res["offrl_feedback"]["removed"]} == {"application/javascript"}
    # rendered with nbgrader's feedback template: nothing can run, the markdown still renders
    text, live = scan(render_feedback_html(nb, sanitize_html=True))
    assert live == []
    assert "<script>alert(4)</script>" in text  # shown to the learner as text
    _, live_unsanitised = scan(render_feedback_html(nb, sanitize_html=False))
    assert live_unsanitised == []  # SafeFeedback alone suffices; sanitize_html is a second layer


def test_what_sanitize_html_alone_covers():
    """Measured on nbconvert 7.17 + nbgrader 0.9.6's feedback template, WITHOUT SafeFeedback:
    sanitize_html neutralises html/markdown outputs and drops javascript outputs, but leaves
    learner markdown cells (the feedback template renders them without clean_html) and image
    width metadata (written unquoted) able to run script."""
    outputs = {
        "html": {"text/html": "<script>alert(1)</script><img src=x onerror=alert(2)>"
                              "<a href='javascript:alert(3)'>l</a>"},
        "js": {"application/javascript": "alert(4)", "text/plain": "<Javascript object>"},
        "md": {"text/markdown": "<script>alert(5)</script>"},
    }
    nb = new_notebook()
    nb.cells = [new_code_cell(k, outputs=[new_output("display_data", data=d)])
                for k, d in outputs.items()]
    _, live = scan(render_feedback_html(nb, sanitize_html=True, configured=False))
    assert live == []
    _, live = scan(render_feedback_html(nb, sanitize_html=True))  # with our clean_html filter
    assert live == []
    _, live = scan(render_feedback_html(nb, sanitize_html=False, configured=False))
    assert len(live) >= 3  # the unsanitised page runs them
    gaps = new_notebook()
    gaps.cells = [
        new_markdown_cell("<script>alert(6)</script>"),
        new_code_cell("png", outputs=[new_output("display_data", data={"image/png": PNG_1PX},
                      metadata={"image/png": {"width": "1 onerror=alert(7)"}})]),
    ]
    _, live = scan(render_feedback_html(gaps, sanitize_html=True, configured=False))
    print("sanitize_html leaves live:", live)  # the two gaps SafeFeedback closes
    _, live = scan(render_feedback_html(run_pp(gaps)[0], sanitize_html=True))
    assert live == []


# ------------------------------------------------------------------------------------------------
# End to end: generate_assignment, autograde, generate_feedback in a temporary course
# ------------------------------------------------------------------------------------------------
def source_notebook():
    nb = new_notebook(metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    })
    nb.cells = [
        new_markdown_cell("# Feedback test\n\nWhich letter? Set `answer` ($a < b$).",
                          metadata=meta("intro", locked=True)),
        new_code_cell('### BEGIN SOLUTION\nanswer = "B"\n### END SOLUTION',
                      metadata=meta("q1_answer", solution=True)),
        new_code_cell(TEST_SOURCE, metadata=grade_meta()),
    ]
    return nb


def nbgrader_api(course):
    """nbgrader's Python API on the course's nbgrader_config.py, in this process (saves an
    interpreter start per step; autograde runs as `nbgrader autograde` in a subprocess)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert Path(config.CourseDirectory.root) == Path(course)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def nbgrader_autograde(course, submissions):
    """Write submitted/<student>/A/A.ipynb and run `nbgrader autograde A` (the repo config's
    execution, whatever it is); returns the gradebook scores."""
    for student, nb in submissions.items():
        dest = course / "submitted" / student / A
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(dest / f"{A}.ipynb"))
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", A, "--force"],
        cwd=course, env=h.release.nbgrader_env(), capture_output=True, text=True,
    )
    assert proc.returncode == 0, f"nbgrader autograde: {proc.stdout}\n{proc.stderr}"
    return h.read_scores(course, A, list(submissions))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = h.release.make_course(tmp_path_factory.mktemp("feedback") / "course", [])
    with open(course / "nbgrader_config.py", "a") as f:
        f.write("\nimport grading.feedback; grading.feedback.configure(c)\n")
    (course / "solutions" / A).mkdir(parents=True)
    nbformat.write(source_notebook(), str(course / "solutions" / A / f"{A}.ipynb"))
    t0 = time.perf_counter()
    result = nbgrader_api(course).generate_assignment(A, force=True)
    assert result["success"], result
    h.time_step("feedback (synthetic)", "generate", time.perf_counter() - t0)
    release = h.read(course / "notebooks" / A / f"{A}.ipynb")
    assert HIDDEN_KEY not in "".join(c.source for c in release.cells)

    good = h.with_cell_source(release, "q1_answer", 'answer = "B"')
    evil = h.with_cell_source(release, "q1_answer", 'answer = "C"')
    evil.cells += [
        new_code_cell(
            "from IPython.display import HTML, Javascript, display\n"
            "display(HTML('<script>alert(1)</script><img src=x onerror=alert(2)>'))\n"
            "display(Javascript('alert(3)'))"
        ),
        new_code_cell('print("x" * 30_000_000)'),
        new_code_cell('display(HTML("<p>" + "y" * 150_000 + "</p>"))'),
        new_code_cell('print("\\n".join(_ih))'),  # the kernel's history: the test cell's source
        new_markdown_cell("My notes <script>alert(4)</script> [click](javascript:alert(5))"),
    ]
    t0 = time.perf_counter()
    scores = nbgrader_autograde(course, {"good": good, "evil": evil})
    t1 = time.perf_counter()
    result = nbgrader_api(course).generate_feedback(A, force=True)
    assert result["success"], result
    h.time_step("feedback (synthetic)", "autograde x2", t1 - t0)
    h.time_step("feedback (synthetic)", "generate_feedback", time.perf_counter() - t1)
    pages = {s: (course / "feedback" / s / A / f"{A}.html") for s in ("good", "evil")}
    return {
        "course": course,
        "scores": scores,
        "scores_after": h.read_scores(course, A, ["good", "evil"]),
        "html": {s: p.read_text() for s, p in pages.items()},
        "size": {s: p.stat().st_size for s, p in pages.items()},
        "autograded": h.autograded_notebook(course, A, "evil"),
    }


def test_learner_tables_still_render():
    """nbconvert's own clean_html escapes <thead>/<th>/<p>: configure() swaps in ours."""
    table = "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    nb = new_notebook()
    nb.cells = [new_code_cell("df", outputs=[new_output(
        "execute_result", data={"text/html": table, "text/plain": "   a\n0  1"},
        execution_count=1)])]
    nb, _ = run_pp(nb)
    assert "&lt;thead&gt;" in render_feedback_html(nb, configured=False)
    page = render_feedback_html(nb)
    assert "<thead>" in page and "&lt;thead&gt;" not in page


def test_e2e_scores_unchanged_by_feedback(graded):
    assert graded["scores"] == {"good": {"q1_test": (2.0, 2.0)}, "evil": {"q1_test": (0.0, 2.0)}}
    assert graded["scores_after"] == graded["scores"]
    assert "(Score: 2.0 / 2.0)" in graded["html"]["good"]
    assert "(Score: 0.0 / 2.0)" in graded["html"]["evil"]


def test_e2e_feedback_hides_tests_and_answer_key(graded):
    # the autograded notebook (which nbgrader's default feedback shows) holds the hidden tests
    assert HIDDEN_KEY in h.cell_by_id(graded["autograded"], "q1_test").source
    for student, page in graded["html"].items():
        text, _ = scan(page)
        for secret in (HIDDEN_KEY, HIDDEN_2, 'upper() == "B"', "BEGIN HIDDEN TESTS"):
            assert secret not in text, (student, secret)
            assert secret not in htmllib.unescape(page), (student, secret)
        assert "# (hidden tests)" in text
        assert "answer must be a string" in text  # the visible check stays visible
    evil_text, _ = scan(graded["html"]["evil"])
    assert f"AssertionError: {MESSAGE}" in evil_text
    # the print(_ih) cell: redacted here, or already at execution by grading/runner.py
    assert "[hidden test text removed" in evil_text


def test_e2e_no_learner_javascript(graded):
    text, live = scan(graded["html"]["evil"])
    assert live == []
    assert "output_javascript" not in graded["html"]["evil"]  # the Javascript output is gone
    assert "application/javascript output removed by the grader" in text
    assert "<script>alert(4)</script>" in text  # the learner's markdown shown as text


def test_e2e_huge_output_truncated(graded):
    page = graded["html"]["evil"]
    assert "[output truncated by the grader: 30000001 bytes]" in page  # print("x" * 30_000_000)
    assert "[output truncated by the grader: 150007 bytes]" in page  # the 150 kB HTML display
    assert "y" * 99_990 in page and "y" * 100_001 not in page
    assert graded["size"]["evil"] < 2_000_000, graded["size"]
