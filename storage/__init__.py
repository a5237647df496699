"""SQLAlchemy storage: tables, repositories and the unit of work that implement `bot.ports`."""
