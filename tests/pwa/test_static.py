"""Static checks of the PWA's files: shell stamp, manifest and icons, locales, guides, one api.js."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import pytest

from backend.db.models import CaseStatus, Role
from backend.db.models.deliveries import DeliveryState
from classifiers.labels import KINDS, TOPICS

PWA = Path(__file__).resolve().parents[2] / "pwa"
LOCALES = ("vi", "en")


def stamp_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pwa_stamp", PWA / "tools" / "stamp.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def locale(lang: str) -> dict[str, str]:
    return dict(json.loads((PWA / "locales" / f"{lang}.json").read_text(encoding="utf-8")))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_service_worker_precaches_the_current_shell() -> None:
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    assert stamp_tool().stamped(source) == source, (
        "sw.js is stale: run .venv/bin/python pwa/tools/stamp.py"
    )


def test_shell_version_changes_with_any_shell_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    tool = stamp_tool()
    monkeypatch.setattr(tool, "PWA", copy)
    before = tool.version(tool.shell_files())
    (copy / "css" / "app.css").write_text("main { margin: 0; }\n")
    assert tool.version(tool.shell_files()) != before
    assert "/tools/stamp.py" not in tool.shell_files() and "/sw.js" not in tool.shell_files()


def test_stamp_refuses_a_service_worker_without_markers() -> None:
    with pytest.raises(SystemExit, match="stamp"):
        stamp_tool().stamped("self.addEventListener('fetch', () => {});\n")


def test_manifest_declares_a_vietnamese_standalone_app_with_real_icons() -> None:
    manifest: dict[str, Any] = json.loads(
        (PWA / "manifest.webmanifest").read_text(encoding="utf-8")
    )
    assert (manifest["name"], manifest["lang"], manifest["display"]) == (
        "Tiếng Dân",
        "vi",
        "standalone",
    )
    assert manifest["start_url"].startswith(manifest["scope"])
    purposes = set()
    for icon in manifest["icons"]:
        width, height = png_size(PWA / icon["src"].lstrip("/"))
        assert f"{width}x{height}" == icon["sizes"], icon["src"]
        purposes.add((icon["purpose"], icon["sizes"]))
    assert {
        ("any", "192x192"),
        ("any", "512x512"),
        ("maskable", "192x192"),
        ("maskable", "512x512"),
    } <= purposes


def test_every_page_is_vietnamese_first_and_links_the_manifest_and_its_script() -> None:
    pages = sorted(PWA.glob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<html lang="vi">' in html, page.name
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html, page.name
        [script] = re.findall(r'<script type="module" src="(/js/pages/[\w-]+\.js)">', html)
        assert (PWA / script.lstrip("/")).is_file(), script


def test_locales_have_the_same_keys_and_no_empty_text() -> None:
    vi, en = locale("vi"), locale("en")
    assert vi.keys() == en.keys()
    assert [k for k, v in {**vi, **en}.items() if not v.strip()] == []


def used_keys() -> set[str]:
    """Locale keys named in the HTML (data-i18n*) and as string literals in the scripts."""
    prefixes = {key.split(".")[0] for key in locale("vi")}
    keys = set()
    for html in PWA.glob("*.html"):
        keys |= set(
            re.findall(
                r'data-i18n(?:-placeholder|-label)?="([\w.]+)"', html.read_text(encoding="utf-8")
            )
        )
    for script in PWA.rglob("*.js"):
        for literal in re.findall(r'"([a-z]+\.[a-z_]+)"', script.read_text(encoding="utf-8")):
            if literal.split(".")[0] in prefixes:
                keys.add(literal)
    return keys


def test_every_key_the_pages_use_has_text() -> None:
    vi = locale("vi")
    keys = used_keys()
    assert len(keys) > 150
    assert sorted(keys - vi.keys()) == []


def test_locales_name_every_value_the_backend_can_return() -> None:
    """Status, topic, kind, role and delivery codes come from the API; each needs vi and en text."""
    codes = {
        "status": [s.value for s in CaseStatus],
        "topic": list(TOPICS),
        "kind": list(KINDS),
        "role": [r.value for r in Role],
        "delivery": [d.value for d in DeliveryState],
    }
    for lang in LOCALES:
        text = locale(lang)
        missing = [
            f"{prefix}.{code}"
            for prefix, values in codes.items()
            for code in values
            if f"{prefix}.{code}" not in text
        ]
        assert missing == [], lang


def test_guides_index_lists_every_guide_and_each_is_a_bilingual_checklist() -> None:
    index = json.loads((PWA / "guides" / "index.json").read_text(encoding="utf-8"))["guides"]
    files = {p.stem for p in (PWA / "guides").glob("*.json")} - {"index"}
    assert sorted(index) == sorted(files) and len(index) >= 4
    for guide_id in index:
        guide = json.loads((PWA / "guides" / f"{guide_id}.json").read_text(encoding="utf-8"))
        assert guide["id"] == guide_id and re.fullmatch(r"[a-z0-9-]+", guide_id)
        for field in ("title", "summary"):
            assert guide[field]["vi"].strip() and guide[field]["en"].strip(), (guide_id, field)
        assert len(guide["steps"]) >= 4, guide_id
        for step in guide["steps"]:
            assert all(
                step[part][lang].strip() for part in ("title", "text") for lang in LOCALES
            ), guide_id
        for link in guide["links"]:
            url = urlparse(link["url"])
            assert url.scheme == "https" and url.hostname and url.hostname.endswith(".gov.vn"), link


def test_required_guides_are_present() -> None:
    index = json.loads((PWA / "guides" / "index.json").read_text(encoding="utf-8"))["guides"]
    assert {"vneid-level2", "dichvucong-dossier", "online-fee-payment", "bhyt-renewal"} <= set(
        index
    )


def test_only_api_js_knows_backend_urls() -> None:
    offenders = [
        str(p.relative_to(PWA))
        for p in PWA.rglob("*.js")
        if p.name != "api.js" and "/api/" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def js_list(source: str, name: str) -> list[str]:
    match = re.search(rf"export const {name} = \[(.*?)\];", source, re.DOTALL)
    assert match, name
    return re.findall(r'"([a-z_]+)"', match.group(1))


def test_staff_code_lists_match_the_backend() -> None:
    source = (PWA / "js" / "staff.js").read_text(encoding="utf-8")
    assert js_list(source, "STATUSES") == [s.value for s in CaseStatus]
    assert js_list(source, "TOPICS") == list(TOPICS)
    assert js_list(source, "KINDS") == list(KINDS)
