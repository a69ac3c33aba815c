"""Pure domain rules: roles, errors, privacy checks. No I/O, no frameworks."""
