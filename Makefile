# Two commands for users:  make lab  (set up + open the course)   make test  (set up + run tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements

.PHONY: venv sandbox lab test bench grade release data figures clean

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

lab: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab notebooks/

# Tests run with the venv's bin/ first on PATH (nbgrader shells out to `alembic`).
test: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

# Instructors: grade every submission under submitted/ (A=<assignment> for one, WORKERS=N
# sandboxes in parallel, default: all cores; on the Ray cluster in RAY_ADDRESS when it is set).
grade: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m grading grade $(A) \
	  $(if $(WORKERS),--workers $(WORKERS)) $(if $(FORCE),--force) $(if $(UNSAFE),--unsafe)

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
