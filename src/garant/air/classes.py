"""The shared vocabulary of the air module: threat classes and defence kinds.

Every threat in the catalogue, every weapon in the Air Force records and every
kill probability in a defence's table is keyed by one of :data:`THREAT_CLASSES`.
"""

from __future__ import annotations

__all__ = ["DEFENCE_KINDS", "THREAT_CLASSES", "THREAT_CLASS_LABELS"]

#: Threat classes, in a fixed order (arrays in the simulation use this order).
THREAT_CLASSES: tuple[str, ...] = (
    "strike_uav",  # one-way attack drones: Shahed-136/Geran-2, Geran-3 (jet)
    "decoy_uav",  # Gerbera, Parodiya and other decoys without a warhead
    "recon_uav",  # Orlan-10/30, ZALA, Supercam, Merlin-VR, Forpost, Mohajer-6 ...
    "loitering",  # Lancet, Molniya: short-range loitering munitions near the front
    "cruise",  # Kh-101/Kh-555, Kalibr, Iskander-K, Kh-59/Kh-69, Kh-55
    "ballistic",  # Iskander-M, KN-23, S-300/S-400 in the ground-attack role
    "aeroballistic",  # Kh-47M2 Kinzhal
    "anti_ship",  # Kh-22/Kh-32, P-800 Oniks, Kh-35, 3M22 Zircon
    "anti_radiation",  # Kh-31P, Kh-31PD
    "guided_bomb",  # KAB/UMPK glide bombs, GBU
    "unknown",  # a record garant cannot attribute (counted and reported)
)

THREAT_CLASS_LABELS: dict[str, str] = {
    "strike_uav": "Strike drones (Shahed/Geran)",
    "decoy_uav": "Decoy drones (Gerbera, Parodiya)",
    "recon_uav": "Reconnaissance drones",
    "loitering": "Loitering munitions (Lancet, Molniya)",
    "cruise": "Cruise missiles",
    "ballistic": "Ballistic missiles",
    "aeroballistic": "Aeroballistic missiles (Kinzhal)",
    "anti_ship": "Anti-ship missiles used against land",
    "anti_radiation": "Anti-radiation missiles",
    "guided_bomb": "Guided / glide bombs",
    "unknown": "Unknown",
}

#: Kinds of defence in the catalogue.
DEFENCE_KINDS: tuple[str, ...] = (
    "sam_long",  # Patriot PAC-2/PAC-3, SAMP/T
    "sam_medium",  # IRIS-T SLM, NASAMS
    "sam_short",  # IRIS-T SLS, Crotale, Stinger-based systems
    "gun",  # Gepard, Skynex
    "mobile_fire_group",  # pickup trucks with machine guns, searchlights, MANPADS
    "interceptor_drone",  # drone-on-drone interceptors
    "ew",  # electronic warfare (jamming, spoofing)
    "fighter",  # F-16, Mirage 2000, Gripen, Typhoon, Rafale on patrol
    "isr",  # AWACS / reconnaissance aircraft: see, do not shoot
)
