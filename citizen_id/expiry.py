"""When an identity card expires (Luật Căn cước 26/2023/QH15, Điều 21).

1. A citizen renews the card on reaching 14, 25, 40 and 60 years of age.
2. A card issued, renewed or re-issued within the two years before one of those ages stays valid
   until the next one.

So a card expires on the birthday of the first renewal age whose two-year window had not yet
begun on the day of issue; a card issued on or after the 58th birthday (inside the window before
60, the last age) never expires. The window is inclusive of its first day: a card issued on the
12th birthday is already within the two years before 14 and runs to 25; one issued the day before
expires at 14.

A birthday on 29 February falls on 1 March in a common year (one reaches an age when the day
after 28 February comes, as `residence.models.Person.age_on` counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RENEWAL_AGES: tuple[int, ...] = (14, 25, 40, 60)
WINDOW_YEARS = 2


@dataclass(frozen=True)
class Expiry:
    expires_on: dt.date | None  # None: the card does not expire
    renewal_age: int | None  # the age at which it must be renewed, None when it does not expire


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    """The day the person reaches `age`."""
    year = date_of_birth.year + age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def card_expiry(*, date_of_birth: dt.date, issued_on: dt.date) -> Expiry:
    """The expiry of a card issued (or renewed, re-issued) on `issued_on` to a person born on
    `date_of_birth`. The caller checks that `issued_on` is not before the birth."""
    for age in RENEWAL_AGES:
        if issued_on < birthday(date_of_birth, age - WINDOW_YEARS):
            return Expiry(birthday(date_of_birth, age), age)
    return Expiry(None, None)


def next_renewal_age(*, date_of_birth: dt.date, on: dt.date) -> int | None:
    """The next renewal age the person has not reached on `on` (None after 60)."""
    for age in RENEWAL_AGES:
        if on < birthday(date_of_birth, age):
            return age
    return None
