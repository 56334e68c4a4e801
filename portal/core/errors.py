"""Domain errors raised by services. Views turn them into Vietnamese messages; the API into JSON."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. `code` is stable, `message` is for people."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.details = details or {}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    """The object is not in a state that allows this (or someone else changed it first)."""

    code = "conflict"
    status = 409
