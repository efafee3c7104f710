"""Pure logic with no I/O: zones, business days, the nudge plan, drafts."""
