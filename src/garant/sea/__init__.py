"""Black Sea mission: sea geography, threats and exposure, routing, mine clearing, rules."""
