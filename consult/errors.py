"""The consult session's own error, apart so that the API can catch it without loading the session."""


class ConsultError(ValueError):
    """A session that cannot start or resume; the message says what to do instead."""
