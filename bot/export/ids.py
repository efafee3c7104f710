"""Stable ids for exported items, so a calendar or address book updates rather than doubles."""

from __future__ import annotations

import uuid

# fixed for good: changing it would make every earlier export look like different items
_NAMESPACE = uuid.UUID("efd48d2d-f965-4e06-b25a-bab1ef55b06b")


def stable_uid(user_id: int, kind: str, item_id: int) -> str:
    """The same item of the same user always gets the same UID; built from ids, never from
    names, so nothing personal shows in it and renaming a company keeps the event."""
    return str(uuid.uuid5(_NAMESPACE, f"{user_id}/{kind}/{item_id}"))
