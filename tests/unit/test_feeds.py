"""Which feed entries become posts: keys, the first look's window, undated entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.feeds import FeedEntry, first_window, name_key, new_entries

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def entry(
    entry_id: str | None = None,
    link: str | None = None,
    title: str | None = None,
    days_ago: float | None = None,
) -> FeedEntry:
    published = None if days_ago is None else NOW - timedelta(days=days_ago)
    return FeedEntry(entry_id=entry_id, link=link, title=title, published=published)


def test_entry_is_known_by_id_then_link_then_title_and_date_when_keyed() -> None:
    assert entry("  p=1 ", "https://a.example/1", "One", 1).key == "id:p=1"
    assert entry(None, "https://a.example/1", "One", 1).key == "link:https://a.example/1"
    dated = entry(None, None, "One", 1)
    assert dated.key == f"title:One|{(NOW - timedelta(days=1)).isoformat()}"
    assert entry(None, None, "One").key is None
    assert entry(" ", " ", None, 1).key is None


def test_first_look_takes_recent_dated_entries_and_leaves_the_rest_when_applied() -> None:
    found = new_entries(
        [entry("new", days_ago=1), entry("old", days_ago=400), entry("undated")],
        set(),
        taken_from=NOW - timedelta(days=14),
        first_look=True,
        now=NOW,
    )
    taken = {n.key: n.posted_at for n in found}
    assert taken == {"id:new": NOW - timedelta(days=1), "id:old": None, "id:undated": None}


def test_later_looks_take_undated_entries_as_posted_now_and_skip_seen_ones_when_applied() -> None:
    found = new_entries(
        [entry("seen", days_ago=1), entry("undated"), entry("undated")],
        {"id:seen"},
        taken_from=NOW - timedelta(days=14),
        first_look=False,
        now=NOW,
    )
    assert [(n.key, n.posted_at) for n in found] == [("id:undated", NOW)]


def test_entries_dated_in_the_future_count_as_now_when_applied() -> None:
    found = new_entries(
        [entry("christmas", days_ago=-25)],
        set(),
        taken_from=NOW - timedelta(days=14),
        first_look=False,
        now=NOW,
    )
    assert found[0].posted_at == NOW


def test_new_entries_come_oldest_first_when_applied() -> None:
    found = new_entries(
        [entry("b", days_ago=1), entry("a", days_ago=3), entry("c", days_ago=2)],
        set(),
        taken_from=NOW - timedelta(days=14),
        first_look=False,
        now=NOW,
    )
    assert [n.key for n in found] == ["id:a", "id:c", "id:b"]


def test_first_window_is_the_quiet_threshold_and_at_least_a_week_when_worked_out() -> None:
    assert first_window(timedelta(days=14)) == timedelta(days=14)
    assert first_window(timedelta(days=2)) == timedelta(days=7)


def test_author_names_compare_without_case_or_spacing_when_keyed() -> None:
    assert name_key("  Jane   DOE ") == name_key("jane doe")
