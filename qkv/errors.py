"""The one error type for problems a user can fix (exit code 2)."""

__all__ = ["BadInput", "CoreMismatch"]


class BadInput(ValueError):
    """A sentence, option or config the user can correct; the message is one plain line."""


class CoreMismatch(RuntimeError):
    """numpy and torch disagree: a bug in the core, never the user's fault (exit code 1)."""
