"""`tiengdan`: serve, worker, migrate, create-user, demo-data (and the classifier commands)."""

from __future__ import annotations

import asyncio
import os

import click

from backend.settings import Settings, load_settings


def _settings() -> Settings:
    return load_settings(os.environ)


@click.group()
def main() -> None:
    """Tiếng Dân: citizen feedback for communes and the Fatherland Front."""


@main.command()
@click.option("--host", default=None, help="Bind address (default: TIENGDAN_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: TIENGDAN_PORT or 8000).")
@click.option("--workers", type=int, default=1, help="Server processes (production shape).")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the HTTP API (and, in the embedded shape, the in-process worker)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "backend.asgi:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,  # TIENGDAN_ACCESS_LOG: our JSON line, with the request id
        log_level="warning",
        log_config=None,  # uvicorn's own warnings go through the app's JSON log handler
        # Behind a reverse proxy: client address and scheme from X-Forwarded-* of these only.
        proxy_headers=True,
        forwarded_allow_ips=list(settings.ops.trusted_proxies),
    )


@main.command()
def worker() -> None:
    """Run background jobs from the Redis queue (production shape)."""
    from backend.observability.logs import configure_process_logging
    from backend.observability.metrics import serve_worker_metrics
    from backend.worker import run_worker

    settings = _settings()
    configure_process_logging(settings.ops.log_format, settings.ops.log_level)
    if settings.ops.worker_metrics_port:
        serve_worker_metrics(
            settings.host, settings.ops.worker_metrics_port, settings.ops.metrics_dir
        )
    asyncio.run(run_worker(settings))


@main.command()
def migrate() -> None:
    """Upgrade the database to the newest schema and sync the commune reference list."""
    from backend.bootstrap import migrate_and_sync

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    provinces, communes = asyncio.run(migrate_and_sync(settings))
    click.echo(f"database at head; {provinces} provinces, {communes} communes")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "province_staff", "commune_staff", "volunteer"]),
    required=True,
)
@click.option("--full-name", default="")
@click.option("--province", default=None, help="Province code for province_staff.")
@click.option("--commune", "communes", multiple=True, help="Commune code (repeatable).")
def create_user(
    username: str,
    password: str,
    role: str,
    full_name: str,
    province: str | None,
    communes: tuple[str, ...],
) -> None:
    """Create a staff or volunteer account."""
    from backend.bootstrap import create_user_command

    user_id = asyncio.run(
        create_user_command(
            _settings(), username, password, role, full_name, province, list(communes)
        )
    )
    click.echo(f"created user {username} (id {user_id})")


@main.command("create-api-key")
@click.option("--name", required=True, help="Who the key is for (an Open311 client system).")
def create_api_key(name: str) -> None:
    """Create an Open311 API key; it is printed once and stored only as a digest."""
    from backend.open311.keys import create_key_command

    created = asyncio.run(create_key_command(_settings().database, name))
    click.echo(f"API key {created.id} for {created.name}: {created.key}")


def _attach_classifier_commands() -> None:
    from classifiers.cli import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_attach_classifier_commands()


def _attach_channel_commands() -> None:
    from backend.webhooks.simulate import simulate_zalo

    main.add_command(simulate_zalo)


_attach_channel_commands()


@main.command()
def retrain() -> None:
    """Train on the corpus plus staff corrections; activate the model only if it is not worse."""
    from backend.classification.retrain import retrain as run_retrain
    from backend.db.engine import create_engine

    async def go() -> str:
        settings = _settings()
        engine = create_engine(settings.database)
        try:
            result = await run_retrain(engine, settings.models_dir)
        finally:
            await engine.dispose()
        state = "activated" if result.activated else "kept the current model (new one is worse)"
        return f"model {result.version}: topic macro-F1 {result.topic_macro_f1:.3f} with {result.corrections} corrections; {state}"

    click.echo(asyncio.run(go()))


@main.command("demo-data")
def demo_data() -> None:
    """Load demo accounts and cases (idempotent)."""
    from backend.demo import load_demo

    click.echo(asyncio.run(load_demo(_settings())))


@main.command("vapid-keys")
def vapid_keys() -> None:
    """Print a new VAPID key pair for Web Push and the environment lines that use it."""
    from channels.webpush import VapidKeys

    keys = VapidKeys.generate()
    click.echo(f"private key (base64url): {keys.private_base64url()}")
    click.echo(f"public application-server key: {keys.application_server_key()}")
    click.echo("")
    click.echo(f"TIENGDAN_VAPID_PRIVATE_KEY={keys.private_base64url()}")
    click.echo("TIENGDAN_VAPID_SUBJECT=mailto:admin@your-domain.example")
    click.echo("# Changing the key later invalidates every stored browser subscription.")
