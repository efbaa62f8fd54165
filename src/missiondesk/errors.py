"""Errors a person can act on. Every `BadInput` becomes exit status 2 and changes nothing."""

from __future__ import annotations


class BadInput(Exception):
    """The request cannot be carried out as given: wrong id, illegal step, bad file.

    `field` names what was at fault when there is one (an API answers it as JSON).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotFound(BadInput):
    """An id that names nothing in this village."""


class Conflict(BadInput):
    """A step that the current state forbids (approving a squad whose member was sent elsewhere)."""
