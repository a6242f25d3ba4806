"""Make ``ansible_collections.alicloud.kms`` importable from the working tree."""

import sys
from pathlib import Path

COLLECTIONS = Path(__file__).resolve().parents[2] / ".cache" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "alicloud" / "kms"
if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(Path(__file__).resolve().parents[2])
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
