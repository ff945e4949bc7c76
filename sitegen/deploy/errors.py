"""The errors a deploy raises: bad configuration, a failed step, a refused confirmation."""

from __future__ import annotations

from sitegen.model import InputError


class DeployConfigError(InputError):
    """The `deploy:` mapping of site.yaml is wrong; each problem names its key path."""


class DeployError(Exception):
    """A deploy step failed; the message says what and how to go on."""


class DeployAborted(DeployError):
    """The deploy was stopped before changing the target (e.g. too many deletes, not confirmed)."""
