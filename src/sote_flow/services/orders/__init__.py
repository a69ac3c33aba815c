"""Service ordering (palvelutilaus): the order projection, work queues and order actions."""
