"""Land guarantees: sizing, pledges, basing, reaction time and exposure of a reassurance force."""
