"""KMS response shapes: how a stored secret is shown by each action.

Absent facts are left out rather than sent empty: ``PlannedDeleteTime`` only
for a secret scheduled for deletion, ``NextRotationDate`` only with automatic
rotation on, ``LastRotationDate`` only after a rotation, ``DKMSInstanceId`` /
``EncryptionKeyId`` / ``ExtendedConfig`` only when the secret has them.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from . import _secrets, _wire


def tags_view(secret: Dict[str, Any]) -> Dict[str, Any]:
    return {"Tag": [dict(t) for t in secret["Tags"]]}


def rotation_fields(secret: Dict[str, Any]) -> Dict[str, Any]:
    view: Dict[str, Any] = {"AutomaticRotation": "Enabled" if secret["AutomaticRotation"] else "Disabled"}
    if secret["RotationInterval"]:
        view["RotationInterval"] = f"{secret['RotationInterval']}s"
    nxt = _secrets.next_rotation(secret)
    if nxt is not None:
        view["NextRotationDate"] = _wire.iso(nxt)
    if secret["LastRotationDate"] is not None:
        view["LastRotationDate"] = _wire.iso(secret["LastRotationDate"])
    return view


def optional_fields(secret: Dict[str, Any]) -> Dict[str, Any]:
    view: Dict[str, Any] = {}
    for key in ("DKMSInstanceId", "EncryptionKeyId"):
        if secret.get(key):
            view[key] = secret[key]
    if secret["ExtendedConfig"] is not None:
        view["ExtendedConfig"] = json.dumps(secret["ExtendedConfig"])
    if secret["PlannedDeleteTime"] is not None:
        view["PlannedDeleteTime"] = _wire.iso(secret["PlannedDeleteTime"])
    return view


def describe_view(secret: Dict[str, Any], fetch_tags: bool) -> Dict[str, Any]:
    view = {
        "Arn": secret["Arn"],
        "SecretName": secret["SecretName"],
        "SecretType": secret["SecretType"],
        "Description": secret["Description"],
        "CreateTime": _wire.iso(secret["CreateTime"]),
        "UpdateTime": _wire.iso(secret["UpdateTime"]),
    }
    view.update(rotation_fields(secret))
    view.update(optional_fields(secret))
    if fetch_tags:
        view["Tags"] = tags_view(secret)
    return view


def list_view(secret: Dict[str, Any], fetch_tags: bool) -> Dict[str, Any]:
    view = {
        "SecretName": secret["SecretName"],
        "SecretType": secret["SecretType"],
        "CreateTime": _wire.iso(secret["CreateTime"]),
        "UpdateTime": _wire.iso(secret["UpdateTime"]),
    }
    if secret["PlannedDeleteTime"] is not None:
        view["PlannedDeleteTime"] = _wire.iso(secret["PlannedDeleteTime"])
    if fetch_tags:
        view["Tags"] = tags_view(secret)
    return view


def stages_view(stages: List[str]) -> Dict[str, Any]:
    return {"VersionStage": list(stages)}
