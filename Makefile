# bpcourse: two commands for everyone (`make lab`, `make test`), the rest for course authors.
# Works on a machine with only Python 3.11 and make: everything goes into ./.venv.

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

FLOOR_VENV  := .venv-floor
FLOOR_PY    := $(FLOOR_VENV)/bin/python
FLOOR_STAMP := $(FLOOR_VENV)/.bpcourse-installed
PIP_QUIET   := --quiet --disable-pip-version-check

.PHONY: setup lab lab-zh test test-floor notebooks exercises slides bench doctor clean

setup: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the lock or pyproject changed, so a second `make test` spends ~1 s here.
# The lock is resolved and tested for CPython 3.11 (3.11.7, and Debian 12's /usr/bin/python3 3.11.2);
# an older Python is refused with a message (removing the venv it made), a newer one gets a warning.
$(STAMP): requirements-lock.txt pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11) and \
		"bpcourse needs Python 3.11 (this is %d.%d): make setup PYTHON=python3.11" % sys.version_info[:2])' \
		|| { rm -rf $(VENV); exit 1; }
	@$(PY) -c 'import sys; sys.version_info[:2] > (3, 11) and print("warning: the lock is tested on " \
		"Python 3.11 only; this is %d.%d" % sys.version_info[:2])'
	$(PY) -m pip install $(PIP_QUIET) -r requirements-lock.txt
	$(PY) -m pip install $(PIP_QUIET) --no-deps --no-build-isolation -e .
	@# nbgrader is in the lock for the tests only: keep its instructor menus out of the learners' JupyterLab
	@# (and its 3 s formgrader import out of every server start).
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	for ext in formgrader validate_assignment assignment_list course_list; do \
		$(VENV)/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$ext >/dev/null 2>&1; done
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

# The floor environment: the oldest version of every range in pyproject.toml (requirements-floor.txt)
# in a second venv, then the engine and grader tests and an execution (no output comparison) of every
# notebook, solution and exercise. `-c` makes pip refuse a floor that pyproject's ranges exclude.
$(FLOOR_STAMP): requirements-floor.txt pyproject.toml
	rm -rf $(FLOOR_VENV)
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_PY) -m pip install $(PIP_QUIET) -r requirements-floor.txt
	$(FLOOR_PY) -m pip install $(PIP_QUIET) --no-build-isolation -c requirements-floor.txt -e .
	$(FLOOR_PY) -m pip check
	$(FLOOR_PY) tools/check_floor.py requirements-floor.txt
	touch $(FLOOR_STAMP)

# The engines, widgets and grader at the floor, on both cores (pytest-xdist). Left to `make test`: the
# OS sandbox, which no package version changes (hostile, limits, closed-folder tests: namespaces,
# cgroups, rlimits); the nbgrader tests (nbgrader 0.9.6 needs jupyterlab>=4.2, above the course's
# floor, so the lock tests its floor).
FLOOR_TESTS := tests/tensor tests/scalar tests/manual tests/course tests/viz tests/widgets \
	tests/test_seed_program.py tests/grader tests/solutions tests/foundation/execute_every_notebook.py \
	--ignore=tests/grader/test_hostile.py --ignore=tests/grader/test_limits.py \
	--ignore=tests/grader/test_closed_folder.py \
	--ignore=tests/grader/test_nbgrader.py
FLOOR_JOBS ?= 2

test-floor: $(FLOOR_STAMP)
	$(FLOOR_PY) -m pytest -n $(FLOOR_JOBS) $(FLOOR_TESTS) $(PYTEST_ARGS)

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
	rm -rf $(VENV) $(FLOOR_VENV) build *.egg-info slides
