"""Guards: the Guard protocol, the AgentDoG taxonomy and guards, MENTOR, GuardedAgent (a later issue)."""
