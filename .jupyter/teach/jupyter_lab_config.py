"""The instructor's JupyterLab (`make teach`): the course root, with nbgrader's Formgrader
(manage assignments, generate, autograde, manual grading, feedback) and Create Assignment.
Loaded with `jupyter lab --config=<this file>` from the course root (two levels up): formgrader
reads nbgrader_config.py from there, and its links work only when the server's root is the course
root.

A browser opens only where there is a display; the URL with its token is printed either way.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent  # noqa: F821 - traitlets sets __file__
COURSE = HERE.parents[1]

c = get_config()  # noqa: F821 - injected by traitlets

c.ServerApp.root_dir = str(COURSE)
c.ServerApp.ip = "localhost"  # remote: ssh -L 8888:localhost:8888 you@server
_DISPLAY = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
c.ServerApp.open_browser = bool(_DISPLAY) or sys.platform in ("darwin", "win32")
c.ServerApp.allow_root = True
# No exchange in this course (git / LMS distribution): the Assignment List and Course List would
# show errors, so they are off here too.
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
}
c.LabApp.app_settings_dir = str(HERE / "lab")
# This Lab's own workspace (open tabs, layout), so the two Labs do not reopen each other's files.
c.LabApp.workspaces_dir = str(HERE / "workspaces")
