"""Building blocks shared by every layer (internal).

Nothing here knows about profiles, scores or results: safe file reading and writing, the
wording of "did you mean" hints, checks of scalar arguments, the tie-break order, lazy imports
of optional extras, warnings at the caller's line and small HTML helpers. Every other
subpackage may import from here; this package imports only :mod:`peermatch.errors`.
"""
