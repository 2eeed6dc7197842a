# The two commands of the README, plus the benchmark. Each creates the virtualenv when missing.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: demo test bench docs install catalog clean
CONFIG ?= secrets/config.json

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(PY) -m integration_tests.demo

test: $(VENV)/.installed
	$(PY) -m pytest -m "not image_tests" $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) -m bench

catalog: $(VENV)/.installed  ## every stream of `discover` as a configured catalog: make catalog CONFIG=secrets/config.json > catalog.json
	@$(PY) -m source_aroflo.catalog_tool --config $(CONFIG)

docs: $(VENV)/.installed
	$(PY) -m source_aroflo.docs

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
