"""Teams end to end: activities posted to /api/messages as Teams posts them, answers and
proactive messages received by a fake Bot Connector on loopback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp

from bot.settings import Settings
from tests.handlers.conftest import START, TeamsWorld
from tests.teams_fakes import BOT_ID, TEAM_ID, activity, chat_of

ADA = "29:ada"
BEN = "29:ben"
CAT = "29:cat"
NAMES = {ADA: "Ada Lovelace", BEN: "Ben Okri", CAT: "Cat Stevens"}
DAY = timedelta(days=1)


async def say(teams: TeamsWorld, user: str, text: str, **options: Any) -> str:
    return await teams.say(user, NAMES[user], text, **options)


async def library(teams: TeamsWorld) -> None:
    """Ada sets up Twitter and a blog; Ben on duty this week, Cat the next."""
    for user, name in NAMES.items():
        teams.connector.add_member(user, name)
    await say(teams, ADA, "channel add Twitter kind=twitter")
    await say(teams, ADA, "channel add Blog kind=blog")
    await say(teams, BEN, "join")
    await say(teams, CAT, "join")


def latest_reminder(teams: TeamsWorld, user: str) -> Any:
    reminders = [
        s for s in teams.connector.in_conversation(chat_of(user)) if "gone quiet" in s.text
    ]
    assert reminders, f"no reminder reached {user}"
    return reminders[-1]


async def test_commands_work_with_or_without_duty_when_sent_in_the_private_chat(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    who = await say(teams, ADA, "who")
    assert "Ben Okri" in who
    with_duty = await say(teams, ADA, "duty who")
    assert with_duty == who
    assert "Twitter" in await say(teams, BEN, "channels")


async def test_first_coordinator_is_told_when_setting_up_a_new_tenant(teams: TeamsWorld) -> None:
    teams.connector.add_member(ADA, "Ada Lovelace")
    answer = await say(teams, ADA, "channel add Twitter kind=twitter")
    assert "you are its first" in answer
    assert "Twitter" in answer


async def test_typo_gets_a_sentence_and_usage_when_the_command_is_unknown(
    teams: TeamsWorld,
) -> None:
    teams.connector.add_member(BEN, "Ben Okri")
    answer = await say(teams, BEN, "jion")
    assert "I don't know the word `jion`. Did you mean `join`?" in answer
    assert "Usage: `join [rota]`" in answer  # in Teams, the words alone
    assert "/duty" not in answer


async def test_answer_goes_to_the_private_chat_when_baton_is_mentioned_in_a_channel(
    teams: TeamsWorld,
) -> None:
    teams.connector.add_member(BEN, "Ben Okri")
    await say(teams, BEN, "help")  # Ben has a private chat with Baton
    before = len(teams.connector.sent)
    response = await teams.post(
        activity(
            teams.connector.base_url,
            BEN,
            "Ben Okri",
            text="<at>Baton</at> join",
            activity_id=teams.next_id(),
            in_team=True,
        )
    )
    assert response.status in (200, 202)
    await teams.connector.wait_for(lambda sent: len(sent) >= before + 2)
    private = teams.connector.in_conversation(chat_of(BEN))[-1]
    assert "rota" in private.text.lower()
    in_channel = [s for s in teams.connector.sent[before:] if s.conversation.startswith(TEAM_ID)]
    assert [s.text for s in in_channel] == ["I've answered you in our private chat."]


async def test_private_chat_is_started_through_the_team_when_someone_new_mentions_baton(
    teams: TeamsWorld,
) -> None:
    teams.connector.add_member(CAT, "Cat Stevens")
    response = await teams.post(
        activity(
            teams.connector.base_url,
            CAT,
            "Cat Stevens",
            text="<at>Baton</at> join",
            activity_id=teams.next_id(),
            in_team=True,
        )
    )
    assert response.status in (200, 202)
    await teams.connector.wait_for(lambda _: bool(teams.connector.in_conversation(chat_of(CAT))))
    (created,) = teams.connector.created
    assert created["members"] == [{"id": CAT}]
    assert created["bot"]["id"] == BOT_ID
    assert created["tenantId"]
    assert "rota" in teams.connector.in_conversation(chat_of(CAT))[0].text.lower()


async def test_other_people_are_named_by_their_mention_when_a_coordinator_promotes_them(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    answer = await say(
        teams, ADA, "role <at>Cat Stevens</at> director", mentions=[(CAT, "Cat Stevens")]
    )
    assert "Cat Stevens" in answer and "director" in answer


async def test_retried_activity_acts_once_when_teams_sends_it_again(teams: TeamsWorld) -> None:
    await library(teams)
    body = activity(
        teams.connector.base_url,
        BEN,
        "Ben Okri",
        text="posted Twitter https://x.com/lib/1",
        activity_id=teams.next_id(),
    )
    for _ in range(2):
        response = await teams.post(body)
        assert response.status in (200, 202)
    stats = await say(teams, ADA, "stats")
    assert "Twitter: 1" in stats


async def test_reminder_buttons_work_as_cards_when_pressed(teams: TeamsWorld) -> None:
    await library(teams)
    teams.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wed 11:00
    assert await teams.run_job("quiet-check") == 1
    reminder = latest_reminder(teams, BEN)
    titles = [b["title"] for b in reminder.buttons()]
    assert titles == ["Log a post", "Snooze 1 day", "Pass to next person"]
    snooze = next(b for b in reminder.buttons() if b["title"] == "Snooze 1 day")
    answer = await teams.press(BEN, "Ben Okri", snooze["data"])
    assert "Snoozed: no reminders about Twitter until Thu 3 Dec 11:00." in answer
    teams.clock.set(START + 3 * DAY)
    assert await teams.run_job("quiet-check") == 0


async def test_post_form_card_records_the_post_when_filled_in(teams: TeamsWorld) -> None:
    await library(teams)
    before = len(teams.connector.in_conversation(chat_of(BEN)))
    await say(teams, BEN, "posted")
    form = teams.connector.in_conversation(chat_of(BEN))[before]
    inputs = {e["id"]: e for e in form.card["body"] if e["type"].startswith("Input.")}
    choices = {c["title"]: c["value"] for c in inputs["channel"]["choices"]}
    assert set(choices) == {"Blog", "Twitter"}
    (submit,) = form.buttons()

    fix = await teams.press(
        BEN, "Ben Okri", submit["data"], channel=choices["Twitter"], url="not a link"
    )
    assert "Paste the post's web address, starting with https://" in fix
    done = await teams.press(
        BEN, "Ben Okri", submit["data"], channel=choices["Twitter"], url="https://x.com/l/9"
    )
    assert "Recorded your post" in done
    again = await teams.press(
        BEN, "Ben Okri", submit["data"], channel=choices["Twitter"], url="https://x.com/l/9"
    )
    assert "already" in again.lower() or "Recorded your post" in again
    stats = await say(teams, ADA, "stats")
    assert "Twitter: 1" in stats


async def test_handoff_reaches_the_new_person_in_their_private_chat_when_the_week_turns(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    teams.clock.set(START + 7 * DAY - timedelta(minutes=58))  # Mon 7 Dec 09:02
    assert await teams.run_job("handoff") == 2
    welcome = [s.text for s in teams.connector.in_conversation(chat_of(CAT)) if "on duty" in s.text]
    assert welcome and "until Mon 14 Dec 09:00" in welcome[-1]


async def test_rate_limited_sends_arrive_once_when_teams_asks_to_retry(teams: TeamsWorld) -> None:
    await library(teams)
    teams.connector.fail_next = [429, 503]
    teams.clock.set(START + 2 * DAY + timedelta(hours=1))
    assert await teams.run_job("quiet-check") == 1
    assert (
        len([s for s in teams.connector.in_conversation(chat_of(BEN)) if "gone quiet" in s.text])
        == 1
    )


async def test_someone_baton_cannot_reach_is_shown_to_coordinators_when_a_reminder_fails(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    await say(teams, BEN, "leave")
    await say(teams, CAT, "leave")
    # Dan joins from the team's channel, but Teams won't let Baton start a chat with him.
    teams.connector.add_member("29:dan", "Dan Brown")
    teams.connector.blocked.add("29:dan")
    before = len(teams.connector.sent)
    await teams.post(
        activity(
            teams.connector.base_url,
            "29:dan",
            "Dan Brown",
            text="<at>Baton</at> join",
            activity_id=teams.next_id(),
            in_team=True,
        )
    )
    await teams.connector.wait_for(lambda sent: len(sent) > before)
    assert "couldn't answer you privately" in teams.connector.sent[-1].text
    assert "Dan Brown" in await say(teams, ADA, "who")

    teams.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wed 11:00: Twitter is quiet
    assert await teams.run_job("quiet-check") == 0
    channels = await say(teams, ADA, "channels")
    assert "Messages that could not be sent" in channels
    assert "Baton can't reach Dan Brown in Teams yet" in channels


async def test_unsigned_request_is_refused_when_anonymous_teams_is_off(tmp_path: Any) -> None:
    from bot.app import start
    from bot.clock import FixedClock
    from storage.migrate import upgrade

    database_url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(database_url)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": database_url,
            "BATON_HOST": "127.0.0.1",
            "BATON_PORT": 0,
            "TEAMS_APP_ID": "00000000-0000-4000-8000-000000000001",
            "TEAMS_APP_PASSWORD": "a-client-secret-for-tests",
            "BATON_RUN_JOBS": False,
        }
    )
    running = await start(settings, FixedClock(START))
    try:
        body = activity("http://127.0.0.1:9/", BEN, "Ben", text="join", activity_id="1")
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{running.port}/api/messages"
            async with http.post(url, json=body) as response:
                assert response.status == 401
            async with http.post(
                url, json=body, headers={"Authorization": "Bearer not-a-token"}
            ) as response:
                assert response.status == 401
    finally:
        await running.stop()


def team_install(teams: TeamsWorld, by: str) -> dict[str, Any]:
    """The conversationUpdate Teams sends when someone adds Baton to a team."""
    body = activity(
        teams.connector.base_url,
        by,
        NAMES[by],
        activity_id=teams.next_id(),
        in_team=True,
        kind="conversationUpdate",
    )
    body["conversation"]["id"] = TEAM_ID
    body["membersAdded"] = [{"id": BOT_ID}]
    body["channelData"]["eventType"] = "teamMemberAdded"
    del body["entities"]
    return body


async def test_members_of_a_team_get_the_digest_when_baton_was_added_to_their_team(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    response = await teams.post(team_install(teams, ADA))
    assert response.status in (200, 202)
    await teams.connector.wait_for(lambda sent: any(s.conversation == TEAM_ID for s in sent))
    hello = next(s for s in teams.connector.sent if s.conversation == TEAM_ID)
    assert "mention me" in hello.text.lower()

    # Flo never wrote to Baton; Ada makes her a director with a mention in the channel.
    flo = "29:flo"
    teams.connector.add_member(flo, "Flo Director")
    await teams.post(
        activity(
            teams.connector.base_url,
            ADA,
            NAMES[ADA],
            text="<at>Baton</at> role <at>Flo Director</at> director",
            activity_id=teams.next_id(),
            in_team=True,
            mentions=[(flo, "Flo Director")],
        )
    )
    await teams.connector.wait_for(
        lambda _: "director" in teams.connector.in_conversation(chat_of(ADA))[-1].text
    )
    answer = await say(teams, ADA, "digest send")
    assert "Flo Director" in answer
    await teams.connector.wait_for(lambda _: bool(teams.connector.in_conversation(chat_of(flo))))
    digest = teams.connector.in_conversation(chat_of(flo))[-1]
    assert "Weekly digest" in digest.activity["summary"]
    assert "Twitter" in digest.text


async def test_digest_is_posted_in_the_channel_when_a_coordinator_names_it(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    await teams.post(team_install(teams, ADA))
    general = "19:outreach@thread.tacv2"
    answer = await say(teams, ADA, "digest to <at>Outreach</at>", mentions=[(general, "Outreach")])
    assert "will be posted in the Teams channel" in answer
    await say(teams, ADA, "digest send")
    await teams.connector.wait_for(lambda _: bool(teams.connector.in_conversation(general)))
    (posted,) = teams.connector.in_conversation(general)
    assert "Twitter" in posted.text


async def test_each_tenant_sees_only_its_own_library_when_two_share_baton(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    other_tenant = "0c0ffee0-0000-4000-8000-000000000002"
    stranger = "29:zoe"
    teams.connector.add_member(stranger, "Zoe Other")
    channels = await say_in(teams, stranger, "Zoe Other", "channels", tenant=other_tenant)
    assert channels.startswith("No outreach channels yet.")
    assert "Blog" not in channels
    who = await say_in(teams, stranger, "Zoe Other", "who", tenant=other_tenant)
    assert "Ben Okri" not in who


async def say_in(teams: TeamsWorld, user: str, name: str, text: str, *, tenant: str) -> str:
    return await teams.say(user, name, text, tenant=tenant)


async def test_about_page_states_what_baton_keeps_when_opened_in_a_browser(
    teams: TeamsWorld,
) -> None:
    async with teams.http.get(f"{teams.base_url}/") as response:
        assert response.status == 200
        page = await response.text()
    assert 'id="privacy"' in page and 'id="terms"' in page
    assert "only if a coordinator chooses a channel to watch" in page
    assert "It reads no other messages in your channels or chats" in page


async def test_help_offers_no_watched_channel_when_teams_cannot_watch_one(
    teams: TeamsWorld,
) -> None:
    await library(teams)
    coordinator_help = await say(teams, ADA, "help")
    assert "rota set [rota] shift=week" in coordinator_help
    assert "rota set watch" not in coordinator_help
