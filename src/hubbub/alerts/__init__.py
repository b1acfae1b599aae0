"""Alerts and digests: rules evaluated after every import (and by `hubbub alerts run`), delivered
by signed webhook and SMTP e-mail; daily/weekly digest e-mails with the window's headlines.

Python API: `hb.alerts` (rules, events, run) and `hb.digests` on a `Hubbub`, or the functions here
on a `Store`.
"""

from hubbub.alerts.digests import (
    Digest,
    DigestSend,
    add_digest,
    list_digests,
    remove_digest,
    run_due,
)
from hubbub.alerts.engine import AlertRun, FiredEvent, list_events, run_alerts, send_test
from hubbub.alerts.mail import SmtpSettings
from hubbub.alerts.rules import KINDS, AlertRule, add_rule, get_rule, list_rules, remove_rule
from hubbub.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify
from hubbub.alerts.webhook import DeliveryResult, DeliverySettings

__all__ = [
    "KINDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AlertRule",
    "AlertRun",
    "DeliveryResult",
    "DeliverySettings",
    "Digest",
    "DigestSend",
    "FiredEvent",
    "SmtpSettings",
    "add_digest",
    "add_rule",
    "get_rule",
    "list_digests",
    "list_events",
    "list_rules",
    "remove_digest",
    "remove_rule",
    "run_alerts",
    "run_due",
    "send_test",
    "sign",
    "verify",
]
