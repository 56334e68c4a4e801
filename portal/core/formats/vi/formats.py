# Vietnamese formats for every page, the admin's own date columns included: one date format,
# `HH:MM dd/mm/yyyy` (Django's default for "vi" is "08:08 Ngày 01 tháng 12 năm 2026" and
# "01-12-2026"). Anything not set here falls back to Django's "vi" formats.
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
