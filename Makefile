# The commands of the README. Everything runs from the project's own virtual
# environment, which `setup` creates from the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
COLLECTION_ROOT := $(CURDIR)/.cache/collections
COLLECTION_LINK := $(COLLECTION_ROOT)/ansible_collections/alicloud/kms

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTION_ROOT)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := False
export ANSIBLE_LOCALHOST_WARNING := False
export ANSIBLE_INVENTORY_UNPARSED_WARNING := False
export ANSIBLE_PYTHON_INTERPRETER := $(BIN)/python
export PATH := $(BIN):$(PATH)

.PHONY: setup demo test unit contract integration lint bench clean

setup: $(VENV)/.installed $(COLLECTION_LINK)

$(VENV)/.installed: requirements.txt test-requirements.txt tests/emulator/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r test-requirements.txt -e tests/emulator
	touch $@

# ansible-playbook finds alicloud.kms through this link to the working tree.
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

demo: setup
	$(BIN)/python tests/utils/with_emulator.py -- $(BIN)/ansible-playbook playbooks/demo.yml

test: setup unit integration drills lint molecule
	@echo "make test: every layer passed"

unit: setup
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 tests/unit tests/emulator/tests tests/contract

integration: setup
	$(BIN)/python tests/utils/run_integration.py

# Fault drills: throttling, 503s, dropped connections, restarts, races, bad input and
# bad credentials, each against emulators of its own (tests/drills).
drills: setup
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 tests/drills

# The quality gates: ansible-lint, ansible-test sanity, ansible-doc, build + install + demo,
# ansible-builder context, changelog lint. `tests/utils/gates.sh GATE ...` runs some of them.
lint: setup
	bash tests/utils/gates.sh

# The role's molecule scenario: delegated driver on localhost, against an
# emulator that its create step starts and its destroy step stops.
.PHONY: molecule
molecule: setup
	$(BIN)/molecule test -s secrets_manager_ecs

bench: setup
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .cache build tests/output
