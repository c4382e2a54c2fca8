"""The deterrence calculus: parameters, model, Monte Carlo and sensitivity (issue 6)."""
