"""Writes to the residence registry. Each procedure's approval effect lives in its own module
(`permanent`, `temporary`, `stays`, `absences`, …); `common` holds what they share."""
