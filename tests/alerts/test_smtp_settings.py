"""SMTP settings from the environment or a TOML file, and a real STARTTLS + AUTH server."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from hubbub.alerts.mail import SmtpSettings, send_mail
from hubbub.errors import HubbubError
from tests.alerts.servers import Mailbox, free_port


def test_settings_from_environment_and_file(tmp_path: Path) -> None:
    config = tmp_path / "smtp.toml"
    config.write_text('[smtp]\nhost = "mail.example.org"\nuser = "bot"\nsender = "a@example.org"\n')
    settings = SmtpSettings.from_environment(
        {"HUBBUB_SMTP_CONFIG": str(config), "HUBBUB_SMTP_PASSWORD": "pw", "HUBBUB_SMTP_FROM": "b@example.org"}
    )
    assert (settings.host, settings.user, settings.password) == ("mail.example.org", "bot", "pw")
    assert settings.starttls and settings.port == 587 and settings.sender == "b@example.org"
    plain = SmtpSettings.from_environment({"HUBBUB_SMTP_HOST": "h"})
    assert (plain.port, plain.starttls) == (25, False)
    with pytest.raises(HubbubError, match="no SMTP server"):
        SmtpSettings.from_environment({})
    with pytest.raises(HubbubError, match="yes/no"):
        SmtpSettings.from_environment({"HUBBUB_SMTP_HOST": "h", "HUBBUB_SMTP_STARTTLS": "maybe"})
    with pytest.raises(HubbubError, match="no \\[smtp\\] table"):
        (tmp_path / "bad.toml").write_text("host = 1\n")
        SmtpSettings.from_environment({"HUBBUB_SMTP_CONFIG": str(tmp_path / "bad.toml")})


@pytest.fixture()
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Mailbox, Path, list[str]]]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    logins: list[str] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", b"pw")
        if ok:
            logins.append(data.login.decode())
        return AuthResult(success=ok)

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, server_hostname="localhost",
        tls_context=context, require_starttls=True, auth_required=True, authenticator=authenticate,
    )
    controller.start()
    try:
        yield port, mailbox, cafile, logins
    finally:
        controller.stop()


def test_starttls_and_login(tls_server: tuple[int, Mailbox, Path, list[str]]) -> None:
    port, mailbox, cafile, logins = tls_server
    settings = SmtpSettings.from_environment({
        "HUBBUB_SMTP_HOST": "127.0.0.1", "HUBBUB_SMTP_PORT": str(port), "HUBBUB_SMTP_USER": "bot",
        "HUBBUB_SMTP_PASSWORD": "pw", "HUBBUB_SMTP_CAFILE": str(cafile),
    })
    assert settings.starttls  # on by default once a user is set
    send_mail(settings, ["ops@example.org"], "hello", "over TLS")
    assert logins == ["bot"] and [b.strip() for b in mailbox.bodies()] == ["over TLS"]
    untrusted = SmtpSettings(settings.host, settings.port, "bot", "pw", starttls=True, timeout=5)
    with pytest.raises(ssl.SSLError):
        send_mail(untrusted, ["ops@example.org"], "x", "y")  # the server's CA is not trusted
