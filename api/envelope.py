"""The success envelope: `{"ok": true, "data": ...}`, and paged lists."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")

# Deeper pages are refused: they would only scan; filter or sort instead.
MAX_OFFSET = 100_000


class Envelope(BaseModel, Generic[T]):
    ok: Literal[True] = True
    data: T


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    has_more: bool


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)


def page(items: list[T], *, total: int, limit: int, offset: int) -> Envelope[Page[T]]:
    return Envelope[Page[T]](
        data=Page[T](
            items=items,
            total=total,
            limit=limit,
            offset=offset,
            has_more=offset + len(items) < total,
        )
    )
