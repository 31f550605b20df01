"""Feedback HTML that is safe to hand to learners (``nbgrader generate_feedback``).

nbgrader 0.9.6's feedback shows every hidden test (issue #1363), the full traceback of a failed
check (which quotes the failing hidden line), any output however large, and renders learner HTML.
``SafeFeedback`` runs after nbgrader's own feedback preprocessors and rewrites the autograded
notebook before it is rendered:

1. Test cells (``grade: true``, ``solution: false``) show their *release* source: each
   ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region (nbgrader's ``ClearHiddenTests``
   delimiters, so ``c.ClearHiddenTests.*_delimeter`` config applies) becomes one line
   ``# (hidden tests)``. A region without its END hides the rest of the cell (fail closed).
2. An error in a test cell shows only ``Ename: message`` (ANSI codes removed), never the traceback;
   a message line that quotes hidden-test source is dropped. In EVERY cell, any output text that
   contains a line of hidden-test source (a line of a hidden region, stripped length >= 12 and not
   a comment; also in its repr/JSON/HTML-escaped forms) or a hidden-test delimiter is replaced by
   ``[hidden test text removed]``; each redaction is listed in
   ``resources["offrl_feedback"]["redacted"]``. Hidden lines come from the notebook's test cells
   and, when run by nbgrader, from the gradebook's source cells.
3. Every output is capped in size: text at ``max_bytes`` characters (default 100 000), cut with
   ``... [output truncated by the grader: N bytes]`` (an output already cut at execution keeps its
   marker and original size); an image whose base64 payload exceeds ``max_image_bytes`` (default
   200 000, since the lessons' own figures reach ~150 kB) is replaced by a text note.
   Consecutive stream outputs are merged first, so a print split into chunks is capped as a whole.
4. No learner JavaScript: only an allow-list of output mime types is kept
   (``application/javascript``, widget views and unknown types go, with a note when nothing
   displayable is left); ``text/html``
   and ``text/markdown`` outputs are cleaned with bleach; markdown and raw cells are rendered to
   HTML and cleaned (nbgrader's feedback template renders markdown cells WITHOUT nbconvert's
   ``clean_html``, even with ``HTMLExporter.sanitize_html = True``); output metadata is reduced
   to integer width/height (nbconvert's classic template writes ``width={{ ... }}`` unquoted, so
   a string width such as ``1 onerror=alert(1)`` becomes an attribute); a ``grade_id`` that is not
   ``[A-Za-z0-9_-]+`` is replaced (the feedback template writes it unescaped). What
   ``sanitize_html`` itself covers is measured in tests/test_grading_feedback.py.

Use from nbgrader_config.py::

    import grading.feedback
    grading.feedback.configure(c)
"""

from __future__ import annotations

import html as _html
import json
import re
from typing import Any

import bleach
from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from traitlets import Bool, Integer, List, Unicode

__all__ = ["SafeFeedback", "configure", "clean_html", "ANSI_RE"]

#: ANSI escape sequences (colours in IPython tracebacks)
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_GRADE_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_MARKER_RE = re.compile(r"\n\.\.\. \[output truncated by the grader: (\d+) bytes\]\n?$")

# ------------------------------------------------------------------------------------------------
# HTML cleaning (bleach): no script, no event handler, no style, no javascript:/data: links.
# ------------------------------------------------------------------------------------------------
_TAGS = sorted(
    set(bleach.ALLOWED_TAGS)
    | {
        "p", "div", "span", "pre", "code", "br", "hr", "img",
        "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup", "del", "s", "u", "small",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "dl", "dt", "dd", "details", "summary", "kbd", "samp", "var", "mark",
    }
)
_PROTOCOLS = ["http", "https", "mailto", "data"]
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$", re.I)


def _link_attr(tag: str, name: str, value: str) -> bool:
    if name == "title":
        return True
    if name == "href":
        v = value.strip().lower()
        return not v.startswith("data:")  # bleach has already dropped javascript: and others
    return False


def _img_attr(tag: str, name: str, value: str) -> bool:
    if name in ("alt", "title"):
        return True
    if name in ("width", "height"):
        return value.strip().isdigit()
    if name == "src":
        v = value.strip()
        return not v.lower().startswith("data:") or bool(_DATA_IMAGE.match(v))
    return False


