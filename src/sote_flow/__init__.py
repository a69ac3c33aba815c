"""sote-flow: BPMN workflows for Finnish social services."""

__version__ = "0.1.0"
