"""The learner's JupyterLab (`make lab`): opens on the lessons, shows nbgrader's Validate button
and none of its instructor tools. Loaded with `jupyter lab --config=<this file>` from the course
root (the folder two levels up), so the Validate button finds nbgrader_config.py there.

Works on a laptop and on a headless server: a browser opens only where there is a display, and
the URL with its token is printed either way (forward the port to use it remotely).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent  # noqa: F821 - traitlets sets __file__
COURSE = HERE.parents[1]

c = get_config()  # noqa: F821 - injected by traitlets

c.ServerApp.root_dir = str(COURSE / "notebooks")  # the file browser shows the lessons
c.ServerApp.ip = "localhost"  # remote: ssh -L 8888:localhost:8888 you@server
# Open a browser only where one can appear (Linux without DISPLAY: a server, a container; there a
# text browser such as w3m would otherwise take over the terminal).
_DISPLAY = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
c.ServerApp.open_browser = bool(_DISPLAY) or sys.platform in ("darwin", "win32")
c.ServerApp.allow_root = True  # harmless for other users; containers and cloud VMs run as root
# nbgrader's server extensions: only Validate (the others are for instructors or need an
# exchange this course does not use: they would show empty or broken panels).
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
}
# nbgrader's JupyterLab plugins: lab/page_config.json disables all but Validate.
c.LabApp.app_settings_dir = str(HERE / "lab")
# This Lab's own workspace (open tabs, layout), so the two Labs do not reopen each other's files.
c.LabApp.workspaces_dir = str(HERE / "workspaces")
