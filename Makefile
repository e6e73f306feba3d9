# `make run` assesses the bundled examples; `make test` runs the whole suite.
# Both set up a virtual environment in .venv first (Python 3.11 or 3.12 and a C compiler,
# which durable-rules needs to build).

PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test validate bench clean

EXAMPLES := $(wildcard examples/*.yaml)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "partnerwise needs Python 3.11 or 3.12 (durable-rules does not import on 3.13)" >&2; exit 2; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/partnerwise assess $(EXAMPLES) --fail-on none
	@mkdir -p out
	@$(BIN)/partnerwise assess $(EXAMPLES) --fail-on none --format html --output out/report.html
	@$(BIN)/partnerwise audit $(EXAMPLES) --jobs 0 --fail-on none --format html --output out/portfolio.html
	@echo "HTML report of the examples: out/report.html (their portfolio audit: out/portfolio.html)"

test: $(STAMP)
	$(BIN)/python -m pytest -rs

# How good is the advice: the project's validation set of real partnerships (validation/README.md),
# then the same files cut down to the first fact model's fields, then the development set beside
# the repository where there is one.
SHARED_SCORE := ../shared/validation/score.py
validate: $(STAMP)
	@echo "== validation/: real partnerships, facts as written"
	-@$(BIN)/python validation/score.py
	@echo "== validation/: the same, first fact model's fields only"
	-@$(BIN)/python validation/score.py --first-model
	@if [ -f $(SHARED_SCORE) ]; then echo "== $(dir $(SHARED_SCORE))"; PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python $(SHARED_SCORE) || true; fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
