"""`partnerwise consult`: an interview that asks only what can change the advice.

answers.py reads what a person types; keys.py addresses values in the facts; stakes.py works out
what further answers could still change; questions.py groups fields into topics and the parts a
person answers; interview.py holds the interview's state and chooses the next part (the engine
decides every finding); explain.py answers 'why' and 'how'; session.py keeps the session on disk;
terminal.py is the command loop; replay.py answers a whole interview from a fact file.
The package itself loads none of them, so that other commands do not pay for them.
"""

from .errors import ConsultError

__all__ = ["ConsultError"]
