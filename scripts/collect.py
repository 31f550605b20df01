"""Put learners' notebooks downloaded from a learning platform where nbgrader grades them.

    python scripts/collect.py DOWNLOAD [DOWNLOAD ...] [--assignment A] [--dry-run]
    make collect FROM=~/Downloads/submissions.zip [A=03_inspecting_rollouts]

DOWNLOAD is a zip or a folder (searched recursively; other files, `__MACOSX/` and
`.ipynb_checkpoints/` are ignored). Every notebook lands at
submitted/<student>/<A>/<A>.ipynb, which `make grade` grades. Accepted names:

    Moodle  "Jane Smith_123456_assignsubmission_file_/03_inspecting_rollouts.ipynb"
            "Jane Smith_123456_assignsubmission_file_03_inspecting_rollouts.ipynb"   -> jane_smith
    Canvas  "smithjane_12345_678901_03_inspecting_rollouts.ipynb"  (also _LATE_, and Canvas's
            "-1", "-2" suffixes of resubmitted files)                                -> smithjane
    folders "jane/03_inspecting_rollouts.ipynb",  "jane/03_inspecting_rollouts/03_….ipynb"
            (nbgrader's own layout, e.g. a copy of another submitted/)               -> jane
    plain   "jane_03_inspecting_rollouts.ipynb", "03_inspecting_rollouts_jane.ipynb" -> jane

The assignment is the lesson name found in the file name or its folders (whatever the learner
appended: "-Copy1", " (2)"); with --assignment A, files that name no lesson belong to A
(a platform's download of one assignment). Student ids are lower-case ASCII letters, digits and
`_` made from the name the platform gives (Moodle's number is per assignment, so it is not used);
two learners whose names give the same id in one download (different Moodle or Canvas numbers)
are reported, not merged.

Several files of one student for one assignment (a resubmission "-1", a "-Copy1" next to the
original): the one with the most answered exercises wins (a learner who worked in a copy made by
JupyterLab's "Duplicate" and uploaded both), then the newest (zip entry time or modification
time), then the original name over a copy ("-CopyN", " (N)"); the others are listed as not used.
An existing submission is replaced only when its bytes differ (then `make grade` grades it again).
Unreadable files are reported and not copied.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<rest>.*)$"
)
_CANVAS = re.compile(r"^(?P<name>[a-z0-9]+)(?:_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<rest>.+)$")
# what learners and platforms append to a file name: "-Copy1", " (2)", " copy"
_COPY = re.compile(r"(?:-Copy\d+|\s*\(\d+\)|[- _]copy(?:\s*\d+)?)$", re.I)
_SKIP_PARTS = {"__MACOSX", ".ipynb_checkpoints"}


@dataclass
class Found:
    source: str  # path in the download, for messages
    student: str
    assignment: str
    is_copy: bool
    mtime: float
    data: bytes
    answered: int = 0
    lms_id: str | None = None  # Moodle's or Canvas's number for the learner, if any


def student_id(name: str) -> str:
    """'Jane Smith' -> 'jane_smith'; 'Zoë O'Brien' -> 'zoe_obrien'."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_ = re.sub(r"['’`]", "", ascii_.lower())
    return re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")


def known_assignments(root: Path) -> list[str]:
    names = set()
    for folder in ("solutions", "notebooks"):
        d = root / folder
        if d.is_dir():
            names |= {p.name for p in d.iterdir() if (p / f"{p.name}.ipynb").is_file()}
    return sorted(names, key=len, reverse=True)  # longest first: no prefix shadows another


def _strip_copy(stem: str) -> tuple[str, bool]:
    copy = False
    while True:
        new = _COPY.sub("", stem)
        if new == stem:
            return stem, copy
        stem, copy = new, True


def classify(
    relpath: str, assignments: list[str], default: str | None
) -> tuple[str, str, bool, str | None]:
    """(student, assignment, is_copy, the platform's number for the learner or None) of one
    notebook path inside a download; ValueError with the reason when it cannot tell."""
    parts = [p for p in relpath.replace("\\", "/").split("/") if p]
    filename = parts[-1]
    stem = filename[: -len(".ipynb")]
    folders = parts[:-1]
    student = lms_id = None
    rest = stem
    # Moodle: a folder per submission, or the prefix flattened into the file name
    for i, part in enumerate(folders):
        m = _MOODLE.match(part + ("" if part.endswith("_") else "_"))
        if m:
            student, lms_id, folders = student_id(m["name"]), m["id"], folders[i + 1 :]
            break
    if student is None:
        m = _MOODLE.match(stem)
        if m:
            student, lms_id, rest = student_id(m["name"]), m["id"], m["rest"]
    if student is None:
        m = _CANVAS.match(stem)
        if m:
            student, lms_id, rest = student_id(m["name"]), m["uid"], m["rest"]
            rest = re.sub(r"-\d+$", "", rest)  # Canvas numbers a resubmitted file name "-1"
    rest, is_copy = _strip_copy(rest)
    lowered = [f.lower() for f in folders] + [rest.lower()]
    assignment = next((a for a in assignments for t in lowered if a.lower() in t), None)
    if assignment is None:
        if default is None:
            raise ValueError("names no lesson (pass --assignment A for a one-assignment download)")
        assignment = default
    if student is None:
        # folders: <student>/<A>.ipynb or <student>/<A>/<A>.ipynb (nbgrader's submitted/ layout)
        owners = [f for f in folders if assignment.lower() not in f.lower()]
        owners = [f for f in owners if f.lower() not in ("submitted", "submissions")]
        if owners:
            student = student_id(owners[-1])
        else:  # plain: jane_A.ipynb or A_jane.ipynb
            left = re.sub(re.escape(assignment), " ", rest, flags=re.I)
            student = student_id(left)
    if not student:
        raise ValueError("no student name in the path")
    return student, assignment, is_copy, lms_id


def _entries(download: Path):
    """(relative path, mtime, bytes) of every .ipynb in a zip or folder."""
    if download.is_file() and zipfile.is_zipfile(download):
        with zipfile.ZipFile(download) as z:
            for info in z.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".ipynb"):
                    continue
                if _SKIP_PARTS & set(Path(info.filename).parts):
                    continue
                yield info.filename, time.mktime(info.date_time + (0, 0, -1)), z.read(info)
    elif download.is_dir():
        for p in sorted(download.rglob("*.ipynb")):
            rel = p.relative_to(download)
            if _SKIP_PARTS & set(rel.parts) or p.name.startswith("."):
                continue
            yield rel.as_posix(), p.stat().st_mtime, p.read_bytes()
    elif download.suffix == ".ipynb" and download.is_file():
        yield download.name, download.stat().st_mtime, download.read_bytes()
    else:
        raise SystemExit(f"collect: {download} is not a zip, a folder or a notebook")


def _read(data: bytes):
    """(notebook, None) or (None, why it is not a readable notebook)."""
    import nbformat

    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4), None
    except Exception as e:  # noqa: BLE001 - any reason the file is not a notebook
        return None, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200]


def answered(nb) -> int:
    """Solution cells no longer holding the release's stub."""
    n = 0
    for cell in nb.cells:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        stub = "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER HERE"
        n += stub not in cell.source
    return n


def collect(
    downloads: list[Path], root: Path = REPO, assignment: str | None = None, dry_run: bool = False
) -> dict[str, list[str]]:
    """Copy every notebook in `downloads` to root/submitted/<student>/<A>/<A>.ipynb. Returns
    {"new": [...], "updated": [...], "unchanged": [...], "skipped": [...], "errors": [...]},
    each entry "student/A <- source"."""
    root = Path(root).resolve()
    known = known_assignments(root)
    if assignment is not None and assignment not in known:
        known_list = ", ".join(sorted(known))
        raise SystemExit(f"collect: no assignment {assignment!r} (known: {known_list})")
    report: dict[str, list[str]] = {k: [] for k in ("new", "updated", "unchanged", "skipped",
                                                     "errors")}  # fmt: skip
    chosen: dict[tuple[str, str], Found] = {}
    clashes: dict[tuple[str, str], set[str]] = {}
    for download in downloads:
        for rel, mtime, data in _entries(Path(download).expanduser()):
            src = f"{Path(download).name}:{rel}" if Path(download).is_file() else rel
            try:
                student, a, is_copy, lms_id = classify(rel, known, assignment)
            except ValueError as e:
                report["errors"].append(f"{src}: {e}")
                continue
            nb, problem = _read(data)
            if problem:
                report["errors"].append(f"{src}: not a readable notebook ({problem})")
                continue
            found = Found(src, student, a, is_copy, mtime, data, answered(nb), lms_id)
            prev = chosen.get((student, a))
            if prev is not None and None not in (prev.lms_id, lms_id) and prev.lms_id != lms_id:
                clashes.setdefault((student, a), {prev.source}).add(src)
                continue
            if prev is None:
                chosen[(student, a)] = found
                continue
            # more answers, then newer, then the original name rather than a copy
            rank = lambda f: (f.answered, f.mtime, not f.is_copy)  # noqa: E731
            better = rank(found) > rank(prev)
            keep, drop = (found, prev) if better else (prev, found)
            chosen[(student, a)] = keep
            report["skipped"].append(f"{student}/{a} <- {drop.source} (kept {keep.source})")
    for (student, a), sources in sorted(clashes.items()):
        del chosen[(student, a)]
        report["errors"].append(
            f"{student}/{a}: different learners with this name ({', '.join(sorted(sources))}):"
            " rename their folders or files apart and collect again"
        )
    for (student, a), f in sorted(chosen.items()):
        dest = root / "submitted" / student / a / f"{a}.ipynb"
        line = f"{student}/{a} <- {f.source}"
        if dest.is_file() and dest.read_bytes() == f.data:
            report["unchanged"].append(line)
            continue
        report["updated" if dest.exists() else "new"].append(line)
        if not dry_run:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=dest.parent, delete=False) as tmp:
                tmp.write(f.data)
            shutil.move(tmp.name, dest)
            dest.chmod(0o644)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    ap.add_argument("downloads", nargs="+", type=Path, metavar="DOWNLOAD")
    ap.add_argument("--assignment", "-a", help="for files that name no lesson")
    ap.add_argument("--root", type=Path, default=REPO, help="course root (default: this repo)")
    ap.add_argument("--dry-run", "-n", action="store_true", help="only show what would happen")
    args = ap.parse_args(argv)
    report = collect(args.downloads, args.root, args.assignment, args.dry_run)
    total = sum(len(report[k]) for k in ("new", "updated", "unchanged"))
    verb = "would collect" if args.dry_run else "collected"
    print(f"collect: {verb} {total} submissions into submitted/: {len(report['new'])} new, "
          f"{len(report['updated'])} updated, {len(report['unchanged'])} unchanged")  # fmt: skip
    for line in report["new"] + report["updated"]:
        print(f"  {line}")
    if report["skipped"]:
        n = len(report["skipped"])
        print(f"other files of the same learner and assignment, not used ({n}):")
        for line in report["skipped"]:
            print(f"  {line}")
    if report["errors"]:
        print(f"NOT COLLECTED ({len(report['errors'])}):")
        for line in report["errors"]:
            print(f"  {line}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
