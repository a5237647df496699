"""Microsoft Teams: the Agents SDK agent, its cards, and the app package."""
