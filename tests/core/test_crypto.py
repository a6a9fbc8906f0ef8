from __future__ import annotations

import pytest

from core.crypto import SecretBox, SecretBoxError
from core.ids import has_prefix, new_id


def test_sealed_value_opens() -> None:
    box = SecretBox("current")
    assert box.open(box.seal("Atzr|token")) == "Atzr|token"


def test_previous_key_still_opens_after_rotation() -> None:
    sealed = SecretBox("old").seal("Atzr|token")
    rotated = SecretBox("new", previous=["old"])
    assert rotated.open(sealed) == "Atzr|token"
    assert SecretBox("new").open(rotated.rotate(sealed)) == "Atzr|token"


def test_wrong_key_raises() -> None:
    sealed = SecretBox("one").seal("Atzr|token")
    with pytest.raises(SecretBoxError, match="CLARIO_ENCRYPTION_KEY"):
        SecretBox("two").open(sealed)


def test_ids_are_prefixed_and_distinct() -> None:
    first, second = new_id("usr"), new_id("usr")
    assert first != second
    assert has_prefix(first, "usr")
    assert not has_prefix(first, "rec")
