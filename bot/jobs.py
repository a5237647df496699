"""Baton's scheduled jobs: each one service call at `now`, safe to run any number of times."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.feeds import FeedWatch
from bot.services.scheduled import ScheduledWork


@dataclass(frozen=True, slots=True)
class Job:
    """A job: what it does at `now` (returning how many messages went) and how often."""

    name: str
    every: timedelta
    run: Callable[[datetime], int]


def jobs(work: ScheduledWork, watch: FeedWatch) -> dict[str, Job]:
    """Every job by name, as `python -m bot jobs run <name>` knows them."""
    table = [
        Job("handoff", timedelta(minutes=5), work.handoffs),
        Job("feed-watch", timedelta(minutes=20), watch.poll),
        Job("quiet-check", timedelta(minutes=15), work.quiet_check),
        Job("digest", timedelta(minutes=15), work.digest),
    ]
    return {job.name: job for job in table}
