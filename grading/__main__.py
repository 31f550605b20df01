"""``python -m grading grade [A ...] [--workers N] [--force] [--unsafe]``: see grading/grade.py."""

import sys

from grading.grade import main

sys.exit(main())
