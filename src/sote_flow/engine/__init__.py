"""The workflow engine: SpiffWorkflow parsing, running, timers and the expression sandbox."""
