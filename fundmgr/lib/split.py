"""The 70/25/5 split, exactly as DESIGN 4.2 states it, in integer fen. Pure.

For a gross amount g (fen) and shares bp_i (basis points summing to 10000):
1. each party first gets floor(g * bp_i / 10000);
2. the remainder r = g - sum(floors), 0 <= r < 3, goes one fen at a time to the parties
   with the largest fractional parts; ties go to the community fund first, then the
   hub, then the provider.
So the shares sum to g exactly and each is within one fen of its exact percentage.
"""

from __future__ import annotations

from dataclasses import dataclass

BP_TOTAL = 10_000
DEFAULT_BP = (7000, 2500, 500)  # provider, hub, fund

# Tie-break order for the remainder: fund, then hub, then provider.
_TIE_RANK = {"fund": 0, "hub": 1, "provider": 2}


@dataclass(frozen=True)
class Shares:
    provider: int
    hub: int
    fund: int

    @property
    def total(self) -> int:
        return self.provider + self.hub + self.fund


def percent(bp: int) -> str:
    """Basis points as a percentage a reader knows: 7000 -> "70", 2550 -> "25.5"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


def validate_bp(provider_bp: int, hub_bp: int, fund_bp: int) -> None:
    for name, bp in (("provider", provider_bp), ("hub", hub_bp), ("fund", fund_bp)):
        if type(bp) is not int or not 0 <= bp <= BP_TOTAL:
            raise ValueError(f"{name} share must be whole basis points from 0 to 10000")
    if provider_bp + hub_bp + fund_bp != BP_TOTAL:
        raise ValueError(
            f"shares must sum to 10000 basis points, not {provider_bp + hub_bp + fund_bp}"
        )


def split(
    gross_fen: int, provider_bp: int = 7000, hub_bp: int = 2500, fund_bp: int = 500
) -> Shares:
    if type(gross_fen) is not int or gross_fen < 0:
        raise ValueError("gross must be a non-negative whole number of fen")
    validate_bp(provider_bp, hub_bp, fund_bp)
    bps = {"provider": provider_bp, "hub": hub_bp, "fund": fund_bp}
    floors = {}
    fractions = {}
    for party, bp in bps.items():
        floors[party], fractions[party] = divmod(gross_fen * bp, BP_TOTAL)
    remainder = gross_fen - sum(floors.values())
    order = sorted(bps, key=lambda party: (-fractions[party], _TIE_RANK[party]))
    for party in order[:remainder]:
        floors[party] += 1
    return Shares(provider=floors["provider"], hub=floors["hub"], fund=floors["fund"])
