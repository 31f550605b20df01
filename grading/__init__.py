"""Instructor tooling: trustworthy class grading for the offline-RL course.

Never imported by a lesson and not shipped in the learner edition. ``make grade`` runs
``python -m grading``; see grading/README.md for the threat model.
"""
