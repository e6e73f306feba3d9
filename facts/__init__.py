"""The facts about a partnership: the model, the loaders and the computed quantities."""

from .derive import FACTS, FactSpec, flatten
from .model import Partnership

__all__ = ["FACTS", "FactSpec", "Partnership", "flatten"]