_ATTRIBUTES = {
    "a": _link_attr,
    "img": _img_attr,
    "abbr": ["title"],
    "acronym": ["title"],
    "th": ["align", "colspan", "rowspan"],
    "td": ["align", "colspan", "rowspan"],
    # pygments / mistune class names for highlighted code
    "div": ["class"],
    "span": ["class"],
    "pre": ["class"],
    "code": ["class"],
}


def clean_html(text: str | bytes) -> str:
    """`text` with every tag or attribute outside a small allow-list escaped or dropped: no
    script, style, event handler, form or frame; links http(s)/mailto only; images http(s) or
    data:image/png|jpeg|gif. configure() also makes it the exporter's ``clean_html`` filter."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return bleach.clean(
        text,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        protocols=_PROTOCOLS,
        strip=False,
        strip_comments=True,
    )


def _markdown_to_safe_html(source: str, attachments: dict | None = None) -> str:
    """Markdown (with math, as nbconvert renders it) -> cleaned HTML, packed as ONE html block so
    that nbgrader's template, which renders the cell source as markdown again, passes it through
    unchanged: wrapped in a <div>, with no blank line inside (a blank line inside <pre> becomes
    the newline entity &#10;)."""
    renderer = IPythonRenderer(escape=False, attachments=attachments or {})
    rendered = MarkdownWithMath(renderer=renderer).render(source)
    cleaned = clean_html(rendered).strip("\n")
    lines: list[str] = []
    blank = 0
    for line in cleaned.split("\n"):
        if line.strip():
            lines.append("&#10;" * blank + line)  # "a\n\nb" -> "a\n&#10;b": same text in <pre>
            blank = 0
        else:
            blank += 1
    packed = "\n".join(lines)
    return f'<div class="offrl-markdown">\n{packed}\n</div>'


# ------------------------------------------------------------------------------------------------
# Outputs
# ------------------------------------------------------------------------------------------------
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
#: the only output mime types rendered in feedback (svg is rendered as <img src="data:...">,
#: where scripts never run)
SAFE_MIMETYPES = _TEXT_TYPES + _IMAGE_TYPES


def _is_test_cell(cell: NotebookNode) -> bool:
    return bool(utils.is_grade(cell)) and not utils.is_solution(cell)


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value)


