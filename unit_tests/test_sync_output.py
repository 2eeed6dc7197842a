"""What one `read` says (`sync.Sync`): each stream's STARTED / RUNNING / COMPLETE | INCOMPLETE,
its records a page at a time with a STATE after every page, and three lines of its own — how many
streams it starts, the plan, and what it spent — instead of the CDK's per-stream lines.
"""

from __future__ import annotations

import re

from airbyte_cdk.models import Type
from freezegun import freeze_time

from .zone_builders import (logs_of, quote, records_of, run, states, statuses_of, user, zone_config)

NOW = "2024-06-01T12:00:00Z"


def _messages_of(output, stream):
    """("RECORD" | "STATE") for each of `stream`'s record and state messages, in order."""
    kinds = []
    for message in output._messages:
        if message.type == Type.RECORD and message.record.stream == stream:
            kinds.append("RECORD")
        elif message.type == Type.STATE and message.state.stream.stream_descriptor.name == stream:
            kinds.append("STATE")
    return kinds


@freeze_time(NOW)
def test_each_stream_says_when_it_starts_runs_and_completes():
    data = {"users": [user(i) for i in range(3)], "quotes": []}
    _, output = run(zone_config(max_records_per_page=2), ["users", "quotes"], data=data)
    assert statuses_of(output, "users") == ["STARTED", "RUNNING", "COMPLETE"]
    assert statuses_of(output, "quotes") == ["STARTED", "COMPLETE"]  # nothing read: never running


@freeze_time(NOW)
def test_a_state_follows_every_page_of_records():
    data = {"users": [user(i, f"2024/05/{10 + i:02d} 08:00:00") for i in range(5)]}
    _, output = run(zone_config(max_records_per_page=2), "users", "incremental",
                    states(users={"updated_at": "2024-05-01T00:00:00Z"}), data)
    kinds = "".join(kind[0] for kind in _messages_of(output, "users"))
    assert re.fullmatch(r"(R+S+)+", kinds), kinds  # every page's records are followed by a state
    assert kinds.count("R") == 5 and len(re.findall("R+", kinds)) == 4  # 2, then 1 new a page (the seek's boundary)


@freeze_time(NOW)
def test_the_sync_says_what_it_starts_plans_and_spent_in_one_line_each():
    data = {"users": [user(i) for i in range(3)], "quotes": [quote(1)]}
    _, output = run(zone_config(max_records_per_page=2), ["users", "quotes", "quotes_lines"], data=data)
    lines = logs_of(output)
    assert [line for line in lines if line.startswith("Starting syncing SourceAroflo")] == \
        ["Starting syncing SourceAroflo: 3 streams"]
    [plan] = [line for line in lines if line.startswith("Plan for this sync:")]
    assert "users: every record, 2 a page" in plan and "quotes, quotes_lines: every record, 2 a page" in plan
    [summary] = [line for line in lines if line.startswith("Finished syncing SourceAroflo in ")]
    assert re.match(r"Finished syncing SourceAroflo in \d+\.\d s: 3 daily-limited, 0 single-id and 0 change-feed "
                    r"requests \(no daily limit\)\. ", summary), summary
    assert "users 3 records, 2 daily requests" in summary and "quotes 1 records, 1 daily requests" in summary
    assert "quotes_lines 0 records" in summary
    assert not [line for line in lines if re.match(r"Read \d+ records from", line)]  # the CDK's line is gone


@freeze_time(NOW)
def test_the_plan_line_names_streams_with_nothing_to_read_and_why():
    incoming = states(tasktypes={"read_at": "2024-06-01T06:00:00Z"})
    _, output = run(zone_config(), "tasktypes", "incremental", incoming, {"tasktypes": []})
    [plan] = [line for line in logs_of(output) if line.startswith("Plan for this sync:")]
    assert plan == ("Plan for this sync: 0 daily-limited and 0 single-id requests. Nothing to read: tasktypes "
                    "(not due: read in full again after 2024-06-02 06:00 UTC)")


@freeze_time(NOW)
def test_a_stream_that_fails_ends_incomplete_and_the_others_complete():
    from .zone_builders import answer, status_body

    data = {"users": [user(1)], "quotes": [quote(1)]}
    _, output = run(zone_config(), ["users", "quotes"], data=data,
                    script={1: answer(status_body(5, "Invalid method"))}, failure=True)
    assert statuses_of(output, "users") == ["STARTED", "INCOMPLETE"]
    assert statuses_of(output, "quotes") == ["STARTED", "RUNNING", "COMPLETE"]
    assert [r["quoteid"] for r in records_of(output, "quotes")] == ["Q0001=="]
    [summary] = [m.trace.error.message for m in output.errors if m.trace.error.stream_descriptor is None]
    assert summary.startswith("1 of 2 streams did not finish: users: ")
