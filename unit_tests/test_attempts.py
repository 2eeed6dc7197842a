"""One page, one budget of attempts (`errors.PageAttempts`): `retry_attempts + 1` in all, shared by
the CDK's retries (timeouts, resets, 5xx, broken bodies) and asking again for a page whose content
is unusable (a record without its id, out of order, a repeat). Rate-limit rejections are not
attempts. Each failed attempt says so; the last says it gave up.
"""

from __future__ import annotations

import re

import requests

from source_aroflo.errors import PageAttempts

from .zone_builders import (answer, errors_of, logs_of, ok_body, records_of, run, status_body, user, zone_config,
                            zone_request)

UNAVAILABLE = answer(text="Service Unavailable", status_code=503)
NO_ID = answer(ok_body("users", [{"givennames": "a user AroFlo sent without its id"}]))
RATE_LIMITED = answer(status_body(6, "Rate limit exceeded"), status_code=429)
PAGE_1 = zone_request("users").where("userid", "!=", "0").page(1).size(500)


def timeout(request):
    raise requests.exceptions.ReadTimeout("read timed out")


def read_users(script, retry_attempts=2, failure=False, **config):
    return run(zone_config(retry_attempts=retry_attempts, **config), "users", data={"users": [user(1), user(2)]},
               script=script, failure=failure)


def failed_attempts(output) -> list:
    """(attempt, of) of every "attempt N of M failed (...); waiting X s before retrying" line."""
    found = []
    for line in logs_of(output, "WARN"):
        match = re.search(r"attempt (\d+) of (\d+) failed \((.+)\); waiting [0-9.]+ s before retrying$", line)
        if match:
            found.append((int(match.group(1)), int(match.group(2)), match.group(3)))
    return found


def test_the_budget_of_one_page():
    attempts = PageAttempts(retries=2)
    assert attempts.limit == 3
    assert attempts.failed("retry", "HTTP 503") and attempts.failed("unusable", "no id")
    assert not attempts.failed("retry", "HTTP 502")  # the third: none left
    assert attempts.gave_up() == "HTTP 502 (gave up after 3 attempts)"
    attempts.begin()  # the next page: a new budget
    assert attempts.used == 0 and attempts.failed("retry", "HTTP 500")


def test_server_errors_and_unusable_pages_share_one_budget_per_page():
    server, output = read_users({1: UNAVAILABLE, 2: NO_ID, 3: UNAVAILABLE, 4: UNAVAILABLE}, retry_attempts=2,
                                failure=True)
    assert server.asked == [PAGE_1] * 3  # retry_attempts + 1, whatever failed
    assert records_of(output) == []  # the page without ids was never emitted
    [error] = [e for e in errors_of(output) if e.stream_descriptor is not None]
    assert error.message.endswith("AroFlo answered HTTP 503 (gave up after 3 attempts)")


def test_an_unusable_page_last_gives_up_the_same_way():
    server, output = read_users({1: NO_ID, 2: UNAVAILABLE, 3: NO_ID, 4: NO_ID}, retry_attempts=2, failure=True)
    assert server.asked == [PAGE_1] * 3
    [error] = [e for e in errors_of(output) if e.stream_descriptor is not None]
    assert error.message.endswith("1 record(s) on this page have no id (gave up after 3 attempts)")


def test_each_failed_attempt_says_which_it_was_and_how_long_it_waits():
    _, output = read_users({1: UNAVAILABLE, 2: NO_ID}, retry_attempts=2)
    assert [r["id"] for r in records_of(output)] == ["U0001==", "U0002=="]
    assert failed_attempts(output) == [(1, 3, "AroFlo answered HTTP 503"),
                                       (2, 3, "1 record(s) on this page have no id")]


def test_a_timeout_is_an_attempt_too():
    server, output = read_users({1: timeout, 2: UNAVAILABLE}, retry_attempts=2)
    assert server.asked == [PAGE_1] * 3
    assert len(records_of(output)) == 2
    assert [attempt for attempt, _, _ in failed_attempts(output)] == [1, 2]


def test_rate_limit_rejections_in_between_are_not_attempts():
    server, output = read_users({1: UNAVAILABLE, 2: RATE_LIMITED, 3: RATE_LIMITED, 4: NO_ID, 5: UNAVAILABLE},
                                retry_attempts=2, failure=True)
    assert server.asked == [PAGE_1] * 5  # three attempts, two rejections waited out


def test_every_page_has_its_own_budget():
    # Two failures on page 1 and two on page 2, with two retries allowed a page: both pages read.
    server, output = run(zone_config(retry_attempts=2, max_records_per_page=1), "users",
                         data={"users": [user(1)]}, script={1: UNAVAILABLE, 2: UNAVAILABLE, 4: UNAVAILABLE, 5: NO_ID})
    page = zone_request("users").where("userid", "!=", "0").size(1)
    assert server.asked == [page.page(1)] * 3 + [page.page(2)] * 3
    assert [r["id"] for r in records_of(output)] == ["U0001=="] and output.errors == []


def test_retry_attempts_zero_is_one_try():
    server, output = read_users({1: UNAVAILABLE, 2: UNAVAILABLE}, retry_attempts=0, failure=True)
    assert server.asked == [PAGE_1]
    assert failed_attempts(output) == []
