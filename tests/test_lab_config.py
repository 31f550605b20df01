"""The two Labs' settings (.jupyter/learner, .jupyter/teach), read as JupyterLab reads them.
Quick; the servers themselves are tested in test_learner_edition.py (make lab) and, in a
browser, in test_browser.py."""

from __future__ import annotations

import json

import pytest
from traitlets.config.loader import PyFileConfigLoader

from tests import lab_harness as lh

NBGRADER = "nbgrader.server_extensions."


def load(lab: str, monkeypatch, display: str | None):
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    if display:
        monkeypatch.setenv("DISPLAY", display)
    folder = lh.REPO / ".jupyter" / lab
    return PyFileConfigLoader("jupyter_lab_config.py", path=str(folder)).load_config()


@pytest.mark.parametrize("lab", ["learner", "teach"])
def test_headless_servers_open_no_browser(lab, monkeypatch):
    import sys

    cfg = load(lab, monkeypatch, None)
    assert cfg.ServerApp.open_browser is (sys.platform in ("darwin", "win32"))
    assert cfg.ServerApp.allow_root is True and cfg.ServerApp.ip == "localhost"
    assert load(lab, monkeypatch, ":0").ServerApp.open_browser is True


def test_learner_lab_has_validate_only(monkeypatch):
    cfg = load("learner", monkeypatch, None)
    assert cfg.ServerApp.root_dir == str(lh.REPO / "notebooks")
    ext = cfg.ServerApp.jpserver_extensions
    assert ext[NBGRADER + "validate_assignment"] is True
    for off in ("formgrader", "assignment_list", "course_list"):
        assert ext[NBGRADER + off] is False
    page = json.loads((lh.REPO / ".jupyter/learner/lab/page_config.json").read_text())
    disabled = {k for k, v in page["disabledExtensions"].items() if v}
    assert disabled == {f"@jupyter/nbgrader:{p}" for p in
                        ("formgrader", "create-assignment", "assignment-list", "course-list",
                         "menu")} | {"@jupyterlab/apputils-extension:announcements"}  # fmt: skip
    assert cfg.LabApp.app_settings_dir == str(lh.REPO / ".jupyter/learner/lab")


def test_teach_lab_has_formgrader_on_the_course_root(monkeypatch):
    cfg = load("teach", monkeypatch, None)
    assert cfg.ServerApp.root_dir == str(lh.REPO)
    ext = cfg.ServerApp.jpserver_extensions
    assert ext[NBGRADER + "formgrader"] is True and ext[NBGRADER + "validate_assignment"] is True
    page = json.loads((lh.REPO / ".jupyter/teach/lab/page_config.json").read_text())
    assert "@jupyter/nbgrader:formgrader" not in page["disabledExtensions"]
    assert "@jupyter/nbgrader:create-assignment" not in page["disabledExtensions"]
