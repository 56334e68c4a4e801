"""The holiday table web workers read (instead of importing the `holidays` package, ~17 MB a
process) is what the installed package computes."""

from portal.workcalendar import vn_holidays


def test_table_matches_the_installed_package():
    assert vn_holidays.generate() == vn_holidays.TABLE, (
        "holidays was upgraded: regenerate portal/workcalendar/vn_holidays.py "
        "(python -m portal.workcalendar.vn_holidays)"
    )
