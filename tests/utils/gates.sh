#!/usr/bin/env bash
# The quality gates of alicloud.kms, run by `make lint` (and so by `make test`).
#
#     tests/utils/gates.sh [GATE ...]      # all gates when none is named
#
# Gates, in the order they run:
#   ansible-lint  ansible-lint with the production profile (.ansible-lint) on the whole collection
#   sanity        ansible-test sanity, on every Python that ansible-test supports and this machine has
#   docs          ansible-doc renders every plugin and role (tests/utils/check_docs.py)
#   build         ansible-galaxy builds the collection, installs it into a fresh path, and the
#                 installed copy runs `ansible-playbook alicloud.kms.demo` against a fresh emulator
#   ee            ansible-builder makes an execution environment context from meta/execution-environment.yml
#   changelog     antsibull-changelog lint
#
# Every gate runs even when an earlier one failed; each prints a closing line
# and the run ends with "gates: N passed, N failed" (exit 1 if any failed).
# Tools come from the project's virtual environment (.venv, made by `make setup`),
# which comes first on PATH. Everything a gate writes is under build/ (which
# `make clean` removes), except the sanity tests' virtual environments, which
# are kept between runs in .cache/ansible-test-home (see gate_sanity).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${GATES_BUILD_DIR:-$ROOT/build}"
TREE="$BUILD/ansible_collections/alicloud/kms"
LOGS="$BUILD/gate-logs"
ALL_GATES=(ansible-lint sanity docs build ee changelog)

if [[ -x "$ROOT/.venv/bin/python" ]]; then
    PATH="$ROOT/.venv/bin:$PATH"
fi
PYTHON="$(command -v python)"
export PATH
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
export ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_PYTHON_INTERPRETER:-$PYTHON}"
export ANSIBLE_LOCALHOST_WARNING=False
export ANSIBLE_INVENTORY_UNPARSED_WARNING=False

log() { printf '%s\n' "$*"; }

# The collection as it would be committed: git-tracked files plus untracked
# files that .gitignore does not ignore, copied to build/ansible_collections/alicloud/kms
# (ansible-test needs the collection at such a path; a copy keeps the working
# tree free of what the tests write).
LAID_OUT=""
layout() {
    [[ -n "$LAID_OUT" ]] && return 0
    rm -rf "$BUILD/ansible_collections"
    mkdir -p "$TREE"
    (
        cd "$ROOT" || exit 1
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' file; do
                # files deleted but not yet staged are still listed by --cached
                if [[ -e "$file" || -L "$file" ]]; then printf '%s\0' "$file"; fi
            done |
            xargs -0 --no-run-if-empty cp --parents --no-dereference -t "$TREE"
    ) || { log "could not copy the collection to $TREE"; return 1; }
    # build/ is ignored by the project's repository; ansible-test asks git which
    # files a collection has, so the copy is made a repository of its own.
    git -C "$TREE" init --quiet || return 1
    LAID_OUT=1
    log "collection laid out at $TREE ($(find "$TREE" -type f | wc -l) files)"
}

# ansible-lint and ansible-doc resolve alicloud.kms.* from the laid-out copy, so
# they need neither the Makefile's link nor an installed collection.
gate_ansible_lint() {
    cd "$ROOT" && ANSIBLE_COLLECTIONS_PATH="$BUILD" ansible-lint --nocolor
}

# ansible-test finds interpreters as pythonX.Y on PATH. Link every supported
# version this machine has into one directory, and keep pyenv's shims (which
# answer for versions that are installed but not selected, by failing) off PATH.
python_dir() {
    local dir="$BUILD/pythons" version candidate found
    rm -rf "$dir" && mkdir -p "$dir"
    local versions
    # ansible-test's own list; the versions of ansible-core 2.19 should its internals move.
    versions="$("$PYTHON" -c 'from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS as v; print(" ".join(v))' 2>/dev/null)" ||
        versions="3.8 3.9 3.10 3.11 3.12 3.13"
    for version in $versions; do
        found=""
        for candidate in "$(command -v "python$version" || true)" \
            "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version" \
            /usr/local/bin/"python$version" /usr/bin/"python$version"; do
            if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" -c 'import sys' >/dev/null 2>&1; then
                found="$candidate"
                break
            fi
        done
        if [[ -n "$found" ]]; then
            ln -s "$("$found" -c 'import sys; print(sys.executable)')" "$dir/python$version"
        fi
    done
    echo "$dir"
}

gate_sanity() {
    layout || return 1
    local pythons home pip_version clean_path entry
    pythons="$(python_dir)" || return 1
    local link listed=""
    for link in "$pythons"/python*; do [[ -e "$link" ]] && listed="$listed ${link##*/python}"; done
    log "Python versions:${listed:- none}"
    # ansible-test makes each sanity test a virtual environment from that test's
    # pinned requirements (ansible_test/_data/requirements/sanity.*.txt), keyed by
    # their hash, under ~/.ansible/test. A HOME of its own inside this checkout
    # keeps them apart from other projects' and other clones' (a half-built
    # environment shared between concurrent runs breaks them all), and lets
    # later runs of this checkout reuse them. ansible-test bootstraps pip into each environment with
    # a script it downloads from a host that is not PyPI: tests/utils/get_pip.py
    # takes its place.
    home="${GATES_ANSIBLE_TEST_HOME:-$ROOT/.cache/ansible-test-home}"
    pip_version="$("$PYTHON" -c 'import pathlib, re, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip=.([0-9.]+).", source.read_text()).group(1))')" || { log "cannot tell which pip ansible-test bootstraps"; return 1; }
    mkdir -p "$home/.ansible/test/cache"
    cp "$ROOT/tests/utils/get_pip.py" "$home/.ansible/test/cache/get_pip_${pip_version//./_}.py"
    clean_path="$pythons"
    local -a entries
    IFS=: read -ra entries <<<"$PATH"
    for entry in "${entries[@]}"; do
        [[ "$entry" == */shims ]] || clean_path="$clean_path:$entry"
    done
    # pip's cache stays the user's: the environments are rebuilt quickly after `make clean`.
    local pip_cache="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
    (
        cd "$TREE" &&
            HOME="$home" PIP_CACHE_DIR="$pip_cache" PATH="$clean_path" \
                ansible-test sanity --local --color no 2>&1 |
            grep --line-buffered -vE '^(Collecting |  Downloading |Installing collected packages|Successfully (installed|uninstalled)|  Attempting uninstall|    Found existing installation|    Uninstalling |      Successfully uninstalled|Requirement already satisfied| +━|Using cached pip)'
    )
}

