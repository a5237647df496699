"""Teams: someone removed from a team has not left the organisation, so Baton keeps them on
their rotas."""

from __future__ import annotations

from typing import Any

from tests.handlers.conftest import TeamsWorld
from tests.teams_fakes import TEAM_ID, activity, chat_of

ADA = "29:ada"
BEN = "29:ben"
CAT = "29:cat"
NAMES = {ADA: "Ada Lovelace", BEN: "Ben Okri", CAT: "Cat Stevens"}


def removed_from(teams: TeamsWorld, conversation: str, member: str, *, by: str) -> dict[str, Any]:
    """The conversationUpdate Teams sends when `by` removes `member` from a team (or when a
    member leaves a chat)."""
    in_team = conversation == TEAM_ID
    body = activity(
        teams.connector.base_url,
        by,
        NAMES[by],
        activity_id=teams.next_id(),
        in_team=in_team,
        kind="conversationUpdate",
    )
    body["conversation"]["id"] = conversation
    body["membersRemoved"] = [{"id": member, "aadObjectId": f"aad-{member}"}]
    if in_team:
        body["channelData"]["eventType"] = "teamMemberRemoved"
    del body["entities"]
    return body


async def test_someone_removed_from_a_team_or_a_chat_stays_on_the_rota(
    teams: TeamsWorld,
) -> None:
    for user, name in NAMES.items():
        teams.connector.add_member(user, name)
    await teams.say(ADA, NAMES[ADA], "channel add Twitter kind=twitter")
    await teams.say(BEN, NAMES[BEN], "join")
    await teams.say(CAT, NAMES[CAT], "join")
    who = await teams.say(ADA, NAMES[ADA], "who")
    sent = len(teams.connector.sent)

    for conversation, by in ((TEAM_ID, ADA), (chat_of(BEN), BEN)):
        response = await teams.post(removed_from(teams, conversation, BEN, by=by))
        assert response.status in (200, 202)

    assert len(teams.connector.sent) == sent  # nobody was told anything
    assert await teams.say(ADA, NAMES[ADA], "who") == who
    assert "Ben Okri" in who.split("\n")[1]
