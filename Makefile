# The two commands a new user needs: `make zine` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM := $(VENV)/.system

.PHONY: zine test bench clean look faults corpus bytecode

zine: $(STAMP) bytecode
	$(BIN)/zinebuild build sources/anthology.toml --out build/

test: $(STAMP) $(SYSTEM) bytecode
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every write point failed with every error, every child killed and signal sent at every
# moment (tests/test_faults.py), then 50 builds killed at random (tests/killbuild.py).
faults: $(STAMP)
	ZB_FAULTS=all $(BIN)/python -m pytest tests/test_faults.py -q $(PYTEST_ARGS)
	$(BIN)/python -m tests.killbuild --times 50

# The language model is unpacked for the installation again if its format changed since.
# Chromium (the system step) drives the live preview whose edit-to-reload time is measured.
bench: $(STAMP) $(SYSTEM) bytecode
	$(BIN)/python -m zinebuild.langmodel
	$(BIN)/python tests/bench.py

# Page images of the built sample, for looking at as a reader would (needs poppler-utils).
look: zine
	mkdir -p build/look
	pdftoppm -r 60 -png build/*[!t].pdf build/look/page
	pdftoppm -r 40 -png build/*-booklet.pdf build/look/sheet

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m zinebuild.langmodel
	touch $(STAMP)

# zinebuild's own modules compiled, as pip compiles an installed package's (an editable install's
# are not): where PYTHONDONTWRITEBYTECODE is set (Docker images often set it), Python would
# otherwise compile them again in every build, 0.2 s of its start. Only what changed is compiled.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q zinebuild

# Chromium and Ace by DAISY for the accessibility tests (Debian and npm packages).
$(SYSTEM): tests/tools/install-system-deps $(STAMP)
	tests/tools/install-system-deps $(VENV)
	touch $(SYSTEM)

clean:
	rm -rf build .pytest_cache

# The cleaner against the real-text corpus: words accounted for, titles, heading trees, lists, notes.
corpus: $(STAMP)
	$(BIN)/python tests/corpus_report.py $(if $(V),-v)
