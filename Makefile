# `make run` assesses the bundled examples; `make test` runs the whole suite.
# Both set up a virtual environment in .venv first (Python 3.11 or 3.12 and a C compiler,
# which durable-rules needs to build).

PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "partnerwise needs Python 3.11 or 3.12 (durable-rules does not import on 3.13)" >&2; exit 2; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/partnerwise assess examples/*.yaml --fail-on none

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
