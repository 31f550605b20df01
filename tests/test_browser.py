"""The two Labs in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright.

* learner Lab (`make lab` of the learner edition): opens on the lessons, no nbgrader instructor
  tools; lesson 00, answered, opens unmodified, runs every cell without an error, and the
  Validate button reports success;
* instructor Lab (`make teach` of a fresh clone): Formgrader opens from the Nbgrader menu and
  its assignment links lead to the assignment's folder, not to a 404.

Screenshots of a failing step (and the page's text) are saved under test-artifacts/browser/
(override with TEST_ARTIFACTS); BROWSER_SCREENSHOTS=1 saves every step's screenshot there too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import lab_harness as lh

REPO = lh.REPO
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", REPO / "test-artifacts")) / "browser"
EVERY_STEP = os.environ.get("BROWSER_SCREENSHOTS") == "1"
LESSON = "00_why_offline_rl"

if not CHROMIUM or importlib.util.find_spec("playwright") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI: the browser test needs chromium (apt) and playwright (pip)")
    pytest.skip("no chromium or playwright (make test installs them)", allow_module_level=True)

le = lh.load_script("learner_edition")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: Chromium's own sandbox refuses to run as root (CI, containers)
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.set_default_timeout(60_000)
    pg = ctx.new_page()
    try:
        yield pg
    finally:
        ctx.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@contextmanager
def step(page, name: str):
    """A step of the scenario: on failure its screenshot and page text are kept as artefacts."""
    try:
        yield
    except BaseException:
        try:
            shot(page, f"FAILED-{name}")
            (ARTIFACTS / f"FAILED-{name}.txt").write_text(page.inner_text("body"))
        except Exception:  # noqa: BLE001 - the page may be gone; the original error matters
            pass
        raise
    if EVERY_STEP:
        shot(page, name)


def answered_release(lesson: str) -> dict:
    sol = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in sol["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}  # fmt: skip
    nb = json.loads((REPO / "notebooks" / lesson / f"{lesson}.ipynb").read_text())
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    return nb


def menu_labels(page) -> list[str]:
    return [t.strip() for t in page.locator(".lm-MenuBar-itemLabel").all_inner_texts()]


# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("learner-lab")
    edition = le.build(tmp / "offline-rl-course", REPO, check=False)
    nb = edition / "notebooks" / LESSON / f"{LESSON}.ipynb"  # the learner has answered lesson 00
    nb.write_text(json.dumps(answered_release(LESSON), indent=1, ensure_ascii=False) + "\n")
    port = lh.free_port()
    stamp = str(lh.VENV / ".installed-requirements")
    cmd = ["make", "-o", stamp, f"VENV={lh.VENV}", "lab", f"PORT={port}"]
    lab = lh.start_lab(cmd, edition, tmp / "lab.log", env=lh.headless_env())
    yield lab
    lab.stop()


def test_learner_lab_runs_and_validates_a_lesson(page, learner_lab):
    lab = learner_lab
    with step(page, "learner-1-lessons"):
        page.goto(lab.url)
        page.locator(".jp-DirListing-item", has_text=LESSON).first.wait_for()
        assert "Nbgrader" not in menu_labels(page), menu_labels(page)
    with step(page, "learner-2-notebook-opened"):
        page.goto(f"{lab.base}/lab/tree/{LESSON}/{LESSON}.ipynb?token={lab.token}")
        panel = page.locator(".jp-NotebookPanel")
        panel.wait_for()
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for()
        page.wait_for_timeout(2000)  # JupyterLab updates language_info from the kernel
        tab = page.locator(".lm-TabBar-tab[data-type='document-title'].lm-mod-current")
        assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), "opened as modified"
        assert page.locator(".jp-Dialog").count() == 0  # no kernel-selection dialog
    with step(page, "learner-3-ran-all-cells"):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=180_000,
        )
        stderr = "application/vnd.jupyter.stderr"
        errors = page.locator(f".jp-OutputArea-output[data-mime-type='{stderr}']")
        assert errors.count() == 0, errors.all_inner_texts()
    with step(page, "learner-4-validated"):
        page.locator(".jp-Toolbar-item", has_text="Validate").click()
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for(timeout=180_000)
        page.wait_for_function(
            "() => /Success|fail|error/i.test(document.querySelector('.jp-Dialog').innerText)",
            timeout=180_000,
        )
        text = dialog.inner_text()
        assert "Success! Your notebook passes all the tests." in text, text


# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def teach_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("teach-lab")
    course = lh.fresh_clone(tmp / "course")
    port = lh.free_port()
    stamp = str(lh.VENV / ".installed-requirements")
    cmd = ["make", "-o", stamp, f"VENV={lh.VENV}", "teach", f"PORT={port}"]
    lab = lh.start_lab(cmd, course, tmp / "teach.log", env=lh.headless_env())
    yield lab
    lab.stop()


def test_instructor_lab_formgrader_links_work(page, teach_lab):
    lab = teach_lab
    with step(page, "teach-1-lab"):
        page.goto(lab.url)
        page.locator(".jp-DirListing-item", has_text="solutions").first.wait_for()
        assert "Nbgrader" in menu_labels(page), menu_labels(page)
    with step(page, "teach-2-formgrader"):
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Formgrader$")).click()
        frame = page.frame_locator("iframe").first
        row = frame.locator("tr", has_text=LESSON).first
        row.wait_for()
    with step(page, "teach-3-assignment-link"):
        # In Lab the formgrader's links ask Lab's file browser to go to the folder; with a
        # server root other than the course root this is where "not found" appears.
        row.locator("td").first.locator("a").click()
        listing = page.locator(".jp-DirListing-item", has_text=f"{LESSON}.ipynb").first
        listing.wait_for()
        assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
    with step(page, "teach-4-generate"):
        row.locator(".glyphicon-education").click()  # generate the student version
        modal = frame.locator(".modal-dialog").first
        modal.wait_for(timeout=120_000)
        assert "Successfully created the student version" in modal.inner_text(), modal.inner_text()
    with step(page, "teach-5-preview"):
        modal.locator("button", has_text="OK").click()
        modal.wait_for(state="hidden")
        frame.locator("tr", has_text=LESSON).first.locator(".glyphicon-search").click()
        page.wait_for_function(
            "() => document.querySelector('.jp-BreadCrumbs').innerText.includes('notebooks')",
            timeout=60_000,
        )
        assert LESSON in page.locator(".jp-BreadCrumbs").first.inner_text()
        page.locator(".jp-DirListing-item", has_text=f"{LESSON}.ipynb").first.wait_for()
        assert page.locator(".jp-Dialog").count() == 0
    with step(page, "teach-6-standalone-formgrader"):
        # Outside Lab (the /formgrader page itself) the same links are /tree/ URLs
        page.goto(f"{lab.base}/formgrader?token={lab.token}")
        link = page.locator("tr", has_text=LESSON).first.locator("td").first.locator("a")
        link.wait_for()
        href = link.get_attribute("href")
        response = page.goto(f"{lab.base}{href}?token={lab.token}")
        assert response is not None and response.status == 200, (href, response and response.status)
        page.locator("text=" + f"{LESSON}.ipynb").first.wait_for()
