"""Made-up street addresses in the towns and districts of each demo police area.

The street names are common English ones picked at random; nothing here is meant to be, or to
match, anyone's real address.
"""

from __future__ import annotations

import random

from common.models import PoliceArea

STREETS = [
    "Alder Close", "Kestrel Road", "Malvern Avenue", "Tanners Lane", "Orchard Way",
    "Cedar Grove", "Beacon Road", "Mill Lane", "Hawthorn Drive", "Church Street",
    "Victoria Terrace", "Larch Crescent", "Meadow View", "Station Road", "Elm Park Road",
    "Foxglove Way", "Heron Court", "Windsor Road", "Chapel Lane", "Priory Gardens",
]  # fmt: skip
# Districts and towns of each demo area (an address ends with the area's name).
DISTRICTS = {
    "southampton": ["Shirley", "Portswood", "Bitterne", "Woolston", "Millbrook", "Sholing"],
    "portsmouth": ["Southsea", "Fratton", "Cosham", "Copnor", "Hilsea", "North End"],
    "basingstoke": ["Brighton Hill", "Chineham", "Popley", "South Ham", "Oakridge", "Tadley"],
    "isle-of-wight": ["Newport", "Ryde", "Cowes", "Sandown", "Shanklin", "Ventnor"],
    "birmingham": ["Erdington", "Handsworth", "Selly Oak", "Sparkhill", "Kings Heath", "Yardley"],
    "coventry": ["Earlsdon", "Foleshill", "Tile Hill", "Radford", "Wyken", "Stoke"],
}
SEED = 20170901


def demo_address(number: int, area: PoliceArea) -> str:
    """Return the made-up address of the demo person with this number (stable across loads)."""
    # Its own generator: the screening log's draws (and so the demo's story) do not change.
    rng = random.Random(SEED + number)  # noqa: S311 (synthetic data, not security)
    street = rng.choice(STREETS)
    districts = DISTRICTS.get(area.code, [])
    place = f"{rng.choice(districts)}, {area.name}" if districts else area.name
    flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.2 else ""
    return f"{flat}{rng.randint(1, 160)} {street}, {place}"
