"""The configuration table of docs/operations.md, generated from the code that reads the settings.

Every environment variable named in backend/settings.py and backend/channel_settings.py is found
by reading their syntax tree; its default is the literal next to the name (or the `or "..."`
fallback); its meaning comes from MEANINGS below. A variable in the code without a meaning is an
error, so a new setting cannot go undocumented (tests/test_operations_doc.py runs --check).

    .venv/bin/python docs/tools/settings_table.py           # rewrite the table in place
    .venv/bin/python docs/tools/settings_table.py --check   # exit 1 when it is stale
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (ROOT / "backend" / "settings.py", ROOT / "backend" / "channel_settings.py")
DOC = ROOT / "docs" / "operations.md"
START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
ENV_NAME = re.compile(r"^(TIENGDAN_[A-Z0-9_]+|DATABASE_URL|REDIS_URL|PROMETHEUS_MULTIPROC_DIR)$")
UNSET = "unset"

# name: (default when the code computes it, else None; meaning). Grouped as the table shows them.
MEANINGS: dict[str, tuple[str | None, str]] = {
    # --- core
    "TIENGDAN_ENV": (
        None,
        "`dev`, `test` or `prod`; `prod` refuses placeholder secrets and an unset VAPID key",
    ),
    "TIENGDAN_SECRET_KEY": (
        "`dev-only-change-me` (refused in prod)",
        "signs status tokens and sessions; 32+ random characters in production",
    ),
    "TIENGDAN_HOST": (None, "where `tiengdan serve` listens (and a worker's metrics port)"),
    "TIENGDAN_PORT": (None, "port of `tiengdan serve`"),
    "TIENGDAN_BASE_URL": (
        "`http://HOST:PORT`",
        "public URL of the site: links in replies, tracking URLs; `https://` turns HSTS on",
    ),
    "TIENGDAN_DATA_DIR": (
        "`var/` of the checkout",
        "local state: SQLite file, dev VAPID key, media, models",
    ),
    "DATABASE_URL": (
        "SQLite file in the data dir",
        "`postgresql://…` in production (SQLite for the embedded shape)",
    ),
    "TIENGDAN_DB_POOL_SIZE": (None, "connections per process in the SQLAlchemy pool"),
    "TIENGDAN_DB_ECHO": (None, "log every SQL statement (debugging only)"),
    "REDIS_URL": (
        None,
        "Redis for the job queue, rate limits and live events; unset = embedded shape",
    ),
    "TIENGDAN_MODELS_DIR": (
        "`$TIENGDAN_DATA_DIR/models`",
        "classifier artifacts; the active one is `current/`",
    ),
    # --- sessions, limits, intake
    "TIENGDAN_SESSION_HOURS": (None, "staff session lifetime"),
    "TIENGDAN_COOKIE_SECURE": ("true in prod", "session cookie only over HTTPS"),
    "TIENGDAN_RATE_LIMIT_PER_MINUTE": (
        None,
        "per-client limit on public endpoints and login; 0 disables",
    ),
    "TIENGDAN_INTAKE_MAX_BATCH": (None, "group commit: most rows written in one transaction"),
    # --- workers
    "TIENGDAN_IN_PROCESS_WORKER": (
        "true without `REDIS_URL`",
        "run jobs inside the API process (embedded shape)",
    ),
    "TIENGDAN_WORKER_CONCURRENCY": (None, "jobs run at once per worker process"),
    "TIENGDAN_SWEEP_SECONDS": (
        None,
        "how often the sweeper re-finds pending work (0: never, tests)",
    ),
    "TIENGDAN_CLASSIFY_GRACE_SECONDS": (
        None,
        "a case unclassified for this long is re-found by the sweeper",
    ),
    "TIENGDAN_DELIVERY_LEASE_SECONDS": (
        None,
        "a claimed delivery whose worker died is retried after this",
    ),
    # --- dashboards
    "TIENGDAN_OVERDUE_DAYS": (None, "an open case without a due date is overdue after this"),
    "TIENGDAN_YELLOW_OVERDUE_SHARE": (
        None,
        "coverage map: share of overdue cases that turns a commune yellow",
    ),
    "TIENGDAN_RED_OVERDUE_SHARE": (
        None,
        "coverage map: share of overdue cases that turns a commune red",
    ),
    "TIENGDAN_ROLLUP_MINUTES": (
        None,
        "the worker refreshes the daily topic counts (national and province trends) this often",
    ),
    # --- media
    "TIENGDAN_MEDIA_DIR": (
        "`$TIENGDAN_DATA_DIR/media`",
        "photos attached to cases (a shared volume when there are several hosts)",
    ),
    "TIENGDAN_MAX_PHOTO_BYTES": (None, "largest accepted photo"),
    "TIENGDAN_MAX_PHOTOS_PER_CASE": (None, "photos per case"),
    "TIENGDAN_MEDIA_HOSTS": (
        None,
        "extra hosts (comma-separated) whose image links in channel events are fetched; Zalo's and Meta's CDNs always are",
    ),
    # --- Web Push
    "TIENGDAN_PUSH_ENABLED": (
        None,
        "Web Push to staff and volunteers; `false` lets prod start without a VAPID key",
    ),
    "TIENGDAN_VAPID_PRIVATE_KEY": (
        None,
        "VAPID private key (`tiengdan vapid-keys`); required in prod when push is on",
    ),
    "TIENGDAN_VAPID_SUBJECT": (
        None,
        "`mailto:` or `https:` contact sent to push services; required in prod",
    ),
    "TIENGDAN_PUSH_HOSTS": (
        None,
        "extra push-service hosts (comma-separated) besides the known ones",
    ),
    "TIENGDAN_PUSH_TIMEOUT_SECONDS": (None, "timeout of one push request"),
    # --- operations
    "TIENGDAN_LOG_FORMAT": (
        None,
        "`json` (one object a line, request id, contact details masked) or `text`",
    ),
    "TIENGDAN_LOG_LEVEL": (None, "root log level"),
    "TIENGDAN_ACCESS_LOG": (None, "one log line per request (metrics count requests either way)"),
    "TIENGDAN_TRUSTED_PROXIES": (
        None,
        "comma-separated addresses whose X-Forwarded-For/-Proto are believed (uvicorn and HSTS)",
    ),
    "TIENGDAN_HSTS": (
        "true when `TIENGDAN_BASE_URL` is https",
        "send Strict-Transport-Security on every answer (else only over TLS)",
    ),
    "PROMETHEUS_MULTIPROC_DIR": (
        None,
        "directory shared by the processes of a host: /metrics adds them up (read by prometheus_client too)",
    ),
    "TIENGDAN_WORKER_METRICS_PORT": (
        None,
        "`tiengdan worker` serves /metrics on this port; 0 = off",
    ),
    # --- Zalo OA
    "TIENGDAN_ZALO_APP_ID": (None, "Zalo app id; setting it turns the Zalo channel on"),
    "TIENGDAN_ZALO_OA_SECRET_KEY": (
        None,
        "OA secret key: verifies webhook signatures (required with Zalo)",
    ),
    "TIENGDAN_ZALO_APP_SECRET_KEY": (
        None,
        "app secret: authenticates token refreshes (required with Zalo)",
    ),
    "TIENGDAN_ZALO_COMMUNE": (None, "5-digit commune code that owns the OA (required with Zalo)"),
    "TIENGDAN_ZALO_API_URL": (None, "Zalo OpenAPI base URL (tests point it at a local fake)"),
    "TIENGDAN_ZALO_OAUTH_URL": (None, "Zalo OAuth base URL"),
    "TIENGDAN_ZALO_REFRESH_TOKEN": (
        None,
        "first refresh token from the admin's consent; used once, then tokens live in the database",
    ),
    # --- Messenger
    "TIENGDAN_MESSENGER_PAGE_ID": (None, "Facebook Page id; setting it turns Messenger on"),
    "TIENGDAN_MESSENGER_PAGE_TOKEN": (None, "Page access token (required with Messenger)"),
    "TIENGDAN_MESSENGER_APP_SECRET": (
        None,
        "app secret: verifies X-Hub-Signature-256 (required with Messenger)",
    ),
    "TIENGDAN_MESSENGER_VERIFY_TOKEN": (
        None,
        "our string for the webhook GET handshake (required with Messenger)",
    ),
    "TIENGDAN_MESSENGER_COMMUNE": (
        None,
        "5-digit commune code that owns the Page (required with Messenger)",
    ),
    "TIENGDAN_MESSENGER_GRAPH_URL": (None, "Graph API base URL"),
    "TIENGDAN_MESSENGER_API_VERSION": (None, "Graph API version"),
    "TIENGDAN_MESSENGER_HUMAN_AGENT": (
        None,
        "send replies outside 24 h with the HUMAN_AGENT tag (needs Meta's approval)",
    ),
    # --- e-mail
    "TIENGDAN_EMAIL_DOMAIN": (
        None,
        "our mail domain (Message-IDs, reply+TOKEN@ addresses); setting it turns e-mail on",
    ),
    "TIENGDAN_EMAIL_FROM": ("`gopy@$TIENGDAN_EMAIL_DOMAIN`", "From address of replies"),
    "TIENGDAN_EMAIL_COMMUNE": (
        None,
        "5-digit commune code that owns the mailbox (required with e-mail)",
    ),
    "TIENGDAN_EMAIL_RECEIVER": ("true in the embedded shape", "run the built-in SMTP receiver"),
    "TIENGDAN_EMAIL_RECEIVER_HOST": (None, "address of the built-in SMTP receiver"),
    "TIENGDAN_EMAIL_RECEIVER_PORT": (None, "port of the built-in SMTP receiver"),
    "TIENGDAN_SMTP_HOST": (None, "outgoing SMTP relay; unset = this deployment only receives mail"),
    "TIENGDAN_SMTP_PORT": (None, "SMTP relay port"),
    "TIENGDAN_SMTP_USER": (None, "SMTP login"),
    "TIENGDAN_SMTP_PASSWORD": (None, "SMTP password"),
    "TIENGDAN_SMTP_TLS": (None, "`auto`, `starttls`, `tls` or `none`"),
    "TIENGDAN_IMAP_HOST": (None, "IMAP mailbox to poll instead of (or besides) the SMTP receiver"),
    "TIENGDAN_IMAP_USER": (None, "IMAP login (required with IMAP)"),
    "TIENGDAN_IMAP_PASSWORD": (None, "IMAP password (required with IMAP)"),
    "TIENGDAN_IMAP_PORT": (None, "IMAP port"),
    "TIENGDAN_IMAP_MAILBOX": (None, "IMAP folder"),
    "TIENGDAN_IMAP_SSL": (None, "IMAP over TLS"),
    "TIENGDAN_IMAP_INTERVAL": (None, "seconds between IMAP polls"),
}


def _literal(node: ast.expr) -> object:
    """The value of a constant expression (`2 * 1024 * 1024` too), or raise ValueError."""
    for sub in ast.walk(node):
        if not isinstance(sub, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)):
            raise ValueError("not a literal")
    return eval(compile(ast.Expression(node), "<default>", "eval"), {"__builtins__": {}})  # noqa: S307 - constants only, checked above


def _shown(value: object) -> str:
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return "(empty)"
    return f"`{value}`"


def variables_in(path: Path) -> dict[str, str | None]:
    """Each variable read in `path` and its literal default (UNSET, or None when computed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if not ENV_NAME.match(node.value):
            continue
        parent = parents.get(node)
        default: str | None = UNSET
        if isinstance(parent, ast.Call) and node in parent.args:
            following = parent.args[parent.args.index(node) + 1 :]
            if following:
                try:
                    default = _shown(_literal(following[0]))
                except ValueError:
                    default = None
            grand = parents.get(parent)
            if isinstance(grand, ast.BoolOp) and isinstance(grand.op, ast.Or):
                try:
                    default = _shown(_literal(grand.values[-1]))
                except ValueError:
                    default = None
        if found.get(node.value, UNSET) == UNSET:
            found[node.value] = default
    return found


def code_variables() -> dict[str, str | None]:
    merged: dict[str, str | None] = {}
    for path in SOURCES:
        for name, default in variables_in(path).items():
            if merged.get(name, UNSET) == UNSET:
                merged[name] = default
    return merged


def render_table() -> str:
    """The markdown table; raises SystemExit naming any variable without a meaning."""
    variables = code_variables()
    missing = sorted(set(variables) - set(MEANINGS))
    if missing:
        raise SystemExit(f"add these to MEANINGS in docs/tools/settings_table.py: {missing}")
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, (computed, meaning) in MEANINGS.items():
        if name not in variables:
            continue  # documented ahead of the code, or removed from it
        literal = variables[name]
        default = computed if computed is not None else literal
        if default is None:
            raise SystemExit(f"{name}: its default is computed; describe it in MEANINGS")
        rows.append(f"| `{name}` | {default if default != UNSET else 'unset'} | {meaning} |")
    return "\n".join(rows)


def documented_table(doc: str) -> str:
    start, end = doc.index(START) + len(START), doc.index(END)
    return doc[start:end].strip()


def main() -> int:
    doc = DOC.read_text(encoding="utf-8")
    table = render_table()
    if "--check" in sys.argv:
        if documented_table(doc) != table:
            print("docs/operations.md: the settings table is stale; run", __file__)
            return 1
        return 0
    start, end = doc.index(START) + len(START), doc.index(END)
    DOC.write_text(doc[:start] + "\n" + table + "\n" + doc[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
