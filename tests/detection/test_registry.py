"""The rule registry."""

from __future__ import annotations

from detection.rules.registry import default_rules


def test_default_rules_cover_warehouse_types() -> None:
    types = [kind for rule in default_rules() for kind in rule.finding_types]

    assert "lost_inventory" in types
    assert "damaged_inventory" in types


def test_default_rules_names_unique() -> None:
    names = [rule.name for rule in default_rules()]

    assert len(names) == len(set(names))