gate_docs() {
    ANSIBLE_COLLECTIONS_PATH="$BUILD" "$PYTHON" "$ROOT/tests/utils/check_docs.py" "$TREE"
}

gate_build() {
    layout || return 1
    local dist="$BUILD/dist" installed="$BUILD/installed" tarball
    rm -rf "$dist" "$installed" && mkdir -p "$dist" "$installed"
    ansible-galaxy collection build "$TREE" --output-path "$dist" || return 1
    local tarballs=("$dist"/alicloud-kms-*.tar.gz)
    tarball="${tarballs[0]}"
    [[ -f "$tarball" ]] || return 1
    log "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | wc -l) entries)"
    # Installed with nothing else on the collections path: the link to the working
    # tree that the Makefile puts there would count as "already installed".
    ANSIBLE_COLLECTIONS_PATH="$installed" ansible-galaxy collection install --offline -p "$installed" "$tarball" || return 1
    if [[ ! -f "$installed/ansible_collections/alicloud/kms/MANIFEST.json" ]]; then
        log "the installed collection has no MANIFEST.json"
        return 1
    fi
    # Only the installed copy is on the collections path, and the play runs
    # from outside the working tree, so nothing of the tree can stand in for it.
    (
        cd "$installed" &&
            ANSIBLE_COLLECTIONS_PATH="$installed" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False \
                "$PYTHON" "$ROOT/tests/utils/with_emulator.py" -- ansible-playbook alicloud.kms.demo
    )
}

gate_ee() {
    layout || return 1
    local ee="$BUILD/ee"
    rm -rf "$ee" && mkdir -p "$ee"
    # Paths in the file are relative to the collection root: that is how
    # ansible-builder reads the collection's dependencies when alicloud.kms is
    # installed into an image, and how this gate builds one.
    cp -a "$TREE" "$ee/collection" || return 1
    cp "$ee/collection/meta/execution-environment.yml" "$ee/collection/execution-environment.yml" || return 1
    # The collection's dependencies as an image build that installs it reads them.
    ansible-builder introspect "$BUILD" | tee "$ee/introspect.txt" || return 1
    if ! grep -q "from collection alicloud.kms" "$ee/introspect.txt"; then
        log "ansible-builder found no Python requirements of alicloud.kms"
        return 1
    fi
    ansible-builder create --file "$ee/collection/execution-environment.yml" \
        --context "$ee/context" --output-filename Containerfile || return 1
    local file
    for file in Containerfile _build/requirements.txt _build/scripts/assemble; do
        if [[ ! -s "$ee/context/$file" ]]; then
            log "the build context has no $file"
            return 1
        fi
    done
    if ! grep -q alibabacloud-kms20160120 "$ee/context/_build/requirements.txt"; then
        log "the build context does not carry requirements.txt"
        return 1
    fi
    log "execution environment context at $ee/context"
}

gate_changelog() {
    cd "$ROOT" && antsibull-changelog lint -v
}

run_gate() {
    local gate="$1" started code
    started=$(date +%s)
    log ""
    log "===== gate $gate: running"
    mkdir -p "$LOGS"
    ("gate_${gate//-/_}") 2>&1 | tee "$LOGS/$gate.log"
    code=${PIPESTATUS[0]}
    local seconds=$(($(date +%s) - started))
    if [[ $code -eq 0 ]]; then
        log "===== gate $gate: passed (${seconds} s)"
        PASSED+=("$gate")
    else
        log "===== gate $gate: FAILED, exit $code (${seconds} s; log in ${LOGS#"$ROOT"/}/$gate.log)"
        FAILED+=("$gate")
    fi
}

main() {
    local gates=("$@") gate known known_gate
    [[ ${#gates[@]} -eq 0 ]] && gates=("${ALL_GATES[@]}")
    for gate in "${gates[@]}"; do
        known=""
        for known_gate in "${ALL_GATES[@]}"; do [[ "$gate" == "$known_gate" ]] && known=1; done
        if [[ -z "$known" ]]; then
            log "unknown gate: $gate (known: ${ALL_GATES[*]})"
            exit 2
        fi
    done
    PASSED=()
    FAILED=()
    local started
    started=$(date +%s)
    # Lay the tree out once, before any gate, so that every gate sees the same files.
    layout || exit 1
    for gate in "${gates[@]}"; do
        run_gate "$gate"
    done
    log ""
    log "gates passed: ${PASSED[*]:-none}"
    [[ ${#FAILED[@]} -gt 0 ]] && log "gates FAILED: ${FAILED[*]}"
    log "total $(($(date +%s) - started)) s"
    log "gates: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
    [[ ${#FAILED[@]} -eq 0 ]]
}

main "$@"
