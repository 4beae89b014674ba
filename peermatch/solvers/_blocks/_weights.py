"""Count-first integer weights: objective values mapped exactly onto int64."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from peermatch.errors import SolverError
from peermatch.solvers._common import FloatArray, IntArray

__all__ = ["Scale"]

_WEIGHT_BITS = 52  # every weight and potential stays below 2**52: exact in int64 and float64
_VALUE_BITS = 31  # resolution: the objective spread is mapped onto at most 2**31 integer steps


@dataclass(frozen=True)
class Scale:
    """Map objective values to exact integer weights ``W = big + rint((obj - omin) * step)``."""

    omin: float  # the smallest objective over allowed pairs (or a lower bound of it)
    step: float  # a power of two
    spread_units: int  # R: largest rint((obj - omin) * step) over allowed pairs
    big: int  # C: (n + 1) * R + 1, so one more match outweighs any change in the total

    @classmethod
    def build(cls, omin: float, omax: float, n: int) -> Scale:
        """The finest power-of-two step that keeps ``n + 2`` weights below ``2**52``."""
        spread = max(omax - omin, 0.0)
        limit = min(2**_VALUE_BITS, 2**_WEIGHT_BITS // (n + 2))
        if spread > 0.0:
            # largest power of two with spread * step <= limit (one step of margin for rint)
            exponent = math.floor(math.log2((limit - 1) / spread))
            step = math.ldexp(1.0, max(min(exponent, 1000), -1000))
        else:
            step = 1.0
        units = int(np.rint((omax - omin) * step)) if spread > 0.0 else 0
        if units > limit:  # pragma: no cover - guards the float rounding of log2
            raise SolverError([f"objective spread {spread!r} cannot be scaled to integers"])
        return cls(omin, step, units, (n + 1) * units + 1)

    def units(self, obj: FloatArray) -> FloatArray:
        """``rint((obj - omin) * step)`` as integer-valued float64 (exact below 2**53)."""
        out = np.subtract(obj, self.omin)
        out *= self.step
        np.rint(out, out=out)
        return out

    def weights(self, obj: FloatArray) -> IntArray:
        """Count-first integer weights of allowed pairs."""
        return self.units(obj).astype(np.int64) + self.big
