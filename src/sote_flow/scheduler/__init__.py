"""APScheduler jobs: wake instances whose timers are due."""
