"""`partnerwise consult`: an interview that asks only what can change the advice.

answers.py reads what a person types; keys.py addresses values in the facts; interview.py holds the
interview's state and chooses the next question (the engine decides every finding); explain.py
answers 'why' and 'how'; session.py keeps the session on disk; terminal.py is the command loop.
The package itself loads none of them, so that other commands do not pay for them.
"""

from .errors import ConsultError

__all__ = ["ConsultError"]
