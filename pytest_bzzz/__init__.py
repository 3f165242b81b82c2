"""pytest-bzzz: test code that talks to a BZZZ network and to UCXL-addressed content.

This module is the public surface; everything else lives in private modules.
Importing it does not import hypothesis or faker.
"""

from ._address import MAX_LENGTH, UCXLAddress
from ._errors import ErrorCode, NotFoundError, TemporalRangeError, UCXLError, UCXLParseError
from ._temporal import Temporal, TemporalKind

__all__ = [
    "MAX_LENGTH",
    "ErrorCode",
    "NotFoundError",
    "Temporal",
    "TemporalKind",
    "TemporalRangeError",
    "UCXLAddress",
    "UCXLError",
    "UCXLParseError",
]
