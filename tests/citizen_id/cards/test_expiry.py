"""The expiry rule of Art. 21 of the Law on Identification 2023, at each renewal age and one day
either side of each two-year window (the expected dates are written out, not computed)."""

from __future__ import annotations

import datetime as dt

import pytest

from citizen_id.expiry import card_expiry

D = dt.date
BORN = D(1970, 3, 15)  # 14 → 15/03/1984, 25 → 1995, 40 → 2010, 60 → 2030


@pytest.mark.parametrize(
    ("issued_on", "expires_on", "renewal_age"),
    [
        # a child's card: renewed at 14
        (D(1970, 3, 15), D(1984, 3, 15), 14),
        # window before 14 opens on the 12th birthday
        (D(1982, 3, 14), D(1984, 3, 15), 14),
        (D(1982, 3, 15), D(1995, 3, 15), 25),
        (D(1982, 3, 16), D(1995, 3, 15), 25),
        (D(1984, 3, 14), D(1995, 3, 15), 25),
        (D(1984, 3, 15), D(1995, 3, 15), 25),
        # window before 25 opens on the 23rd birthday
        (D(1993, 3, 14), D(1995, 3, 15), 25),
        (D(1993, 3, 15), D(2010, 3, 15), 40),
        (D(1993, 3, 16), D(2010, 3, 15), 40),
        (D(1995, 3, 15), D(2010, 3, 15), 40),
        # window before 40 opens on the 38th birthday
        (D(2008, 3, 14), D(2010, 3, 15), 40),
        (D(2008, 3, 15), D(2030, 3, 15), 60),
        (D(2008, 3, 16), D(2030, 3, 15), 60),
        (D(2010, 3, 15), D(2030, 3, 15), 60),
        # window before 60 opens on the 58th birthday: from then on the card never expires
        (D(2028, 3, 14), D(2030, 3, 15), 60),
        (D(2028, 3, 15), None, None),
        (D(2028, 3, 16), None, None),
        (D(2030, 3, 15), None, None),
        (D(2045, 7, 1), None, None),
    ],
)
def test_expiry_at_each_renewal_age_and_window_edge(issued_on, expires_on, renewal_age):
    expiry = card_expiry(date_of_birth=BORN, issued_on=issued_on)
    assert (expiry.expires_on, expiry.renewal_age) == (expires_on, renewal_age)


@pytest.mark.parametrize(
    ("issued_on", "expires_on", "renewal_age"),
    [
        (D(2010, 1, 1), D(2018, 3, 1), 14),  # 14th birthday in a common year: 1 March
        (D(2016, 2, 28), D(2018, 3, 1), 14),  # the day before the 12th birthday (29/02/2016)
        (D(2016, 2, 29), D(2029, 3, 1), 25),  # on it: valid until 25
    ],
)
def test_born_on_29_february(issued_on, expires_on, renewal_age):
    expiry = card_expiry(date_of_birth=D(2004, 2, 29), issued_on=issued_on)
    assert (expiry.expires_on, expiry.renewal_age) == (expires_on, renewal_age)
