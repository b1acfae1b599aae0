"""E-mail through SMTP (stdlib smtplib + email).

Settings come from environment variables, or from a TOML file named by HUBBUB_SMTP_CONFIG
(an `[smtp]` table with the same keys in lower case: host, port, user, password, starttls,
ssl, sender, timeout, cafile); a variable that is set wins over the file:

    HUBBUB_SMTP_HOST      server name (required to send)
    HUBBUB_SMTP_PORT      default 587 with STARTTLS, 465 with SSL, else 25
    HUBBUB_SMTP_USER      login (optional)
    HUBBUB_SMTP_PASSWORD  password (optional; never stored by hubbub)
    HUBBUB_SMTP_STARTTLS  1/0 (default 1 when a user is set, else 0)
    HUBBUB_SMTP_SSL       1/0: implicit TLS (port 465)
    HUBBUB_SMTP_FROM      sender address (default hubbub@localhost)
    HUBBUB_SMTP_TIMEOUT   seconds (default 30)
    HUBBUB_SMTP_CAFILE    PEM file of the CA that signed the server's certificate (a private
                          CA); by default the system's trusted CAs
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from hubbub.errors import HubbubError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    sender: str = "hubbub@localhost"
    timeout: float = 30.0
    cafile: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        config = env.get("HUBBUB_SMTP_CONFIG")
        if config:
            values.update(_read_config(Path(config)))
        for key in ("host", "port", "user", "password", "starttls", "ssl", "sender", "timeout", "cafile"):
            name = "HUBBUB_SMTP_FROM" if key == "sender" else f"HUBBUB_SMTP_{key.upper()}"
            if env.get(name) is not None:
                values[key] = env[name]
        if not values.get("host"):
            raise HubbubError(
                "no SMTP server is configured",
                "set HUBBUB_SMTP_HOST (and HUBBUB_SMTP_PORT, _USER, _PASSWORD, _STARTTLS) or"
                " HUBBUB_SMTP_CONFIG=path/to/smtp.toml",
            )
        starttls = _flag(values.get("starttls", bool(values.get("user"))), "STARTTLS")
        use_ssl = _flag(values.get("ssl", False), "SSL")
        default_port = 465 if use_ssl else 587 if starttls else 25
        try:
            port = int(values.get("port") or default_port)
            timeout = float(values.get("timeout") or 30)
        except ValueError:
            raise HubbubError(
                "HUBBUB_SMTP_PORT / HUBBUB_SMTP_TIMEOUT must be numbers", "e.g. HUBBUB_SMTP_PORT=587"
            ) from None
        return cls(
            host=str(values["host"]),
            port=port,
            user=values.get("user") or None,
            password=values.get("password") or None,
            starttls=starttls,
            ssl=use_ssl,
            sender=str(values.get("sender") or "hubbub@localhost"),
            timeout=timeout,
            cafile=values.get("cafile") or None,
        )


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise HubbubError(f"HUBBUB_SMTP_{name}={value!r} is not a yes/no value", "use 1 or 0")


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HubbubError(
            f"cannot read the SMTP config {path}: {exc}", "HUBBUB_SMTP_CONFIG names a TOML file with an [smtp] table"
        ) from None
    table = data.get("smtp")
    if not isinstance(table, dict):
        raise HubbubError(f"{path} has no [smtp] table", "add [smtp] with host = \"...\"")
    return table


def build_message(
    sender: str, recipients: Sequence[str], subject: str, text: str, html: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="hubbub.local")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(
    settings: SmtpSettings,
    recipients: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
) -> None:
    """Send one message to `recipients`; raises OSError / smtplib.SMTPException on failure."""
    message = build_message(settings.sender, recipients, subject, text, html)
    context = ssl.create_default_context(cafile=settings.cafile)
    smtp: smtplib.SMTP
    if settings.ssl:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.starttls and not settings.ssl:
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message, to_addrs=list(recipients))
