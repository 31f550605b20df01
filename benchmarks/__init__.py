"""Speed and memory measurements of the course (``make bench`` = ``python benchmarks/run.py``).

Not tests: nothing here asserts a time. See ``benchmarks/run.py`` for the sections and options.
"""
