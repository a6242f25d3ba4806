"""Product modules, found by their ``PRODUCT`` constant (see ``api.py``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from types import ModuleType
from typing import Dict


def discover() -> Dict[str, ModuleType]:
    """Map each product name (first host label) to its module.

    A module that fails to import is reported on stderr and skipped, so one
    broken product does not take the others down with it.
    """
    found: Dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{__name__}.{info.name}")
        except Exception:  # noqa: BLE001 - reported, then skipped
            print(f"alicloud-emulator: cannot load product module {info.name}:", file=sys.stderr)
            traceback.print_exc()
            continue
        product = getattr(module, "PRODUCT", None)
        if product and isinstance(getattr(module, "ACTIONS", None), dict):
            found[product] = module
    return found
