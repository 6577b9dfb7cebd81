# Two commands on a fresh machine: `make run` and `make test` (each creates .venv when needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned to the CPU wheel through constraints.txt; pyproject.toml keeps a normal range.
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: run test lint pytest vscode vscode-test bench bench-quality bench-docs clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/electra-lsp check examples/sample.md; test $$? -le 1

test: $(VENV)/.installed lint pytest vscode-test

lint: $(VENV)/.installed
	$(BIN)/ruff check electra_lsp tests bench scripts editors/vscode/scripts

pytest: $(VENV)/.installed
	$(BIN)/pytest -q

# The VS Code extension's own unit tests run when Node is present.
vscode-test:
	@if command -v npm >/dev/null 2>&1 && [ -f editors/vscode/package.json ]; then \
		$(MAKE) -C editors/vscode test; \
	else echo "skipping VS Code extension tests: npm not found"; fi

vscode:
	$(MAKE) -C editors/vscode vsix

bench: $(VENV)/.installed
	$(BIN)/python -m bench

# Old engine vs new on planted typos, the dev sets and sighan15_test (needs ../shared/data).
bench-quality: $(VENV)/.installed
	$(BIN)/python -m bench.quality

# False alarms on the zh_CN message catalogues installed on this machine (translated docs).
bench-docs: $(VENV)/.installed
	$(BIN)/python -m bench.docs_probe

clean:
	rm -rf $(VENV) build dist *.egg-info
