# Two commands do everything on a fresh machine with python3: `make repro` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
NBVAL_DIR := build/nbval
DOCTESTS := --doctest-modules --doctest-glob='*.md'
export PATH := $(BIN):$(PATH)

.PHONY: help setup repro test lint typecheck doctest format hooks lab bench bench-segments check-whitepaper gallery lock strip clean

.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 20

setup: $(STAMP)  ## create .venv and install the pinned dependencies

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	# cemlib is imported from the work tree (a .pth file is an editable install without a build)
	$(BIN)/python -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'cemlib-project.pth').write_text('$(CURDIR)\\n')"
	touch $@

repro: setup  ## run the whole pipeline (dvc repro) on params.yaml's source
	dvc repro

test: setup lint typecheck  ## lint, type check, unit, doctest and stage tests, then every notebook under nbval
	python pipeline/prepare_nbval.py $(NBVAL_DIR)
	# One session on every core: tests sharing an expensive fixture, and the cells of the
	# notebooks, stay on one worker each (tests/conftest.py).
	pytest -n auto --dist loadgroup --durations=12 $(DOCTESTS) tests cemlib README.md docs \
		--nbval-lax --nbval-current-env $(NBVAL_DIR)/*.ipynb notebooks/examples/*.ipynb

lint: setup  ## ruff lint and format check
	ruff check cemlib pipeline tests
	ruff format --check cemlib pipeline tests

typecheck: setup  ## mypy on cemlib (strict on the public API's modules, see pyproject.toml)
	mypy

doctest: setup  ## only the examples: docstrings of cemlib, README.md and docs/
	pytest -p no:cacheprovider $(DOCTESTS) cemlib README.md docs

format: setup  ## ruff format and autofix
	ruff format cemlib pipeline tests
	ruff check --fix cemlib pipeline tests

hooks: setup  ## install the git pre-commit hooks (ruff, nbstripout; see .pre-commit-config.yaml)
	pre-commit install

lab: setup  ## open the notebooks in JupyterLab
	jupyter lab notebooks/

bench: setup  ## benchmarks: ratios against reference implementations, run in the same process
	python bench/drivers.py

bench-segments: setup  ## the segments stage on 1M customers / ~10M transactions (peak memory)
	python bench/segments.py

check-whitepaper: setup  ## open reports/whitepaper.html in headless Chromium (console, links, figures, PNG + PDF)
	python pipeline/check_whitepaper.py reports/whitepaper.html --out build/whitepaper-check

gallery: setup  ## stage reports + whitepaper of every bundled real data set into reports/gallery/
	python pipeline/gallery.py

lock: setup  ## re-pin dependencies from pyproject.toml
	python pipeline/lock.py

strip: setup  ## remove outputs from notebooks/ (a test refuses notebooks with outputs)
	nbstripout --keep-id notebooks/*.ipynb notebooks/examples/*.ipynb

clean:  ## remove the virtualenv and build folder (data and reports stay: dvc owns them)
	rm -rf $(VENV) build
