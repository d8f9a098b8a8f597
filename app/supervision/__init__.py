"""Supervision of casework: a supervisor (per commune or group of communes) sees the caseload of the
counsellors of its scope and signs off what must not rest on one person: high-risk safety plans and the
closure of high-risk cases."""
