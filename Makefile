# bpcourse: two commands for everyone (`make lab`, `make test`), the rest for course authors.
# Works on a machine with only Python 3.10+ and make: everything goes into ./.venv.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.bpcourse-installed
# JupyterLab refuses to start as root unless told; CI machines run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_ARGS ?=
PYTEST_ARGS ?=
# Notebooks `make notebooks` executes at once (one kernel each): 2 keeps both cores of a 2-core machine busy.
NOTEBOOK_JOBS ?= 2

.PHONY: setup lab lab-zh test notebooks exercises slides bench doctor clean

setup: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the lock or pyproject changed, so a second `make test` spends ~1 s here.
# The lock is resolved for CPython 3.11+ (numpy 2.4 needs it); on 3.10 the ranges of pyproject.toml
# are installed instead, with a warning that stored notebook outputs may differ in the last digits.
$(STAMP): requirements-lock.txt pyproject.toml | $(PY)
	@if $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
		$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt && \
		$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . ; \
	else \
		echo "warning: requirements-lock.txt is for Python 3.11+; installing pyproject's ranges instead"; \
		$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]' ; \
	fi
	touch $(STAMP)

# Serves the whole course folder (notebooks, exercises, solutions) and opens notebook 00.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) notebooks/00_start_here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# The Chinese course (notebooks/zh) with JupyterLab's menus in Chinese: the zh-CN language pack from
# the lock, chosen by tools/lab-zh/overrides.json; kernels and terminals get BPCOURSE_LANG=zh, so
# widgets, `bpcourse doctor` and `bpcourse grade` answer in Chinese too.
lab-zh: $(STAMP)
	BPCOURSE_LANG=zh $(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) \
		--LabApp.app_settings_dir=$(CURDIR)/tools/lab-zh notebooks/zh/00_start_here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# The README's test command. Unit, property, grader and browser tests, plus nbval (strict mode,
# the environment's own python3 kernel) over the executed notebooks and solutions, English and
# Chinese (pytest collects notebooks/zh and solutions/zh as well).
test: $(STAMP)
	$(PY) -m pytest tests notebooks solutions \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		$(PYTEST_ARGS)

# Re-execute every notebook and solution in place from its src/, in English and in Chinese (*/zh/,
# prose from src/NN_topic.zh.md), then regenerate the exercises of both.
notebooks: $(STAMP)
	$(PY) tools/notebooks.py build --execute --jobs $(NOTEBOOK_JOBS) --lang all --dir notebooks
	$(PY) tools/notebooks.py build --execute --jobs $(NOTEBOOK_JOBS) --lang all --dir solutions
	$(PY) -m bpcourse.grader.generate solutions exercises
	$(PY) -m bpcourse.grader.generate solutions/zh exercises/zh

exercises: $(STAMP)
	$(PY) -m bpcourse.grader.generate solutions exercises
	$(PY) -m bpcourse.grader.generate solutions/zh exercises/zh

slides: $(STAMP)
	$(PY) tools/notebooks.py slides

# Benchmarks print figures and ratios against their peers (micrograd, torch, numpy); no pass/fail.
bench: $(STAMP)
	$(PY) bench/run_all.py

doctor: $(STAMP)
	$(PY) -m bpcourse doctor

clean:
	rm -rf $(VENV) build *.egg-info slides
