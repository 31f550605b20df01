# Two commands for users:  make lab  (set up + open the course)   make test  (set up + run tests)
# Learners also: make check (nbgrader validate every notebook). Instructors: make teach (Lab with
# Formgrader), make learner-edition DEST=..., make collect FROM=..., make grade, make feedback.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
PORT   ?= 8888

.PHONY: venv sandbox chromium lab teach check test bench grade collect feedback learner-edition release \
	data figures clean

# The virtualenv is (re)installed whenever requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# build matplotlib's font cache now, not inside the first notebook (it prints to stderr)
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $@

venv: $(STAMP) sandbox

# Grading runs learner code in a bubblewrap sandbox. Installed here when we can (root + apt-get);
# otherwise `make grade` explains what to install and refuses to grade.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the grading sandbox)"; \
	    (apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null && apt-get install -y -qq bubblewrap >/dev/null)); \
	  else \
	    echo "note: bubblewrap is not installed; grading needs it (sudo apt-get install bubblewrap)"; \
	  fi; }

# The learner's Lab: the lessons, nbgrader's Validate and no instructor tools (.jupyter/learner/).
# The instructor's Lab: the course root with Formgrader (.jupyter/teach/). Both print the URL with
# its token and open a browser only where there is a display; PORT=8889 for another port.
lab: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab \
	  --config="$(abspath .jupyter/learner/jupyter_lab_config.py)" --ServerApp.port=$(PORT)

teach: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab \
	  --config="$(abspath .jupyter/teach/jupyter_lab_config.py)" --ServerApp.port=$(PORT)

# Every notebook in notebooks/ through nbgrader's validator (A=<lesson> for one, with details).
check: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/check.py $(A)

# The browser test (tests/test_browser.py) drives Debian's chromium with Playwright; installed here
# when we can (root + apt-get), otherwise that test is skipped (outside CI) with a note.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (the browser test)"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)); \
	  else \
	    echo "note: chromium is not installed; the browser test will be skipped"; \
	  fi; }

# Tests run with the venv's bin/ first on PATH (nbgrader shells out to `alembic`). TEST_WORKERS=N
# spreads them over N pytest-xdist workers, each lesson's tests on one (--dist loadgroup, see
# tests/conftest.py); the default 0 runs them in this process: on 2 cores the suite already keeps
# 1.3 cores busy (Ray, kernels, sandboxes) and 2 workers were slower (965 s against 819 s).
TEST_WORKERS ?= 0
test: venv chromium
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup \
	  --durations=25 $(PYTEST_ARGS)

# Instructors: grade every submission under submitted/ (A=<assignment> for one, WORKERS=N
# sandboxes in parallel, default: all cores; on the Ray cluster in RAY_ADDRESS when it is set).
grade: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m grading grade $(A) \
	  $(if $(WORKERS),--workers $(WORKERS)) $(if $(FORCE),--force) $(if $(UNSAFE),--unsafe)

# Instructors: learners' notebooks from an LMS download (zip or folder) into submitted/.
collect: venv
	@test -n "$(FROM)" || { echo "usage: make collect FROM=<zip or folder> [A=<assignment>]"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/collect.py "$(FROM)" \
	  $(if $(A),--assignment $(A))

# Feedback for every graded assignment (A=<assignment> for one) -> feedback/<student>/<A>/.
feedback: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/feedback.py $(A)

# The learner edition (no answer key) into DEST: a folder, or DEST=<name>.zip for an LMS.
# NO_CHECK=1 skips checking that notebooks/ is current (right after make release).
learner-edition: venv
	@test -n "$(DEST)" || { echo "usage: make learner-edition DEST=<folder or .zip>"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/learner_edition.py "$(DEST)" \
	  $(if $(NO_CHECK),--no-check)

bench: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python benchmarks/run.py

# Maintainers: regenerate the student release, the dataset and the figures.
release: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/release.py

data: venv
	$(BIN)/python scripts/make_dataset.py

figures: venv
	$(BIN)/python scripts/make_figures.py

clean:
	rm -rf $(VENV) .pytest_cache
