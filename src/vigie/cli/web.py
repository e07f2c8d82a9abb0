"""`vigie serve` and `vigie users ...`: the web application and its accounts."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from vigie.cli.app import LangOption, WorkspaceOption, app, console, fail, resolve_lang
from vigie.present import Messages
from vigie.store import DEFAULT_WORKSPACE, Workspace
from vigie.web.accounts import AccountError, AccountStore
from vigie.web.security import ROLES, PasswordPolicyError

users_app = typer.Typer(
    help="Accounts of the web application. / Comptes de l'application web.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

PasswordOption = Annotated[
    str,
    typer.Option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="VIGIE_PASSWORD",
        help="Password (asked when absent; or VIGIE_PASSWORD). / Mot de passe.",
    ),
]


def add_user(workspace: Path, name: str, password: str, role: str) -> None:
    """Create a user in a workspace (``AccountError``, ``PasswordPolicyError`` when invalid)."""
    with Workspace.open(workspace) as ws:
        AccountStore(lambda: ws.con).add_user(name, password, role)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name. / Nom d'utilisateur.")],
    password: PasswordOption,
    role: Annotated[
        str, typer.Option("--role", help="viewer, reviewer or admin. / Rôle.")
    ] = "viewer",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
) -> None:
    """Add a user. / Ajouter un utilisateur."""
    t = Messages(resolve_lang(lang))
    if role not in ROLES:
        fail(t, t("web_bad_role"))
    try:
        add_user(workspace, name, password, role)
    except AccountError as exc:
        fail(t, t(f"web_{exc.code}"))
    except PasswordPolicyError:
        fail(t, t("web_short_password"))
    console.print(t("web_user_added", name=name, role=role), markup=False)


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="User name. / Nom d'utilisateur.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "api",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    lang: LangOption = None,
) -> None:
    """Issue an API token. / Délivrer un jeton d'API."""
    t = Messages(resolve_lang(lang))
    with Workspace.open(workspace) as ws:
        try:
            token = AccountStore(lambda: ws.con).issue_token(name, label)
        except AccountError as exc:
            fail(t, t(f"web_{exc.code}"))
    console.print(t("web_token_issued", name=name), markup=False)
    typer.echo(token)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address. / Adresse.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Listen beyond loopback. / Hors boucle locale.")
    ] = False,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Cookies without the Secure attribute (plain HTTP beyond localhost). / "
            "Cookies sans l'attribut Secure.",
        ),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Serve the web application and API. / Servir l'application web et l'API."""
    import uvicorn  # noqa: PLC0415 - loaded only when serving (fast CLI start)

    from vigie.web import WebSettings, create_app  # noqa: PLC0415 - as above

    code = resolve_lang(lang)
    t = Messages(code)
    if not _is_loopback(host) and not allow_remote:
        fail(t, t("web_not_loopback", host=host))
    settings = WebSettings(
        workspace=workspace, secure_cookies=not insecure_cookies, default_lang=code
    )
    application = create_app(settings)
    console.print(t("web_serving", url=f"http://{host}:{port}/", path=workspace), markup=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")
