"""partnerwise: diagnose multi-stakeholder partnerships from their facts."""

__version__ = "0.1.0"

# Absolute imports: the repository's root is this package, and a test runner that imports this file
# under the name of the folder it was cloned into (any name, `partnerwise-main` among them) must
# still find the package it belongs to.
from partnerwise.api import assess, assess_file, load_rulebase  # noqa: E402,F401
