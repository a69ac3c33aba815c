"""Helpers shared by the test suites: real servers, databases, factories."""
