"""partnerwise: diagnose multi-stakeholder partnerships from their facts."""

__version__ = "0.1.0"

from .api import assess, assess_file, load_rulebase  # noqa: E402,F401
