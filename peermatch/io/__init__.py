"""Files: reading and writing profile files, and de-identified exports for research.

:func:`read_participants` and :func:`read_peers` read CSV, JSON and Excel files and pandas
DataFrames, directly or through a mapping (the exports of REDCap, survey tools or a
coordinator's sheet), and report every problem at once; :func:`write_profiles` and
:func:`write_cohort` write profile files atomically. The de-identified exports
(:class:`Pseudonymiser`, :func:`deidentify_profiles`, :func:`deidentify_result` and the writers
of their CSV and JSON forms) keep what analyses of matching need and remove or coarsen what
identifies a person.
"""

from peermatch._core.files import MAX_FILE_BYTES, MAX_ROWS
from peermatch.io._deidentify import (
    Pseudonymiser,
    deidentified_match_csv,
    deidentified_match_json,
    deidentified_profiles_csv,
    deidentify_profiles,
    deidentify_result,
)
from peermatch.io._intake import read_participants, read_peers
from peermatch.io._profiles import write_cohort, write_profiles

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Pseudonymiser",
    "deidentified_match_csv",
    "deidentified_match_json",
    "deidentified_profiles_csv",
    "deidentify_profiles",
    "deidentify_result",
    "read_participants",
    "read_peers",
    "write_cohort",
    "write_profiles",
]
