"""The audit's own error, apart so that the API can catch it without loading the audit."""


class AuditError(RuntimeError):
    """The audit cannot go on (the worker processes cannot run the rule base); exit code 2."""
