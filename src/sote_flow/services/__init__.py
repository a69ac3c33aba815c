"""Use cases. Each takes the acting user, a unit of work and a clock, and commits exactly once."""
