"""The one exception type the ETL raises for bad input: its message is the one line users see."""


class LoadError(Exception):
    """A file or warehouse problem stated in one line: what, where, what to do."""
