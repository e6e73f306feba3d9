"""partnerwise: diagnose multi-stakeholder partnerships from their facts."""

__version__ = "0.1.0"

_API = ("assess", "assess_file", "load_rulebase")


def __getattr__(name: str):
    """partnerwise.assess, .assess_file and .load_rulebase, imported when first used.

    Importing the package alone (as `partnerwise.cli` does first) loads nothing else, so the command
    line can set itself up before the engine and the fact model are built. The import is absolute:
    the repository's root is this package, and a test runner that imports this file under the name
    of the folder it was cloned into (any name, `partnerwise-main` among them) must still find the
    package it belongs to.
    """
    if name in _API:
        from partnerwise import api

        return getattr(api, name)
    raise AttributeError(f"module 'partnerwise' has no attribute {name!r}")


__all__ = ["__version__", *_API]
