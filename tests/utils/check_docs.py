"""Check that ansible-doc renders every plugin and role of the collection.

    python tests/utils/check_docs.py [COLLECTION_ROOT]

For each file under plugins/<type>/ (modules, lookups, filters, ...) and each
role under roles/, runs ``ansible-doc -t <type> alicloud.kms.<name> --json``
(the collection must be on ANSIBLE_COLLECTIONS_PATH), parses the JSON and
checks what a reader needs: a short description, a description, documented
options with descriptions, and for modules EXAMPLES and RETURN; for roles, an
argument spec for every entry point. Prints one line per plugin and
``N passed, N failed``; the exit code is 1 when any failed.
"""

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

NAMESPACE = "alicloud.kms"

# plugins/<directory> -> ansible-doc plugin type. Directories not listed here
# (module_utils, doc_fragments, plugin_utils, action, ...) have no docs of their own.
PLUGIN_DIRS = {
    "modules": "module",
    "lookup": "lookup",
    "filter": "filter",
    "test": "test",
    "inventory": "inventory",
    "callback": "callback",
    "connection": "connection",
    "become": "become",
    "cache": "cache",
    "cliconf": "cliconf",
    "httpapi": "httpapi",
    "netconf": "netconf",
    "shell": "shell",
    "strategy": "strategy",
    "vars": "vars",
}


def ansible_doc():
    here = Path(sys.executable).parent / "ansible-doc"
    return str(here) if here.exists() else shutil.which("ansible-doc") or "ansible-doc"


def plugin_targets(root):
    """(ansible-doc type, short name) of every documented plugin file."""
    targets = []
    for directory, plugin_type in sorted(PLUGIN_DIRS.items()):
        base = root / "plugins" / directory
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.name.startswith("_") or path.suffix not in (".py", ".yml", ".yaml"):
                continue
            if plugin_type in ("filter", "test") and path.suffix == ".py":
                # One Python file may hold several filters or tests; each has a YAML doc file.
                continue
            targets.append((plugin_type, path.stem))
    roles = root / "roles"
    if roles.is_dir():
        targets.extend(("role", p.name) for p in sorted(roles.iterdir()) if (p / "tasks").is_dir())
    return targets


def problems_of_plugin(plugin_type, doc):
    problems = []
    documentation = doc.get("doc") or {}
    if not documentation.get("short_description"):
        problems.append("no short_description")
    if not documentation.get("description"):
        problems.append("no description")
    for name, option in sorted((documentation.get("options") or {}).items()):
        if not option.get("description"):
            problems.append("option %s has no description" % name)
    if plugin_type == "module":
        if not (doc.get("examples") or "").strip():
            problems.append("no EXAMPLES")
        else:
            try:
                yaml.safe_load(doc["examples"])
            except yaml.YAMLError as exc:
                problems.append("EXAMPLES is not YAML: %s" % str(exc).splitlines()[0])
        if doc.get("return") is None:
            problems.append("no RETURN")
        for name, value in sorted((doc.get("return") or {}).items()):
            if not value.get("description"):
                problems.append("return value %s has no description" % name)
    return problems


def problems_of_role(doc):
    problems = []
    entry_points = doc.get("entry_points") or {}
    if "main" not in entry_points:
        problems.append("no argument spec for the main entry point (meta/argument_specs.yml)")
    for entry, spec in sorted(entry_points.items()):
        if not spec.get("short_description"):
            problems.append("entry point %s: no short_description" % entry)
        for name, option in sorted((spec.get("options") or {}).items()):
            if not option.get("description"):
                problems.append("entry point %s: option %s has no description" % (entry, name))
    return problems


def check(target):
    plugin_type, name = target
    fqcn = "%s.%s" % (NAMESPACE, name)
    process = subprocess.run([ansible_doc(), "-t", plugin_type, "--json", fqcn],
                             capture_output=True, text=True, timeout=120, check=False)
    if process.returncode != 0:
        return target, ["ansible-doc exited %d: %s" % (process.returncode, " ".join(process.stderr.split())[:600])]
    try:
        data = json.loads(process.stdout)
    except ValueError as exc:
        return target, ["ansible-doc printed no JSON: %s" % exc]
    doc = data.get(fqcn)
    if not doc:
        return target, ["ansible-doc returned nothing for %s" % fqcn]
    if process.stderr.strip():
        # Deprecation and parsing warnings mean a reader sees something off.
        return target, ["ansible-doc warned: %s" % " ".join(process.stderr.split())[:600]]
    return target, problems_of_role(doc) if plugin_type == "role" else problems_of_plugin(plugin_type, doc)


def main(argv):
    root = Path(argv[0] if argv else Path(__file__).resolve().parents[2])
    targets = plugin_targets(root)
    if not targets:
        print("no plugins or roles found under %s" % root)
        return 1
    env_path = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "(default)")
    print("ansible-doc on %d plugins and roles (ANSIBLE_COLLECTIONS_PATH=%s)" % (len(targets), env_path), flush=True)
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for (plugin_type, name), problems in pool.map(check, targets):
            label = "%-7s %s.%s" % (plugin_type, NAMESPACE, name)
            if problems:
                failed += 1
                print("FAILED  %s" % label)
                for problem in problems:
                    print("        - %s" % problem)
            else:
                print("ok      %s" % label)
    print("docs: %d passed, %d failed" % (len(targets) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
