# ruff: noqa: E501
"""Build src/garant/data/sea/mine_areas.geojson from the published positions (ATTRIBUTION.md)."""

import json
from pathlib import Path

import shapely
from shapely.geometry import Polygon, mapping
from shapely.validation import make_valid


def dm(d, m):
    return round(d + m / 60.0, 5)


# (lat_deg, lat_min, lon_deg, lon_min) as published
UKHO = "UKHO Admiralty Notice to Mariners 2503(P)/23 UKRAINE, General information: 'mined areas, entry prohibited' (positions WGS84), as reproduced in the UKHO weekly ENC notice file GB232503.TXT (e.g. https://edatallc.com/support/AIO_CD_WK42_25.zip, ENC_ROOT/GB/GB800001/33/0/GB232503.TXT)"
NAVAREA = "NAVAREA III warning of the Spanish Hydrographic Office (Instituto Hidrografico de la Marina), 'BLACK SEA - NORTHWESTERN PART: due to mine danger navigation prohibited until further notice', area A, as cited by the NATO Shipping Centre and reported by Marine Log (N. Blenkey), 'NATO warns of mine danger areas in northwest Black Sea', https://www.marinelog.com/legal-safety/safety-and-security/nato-warns-of-mine-danger-areas-in-northwest-black-sea/"
groups = {
    "ukho-2503-23-1": (
        "Coast between Zatoka and the Danube delta (Budjak coast)",
        UKHO,
        [
            (46, 4.4, 30, 28.4),
            (46, 4.5, 30, 31.1),
            (45, 58.0, 30, 28.0),
            (45, 48.1, 30, 18.3),
            (45, 31.3, 29, 46.8),
            (45, 29.7, 29, 45.0),
        ],
    ),
    "ukho-2503-23-2": (
        "Coast between Chornomorsk and Zatoka",
        UKHO,
        [
            (46, 19.0, 30, 40.8),
            (46, 18.4, 30, 43.1),
            (46, 17.5, 30, 43.2),
            (46, 4.7, 30, 31.3),
            (46, 4.6, 30, 28.4),
        ],
    ),
    "ukho-2503-23-3": (
        "Approaches to Chornomorsk",
        UKHO,
        [(46, 14.8, 30, 37.6), (46, 11.9, 30, 47.1), (46, 20.2, 30, 53.1), (46, 22.5, 30, 45.1)],
    ),
    "ukho-2503-23-4": (
        "Odesa, north of the port",
        UKHO,
        [
            (46, 36.0, 31, 0.8),
            (46, 33.4, 30, 59.7),
            (46, 30.9, 30, 49.8),
            (46, 31.7, 30, 46.6),
            (46, 31.5, 30, 44.2),
        ],
    ),
    "ukho-2503-23-5": (
        "Odesa Bay, north-east",
        UKHO,
        [
            (46, 33.7, 30, 52.3),
            (46, 31.1, 30, 54.9),
            (46, 31.0, 30, 55.9),
            (46, 29.6, 30, 56.4),
            (46, 30.8, 31, 6.6),
            (46, 36.6, 31, 4.3),
        ],
    ),
    "ukho-2503-23-6": (
        "North coast between Odesa Bay and Ochakiv",
        UKHO,
        [
            (46, 36.7, 31, 31.8),
            (46, 36.2, 31, 30.7),
            (46, 34.7, 31, 25.1),
            (46, 35.5, 31, 23.3),
            (46, 35.5, 31, 21.7),
            (46, 34.9, 31, 21.7),
            (46, 35.2, 31, 5.9),
            (46, 35.7, 31, 5.7),
            (46, 35.2, 31, 1.3),
            (46, 34.5, 31, 0.5),
            (46, 35.8, 31, 1.0),
        ],
    ),
    "ukho-2503-23-7": (
        "Approaches to Ochakiv (west)",
        UKHO,
        [
            (46, 21.8, 31, 30.3),
            (46, 28.1, 31, 28.4),
            (46, 34.7, 31, 26.1),
            (46, 35.6, 31, 29.6),
            (46, 34.9, 31, 30.5),
            (46, 22.2, 31, 31.9),
        ],
    ),
    "ukho-2503-23-8": (
        "Offshore box between Odesa and Ochakiv",
        UKHO,
        [(46, 27.9, 31, 0.8), (46, 32.4, 31, 1.2), (46, 32.6, 31, 26.3), (46, 28.0, 31, 27.9)],
    ),
    "ukho-2503-23-9": (
        "Karkinit Gulf, Tendra spit to Crimea",
        UKHO,
        [
            (46, 0.9, 33, 4.8),
            (46, 0.9, 33, 5.5),
            (45, 59.5, 33, 5.5),
            (45, 58.2, 32, 54.2),
            (46, 7.0, 32, 5.5),
            (46, 9.4, 32, 6.6),
        ],
    ),
    "navarea-iii-nw-a": (
        "Karkinit Gulf, east (area A)",
        NAVAREA,
        [
            (46, 4.0, 33, 12.8),
            (46, 3.1, 33, 13.9),
            (45, 55.6, 33, 8.1),
            (45, 57.3, 32, 54.5),
            (46, 0.9, 33, 6.8),
        ],
    ),
}
feats = []
for fid, (name, src, pts) in groups.items():
    ring = [(dm(a, b), dm(c, d)) for a, b, c, d in pts]
    ring = [(lon, lat) for lat, lon in ring]
    poly = Polygon(ring)
    note = "Polygon closed through the published positions in the order given (straight segments between them)."
    if not poly.is_valid:
        g = make_valid(poly)
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0]
        poly = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
        note += (
            " The published ring crosses itself; repaired with shapely.make_valid (the lobes kept)."
        )
    note += " Where the area is meant to be bounded by the coast, the strip between the last line and the shore is not included."
    gj = mapping(poly)
    gj = json.loads(json.dumps(gj))

    def rnd(x):
        return (
            [rnd(y) for y in x]
            if isinstance(x, list | tuple) and not isinstance(x[0], float)
            else [round(x[0], 5), round(x[1], 5)]
        )

    gj["coordinates"] = rnd(gj["coordinates"])
    feats.append(
        {
            "type": "Feature",
            "properties": {
                "id": fid,
                "name": name,
                "kind": "declared",
                "source": src,
                "avoid": False,
                "note": note,
            },
            "geometry": gj,
        }
    )
    print(fid, poly.geom_type, poly.is_valid, round(shapely.area(poly), 5))
doc = {
    "type": "FeatureCollection",
    "name": "garant: declared mine danger areas in the north-western Black Sea",
    "description": "Declared mined / mine-danger areas off Ukraine's coast and in the Karkinit Gulf, from a UKHO Notice to Mariners (2023) and a NAVAREA III warning cited by the NATO Shipping Centre. Positions as published (WGS84, degrees and decimal minutes converted to decimal degrees). Not a navigational product: warnings change; check the current NAVAREA III and Ukrainian coastal warnings.",
    "features": feats,
}
out = str(Path(__file__).resolve().parents[1] / "src/garant/data/sea/mine_areas.geojson")
head = {k: v for k, v in doc.items() if k != "features"}
lines = (
    ["{"]
    + [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    + [' "features": [']
)
lines += [
    "  " + json.dumps(f, ensure_ascii=False) + ("," if i < len(feats) - 1 else "")
    for i, f in enumerate(feats)
]
lines += [" ]", "}"]
Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
