# `make run` assesses the bundled examples into out/; `make test` runs the whole suite.
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
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# setuptools explains its editable-install mechanism in an informational warning; keep the install quiet.
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@mkdir -p out
	@$(BIN)/partnerwise assess $(EXAMPLES) --fail-on none --output out/report.txt
	@$(BIN)/partnerwise assess $(EXAMPLES) --fail-on none --format html --output out/report.html
	@$(BIN)/partnerwise audit $(EXAMPLES) --jobs 0 --fail-on none --output out/portfolio.txt
	@$(BIN)/partnerwise audit $(EXAMPLES) --jobs 0 --fail-on none --format html --output out/portfolio.html
	@echo "Assessed the $(words $(EXAMPLES)) example partnerships in examples/:"
	@echo "  out/report.txt      every assessment as text"
	@echo "  out/report.html     the same as one page with charts (open it in a browser)"
	@echo "  out/portfolio.txt   their portfolio audit: the most urgent, common problems by phase and area"
	@echo "  out/portfolio.html  the portfolio audit as a page with charts"
	@echo "To run partnerwise yourself, put it on your PATH in this shell first:"
	@echo "  . .venv/bin/activate"
	@echo "  partnerwise assess examples/troubled-implementation.yaml"

test: $(STAMP)
	$(BIN)/python -m pytest -rs -n auto

# How good is the advice: the project's validation set of real partnerships (validation/README.md),
# then the same files cut down to the first fact model's fields, then the development set beside
# the repository where there is one.
SHARED_SCORE := ../shared/validation/score.py
validate: $(STAMP)
	@echo "== validation/: real partnerships, facts as written"
	@$(BIN)/python validation/score.py || true
	@echo "== validation/: the same, first fact model's fields only"
	@$(BIN)/python validation/score.py --first-model || true
	@echo "== validation/first-model/: files written afresh in the first fact model for every case"
	@$(BIN)/python validation/score.py --facts first-model || true
	@if [ -f $(SHARED_SCORE) ]; then echo "== $(dir $(SHARED_SCORE))"; PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python $(SHARED_SCORE) || true; fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