class SafeFeedback(NbGraderPreprocessor):
    """Make an autograded notebook safe to render as learner feedback (see the module doc)."""

    max_bytes = Integer(
        100_000, help="Largest text output (characters) kept whole; longer ones are cut"
    ).tag(config=True)
    max_image_bytes = Integer(
        1_000_000,
        help="Largest image (base64 characters) kept; larger ones become a text note. Above "
        "max_bytes by default: the lessons' own figures reach ~150 kB (grading/runner.py)",
    ).tag(config=True)
    min_hidden_line = Integer(
        12, help="Hidden-test lines shorter than this (stripped) are not searched for in outputs"
    ).tag(config=True)
    hidden_placeholder = Unicode("# (hidden tests)").tag(config=True)
    redaction_text = Unicode("[hidden test text removed]").tag(config=True)
    use_gradebook = Bool(
        True, help="Also take hidden tests from the gradebook's source cells when available"
    ).tag(config=True)
    sanitize = Bool(True, help="Remove unsafe outputs and clean learner HTML/markdown").tag(
        config=True
    )
    extra_hidden_lines = List(Unicode(), help="More text never to show (tests)").tag(config=True)

    # -- hidden tests --------------------------------------------------------------------------
    def _delimiters(self) -> tuple[str, str]:
        cht = ClearHiddenTests(parent=self)  # honours c.ClearHiddenTests.*_delimeter
        return cht.begin_test_delimeter, cht.end_test_delimeter

    def split_hidden(self, source: str) -> tuple[str, list[str]]:
        """(release source with each hidden region replaced by the placeholder line, hidden
        lines). Same line rules as nbgrader's ClearHiddenTests._remove_hidden_test_region; a
        nested BEGIN stays hidden, a missing END hides the rest of the cell."""
        begin, end = self._delimiters()
        kept: list[str] = []
        hidden: list[str] = []
        in_test = False
        for line in source.split("\n"):
            if begin in line:
                if not in_test:
                    indent = line[: len(line) - len(line.lstrip())]
                    kept.append(indent + self.hidden_placeholder)
                in_test = True
                hidden.append(line)
            elif end in line and in_test:
                in_test = False
            elif end in line:
                continue  # a stray END: ClearHiddenTests drops it too
            elif in_test:
                hidden.append(line)
            else:
                kept.append(line)
        return "\n".join(kept), hidden

    def _needles(self, lines: list[str]) -> set[str]:
        out: set[str] = set()
        for line in lines:
            s = line.strip()
            if len(s) < self.min_hidden_line or s.startswith("#"):
                continue
            out.update({s, repr(s)[1:-1], json.dumps(s)[1:-1]})
            out.add(json.dumps(s, ensure_ascii=False)[1:-1])
        return out

    def _gradebook_sources(self, resources: ResourcesDict) -> list[str]:
        info = resources.get("nbgrader") or {}
        if not (self.use_gradebook and info.get("db_url") and info.get("notebook")):
            return []
        from nbgrader.api import Gradebook

        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            return [sc.source or "" for sc in notebook.source_cells]

    def _contains_hidden(self, text: str) -> bool:
        if not text or not self._hidden:
            return False
        variants = [text]
        plain = ANSI_RE.sub("", text)
        if plain != text:
            variants.append(plain)
        if "&" in plain:
            variants.append(_html.unescape(plain))
        return any(n in v for v in variants for n in self._hidden)

    # -- notebook ------------------------------------------------------------------------------
    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        if resources is None:
            resources = ResourcesDict()
        state = resources.setdefault("offrl_feedback", {})
        for key in ("redacted", "truncated", "removed"):
            state.setdefault(key, [])
        self._state = state
        hidden_lines: list[str] = []
        for cell in nb.cells:
            if _is_test_cell(cell):
                hidden_lines += self.split_hidden(cell.source)[1]
        for source in self._gradebook_sources(resources):
            hidden_lines += self.split_hidden(source)[1]
        hidden_lines += list(self.extra_hidden_lines)
        self._hidden = self._needles(hidden_lines)
        # the delimiters themselves: an output quoting them quotes test source
        self._hidden.update(d.strip() for d in self._delimiters() if d.strip())
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        meta = cell.metadata.get("nbgrader")
        bad_id = meta is not None and not _GRADE_ID_RE.match(str(meta.get("grade_id", "x")))
        if bad_id:
            meta["grade_id"] = f"cell-{index}"  # the feedback template writes it unescaped
        if _is_test_cell(cell):
            cell.source = self.split_hidden(cell.source)[0]
        if cell.cell_type == "code":
            cell.outputs = self._outputs(cell, index)
            # the template prints execution counts unescaped; a cell the kernel skipped keeps
            # whatever the submission held
            for node in [cell, *cell.outputs]:
                count = node.get("execution_count")
                if "execution_count" in node and not (type(count) is int or count is None):
                    node["execution_count"] = None
        elif self.sanitize and cell.cell_type in ("markdown", "raw"):
            self._clean_text_cell(cell)
        return cell, resources

    def _clean_text_cell(self, cell: NotebookNode) -> None:
        if cell.cell_type == "markdown":
            cell.source = _markdown_to_safe_html(cell.source, cell.get("attachments"))
            cell.pop("attachments", None)
        else:
            cell.source = clean_html(cell.source)

    # -- outputs -------------------------------------------------------------------------------
    def _outputs(self, cell: NotebookNode, index: int) -> list:
        test_cell = _is_test_cell(cell)
        merged: list = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (
                out.get("output_type") == "stream"
                and prev is not None
                and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")
            ):
                prev["text"] = _as_text(prev.get("text", "")) + _as_text(out.get("text", ""))
            else:
                merged.append(out)
        result = []
        for j, out in enumerate(merged):
            kind = out.get("output_type")
            where = {"cell": index, "output": j}
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                where["grade_id"] = gid
            if kind == "stream":
                out["text"] = self._safe_text(_as_text(out.get("text", "")), where, "text")
            elif kind == "error":
                self._safe_error(out, test_cell, where)
            elif kind in ("display_data", "execute_result"):
                out = self._safe_data(out, where)
            else:  # unknown output type: never rendered as-is
                self._state["removed"].append({**where, "output_type": str(kind)})
                continue
            result.append(out)
        return result

    def _safe_text(self, text: str, where: dict, field: str) -> str:
        if self._contains_hidden(text):
            self._state["redacted"].append({**where, "field": field})
            return self.redaction_text
        return self._cap(text, where, field)

    def _cap(self, text: str, where: dict, field: str) -> str:
        if self.max_bytes < 0 or len(text) <= self.max_bytes:
            return text
        # already cut at execution (grading/runner.py writes the same marker): keep its size
        earlier = _MARKER_RE.search(text)
        body = text[: earlier.start()] if earlier else text
        if earlier and len(body) <= self.max_bytes:
            return text
        size = int(earlier.group(1)) if earlier else len(text.encode("utf-8", "replace"))
        self._state["truncated"].append({**where, "field": field, "bytes": size})
        return body[: self.max_bytes] + f"\n... [output truncated by the grader: {size} bytes]\n"

    def _safe_error(self, out: NotebookNode, test_cell: bool, where: dict) -> None:
        ename = ANSI_RE.sub("", str(out.get("ename", "Error")))
        evalue = ANSI_RE.sub("", str(out.get("evalue", "")))
        if test_cell:
            lines = evalue.split("\n")
            kept = [ln for ln in lines if not self._contains_hidden(ln)]
            if len(kept) != len(lines):
                self._state["redacted"].append({**where, "field": "evalue"})
            evalue = self._cap("\n".join(kept).strip(), where, "evalue")
            out["ename"], out["evalue"] = ename, evalue
            out["traceback"] = [f"{ename}: {evalue}" if evalue else ename]
            return
        traceback = "\n".join(str(t) for t in out.get("traceback", []))
        if self._contains_hidden(traceback + "\n" + evalue):
            self._state["redacted"].append({**where, "field": "traceback"})
            out["ename"], out["evalue"] = ename, self.redaction_text
            out["traceback"] = [f"{ename}: {self.redaction_text}"]
            return
        out["ename"], out["evalue"] = ename, self._cap(evalue, where, "evalue")
        out["traceback"] = self._cap(traceback, where, "traceback").split("\n")

    def _safe_data(self, out: NotebookNode, where: dict) -> NotebookNode:
        data = dict(out.get("data", {}))
        new: dict[str, Any] = {}
        notes: list[str] = []
        for mime, value in data.items():
            if self.sanitize and mime not in SAFE_MIMETYPES:
                self._state["removed"].append({**where, "mimetype": mime})
                notes.append(f"[{mime} output removed by the grader]")
                continue
            text = _as_text(value)
            if mime in _IMAGE_TYPES:
                if self._contains_hidden(text):
                    self._state["redacted"].append({**where, "field": mime})
                    notes.append(self.redaction_text)
                elif self.max_image_bytes >= 0 and len(text) > self.max_image_bytes:
                    size = len(text)
                    self._state["truncated"].append({**where, "field": mime, "bytes": size})
                    notes.append(f"[{mime} image removed by the grader: {size} bytes]")
                else:
                    new[mime] = value
                continue
            text = self._safe_text(text, where, mime)
            if self.sanitize and mime == "text/markdown":
                new.setdefault("text/html", _markdown_to_safe_html(text))
                continue
            if self.sanitize and mime == "text/html":
                text = clean_html(text)
            new[mime] = text
        if notes and "text/plain" not in new:
            new["text/plain"] = "\n".join(notes)
        elif notes:
            new["text/plain"] = new["text/plain"] + "\n" + "\n".join(notes)
        out["data"] = new
        if self.sanitize:
            out["metadata"] = self._safe_metadata(out.get("metadata", {}), new)
        return from_dict(out)

    @staticmethod
    def _safe_metadata(metadata: dict, data: dict) -> dict:
        """Only integer width/height of images: the classic template writes them unquoted."""
        safe: dict = {}
        for mime in _IMAGE_TYPES:
            m = metadata.get(mime)
            if mime not in data or not isinstance(m, dict):
                continue
            dims = {
                k: int(v)
                for k, v in m.items()
                if k in ("width", "height")
                and isinstance(v, (int, float))
                and not isinstance(v, bool)
            }
            if dims:
                safe[mime] = dims
        return safe


def configure(c) -> None:
    """Add safe feedback to an nbgrader config object: nbgrader's default GenerateFeedback
    preprocessors (GetGrades, CSSHTMLHeaderPreprocessor) followed by SafeFeedback, and
    nbconvert's HTML sanitiser (bleach on html/markdown outputs, no javascript/widget outputs).

    The sanitiser's ``clean_html`` filter is replaced by :func:`clean_html`: as strict about
    scripts, but it keeps tables with headers, paragraphs, headings and images, which nbconvert's
    allow-list escapes into visible tags (a pandas DataFrame would show raw ``<thead>`` text)."""
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, SafeFeedback]
    c.HTMLExporter.sanitize_html = True
    filters = dict(c.HTMLExporter.get("filters", {}))
    filters["clean_html"] = "grading.feedback.clean_html"
    c.HTMLExporter.filters = filters
