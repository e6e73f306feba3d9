"""`partnerwise consult`: an interview that asks only what can change the advice.

answers.py reads what a person types; keys.py addresses values in the facts; interview.py holds the
interview's state and chooses the next question (the engine decides every finding); explain.py
answers 'why' and 'how'; session.py keeps the session on disk; terminal.py is the command loop.
"""

from .answers import AnswerError, FieldSpec, field_spec, parse_answer, range_words
from .interview import Consultation, Question
from .session import ConsultError, Start, start

__all__ = ["AnswerError", "ConsultError", "Consultation", "FieldSpec", "Question", "Start", "field_spec",
           "parse_answer", "range_words", "start"]
