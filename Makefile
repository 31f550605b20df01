# Two commands for users:  make lab  (set up + open the course)   make test  (set up + run tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements

.PHONY: venv lab test bench release data figures clean

# The virtualenv is (re)installed whenever requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# build matplotlib's font cache now, not inside the first notebook (it prints to stderr)
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $@

venv: $(STAMP)

lab: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab notebooks/

# Tests run with the venv's bin/ first on PATH (nbgrader shells out to `alembic`).
test: venv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) .pytest_cache gradebook.db
