"""Demo data for the embedded shape: accounts in two communes of Hà Nội and a few real-looking cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from backend.accounts.service import AccountService
from backend.communes.reference import communes
from backend.db.engine import create_engine, create_session_factory
from backend.db.models import Role, User
from backend.feedback.store import NewCase, case_store
from backend.jobs.context import JobContext
from backend.settings import Settings
from backend.text import fold, new_tracking_code

DEMO_PASSWORD = "demo-2026-tiengdan"  # noqa: S105 - documented demo password, dev shape only
HOAN_KIEM, BA_DINH = "00070", "00004"

DEMO_USERS = [
    ("admin", Role.ADMIN, "Quản trị hệ thống", None, []),
    ("hanoi", Role.PROVINCE_STAFF, "MTTQ thành phố Hà Nội", "01", []),
    ("hoankiem", Role.COMMUNE_STAFF, "Cán bộ phường Hoàn Kiếm", None, [HOAN_KIEM]),
    ("badinh", Role.COMMUNE_STAFF, "Cán bộ phường Ba Đình", None, [BA_DINH]),
    ("tinhnguyen", Role.VOLUNTEER, "Tổ công nghệ số cộng đồng", None, [HOAN_KIEM]),
]

DEMO_CASES = [
    (HOAN_KIEM, "Cống thoát nước đầu ngõ 12 Hàng Bạc bị tắc, mưa xuống là nước tràn vào nhà dân."),
    (HOAN_KIEM, "cong ngo 12 hang bac lai tac r, nuoc ngap toi mat ca chan, mn oi"),
    (HOAN_KIEM, "Đèn đường phố Hàng Gai tắt mấy hôm nay, tối đi lại rất nguy hiểm."),
    (HOAN_KIEM, "Quán karaoke trên phố Hàng Bè hát đến 1 giờ sáng, đề nghị phường kiểm tra."),
    (HOAN_KIEM, "Cho em hỏi làm lại căn cước công dân bị mất thì nộp hồ sơ ở đâu ạ?"),
    (
        HOAN_KIEM,
        "Tài khoản VNeID mức 2 của tôi không đăng nhập được dịch vụ công, báo lỗi liên tục.",
    ),
    (HOAN_KIEM, "Rác tập kết ở góc phố Hàng Mắm không được thu gom 3 ngày nay, bốc mùi hôi."),
    (BA_DINH, "Vỉa hè phố Đội Cấn bị các quán lấn chiếm hết, người đi bộ phải xuống lòng đường."),
    (
        BA_DINH,
        "Kính gửi UBND phường Ba Đình, đề nghị xem xét sửa mặt đường ngõ 34 Vĩnh Phúc bị sụt lún.",
    ),
    (
        BA_DINH,
        "Tôi xin cảm ơn cán bộ một cửa phường đã hướng dẫn tận tình thủ tục khai sinh cho con.",
    ),
    (BA_DINH, "bhyt cua me em het han r, gia han online dc ko a"),
    (BA_DINH, "Nước máy khu tập thể Giảng Võ mấy hôm nay bị đục, có mùi clo rất nặng."),
]


async def load_demo(settings: Settings) -> str:
    """Create the demo accounts and cases once; running it again changes nothing."""
    if settings.env == "prod":
        raise SystemExit("demo data is for the dev shape only")
    engine = create_engine(settings.database)
    try:
        async with create_session_factory(engine)() as session:
            service = AccountService(session, settings.auth, settings.rate_limit)
            made = 0
            for username, role, name, province, commune_codes in DEMO_USERS:
                if (await session.exec(select(User).where(User.username == username))).first():
                    continue
                await service.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    full_name=name,
                    province_code=province,
                    commune_codes=commune_codes,
                )
                made += 1
        start = datetime.now(UTC) - timedelta(days=3)
        items = [
            NewCase(
                source_key=f"demo:{i}",
                channel="web",
                external_id=f"demo-{i}",
                tracking_code=new_tracking_code(),
                commune_code=code,
                province_code=communes()[code].province_code,
                text=text,
                search_text=fold(text),
                received_at=start + timedelta(hours=5 * i),
            )
            for i, (code, text) in enumerate(DEMO_CASES)
        ]
        store = case_store(engine)
        stored = await store.write(items)
        await store.close()
        created = [s.case_id for s in stored if s.created]
    finally:
        await engine.dispose()
    if created:
        await _classify(settings, created)
    return f"demo data: {made} new accounts, {len(created)} new cases (password {DEMO_PASSWORD})"


async def _classify(settings: Settings, case_ids: list[int]) -> None:
    from backend.resources import build_job_context

    class _NoQueue:
        async def wake(self, job: str, **kwargs: object) -> None:
            return None

    ctx: JobContext = build_job_context(settings, _NoQueue())
    try:
        await ctx.classifier.classify(ctx, case_ids)
    finally:
        await ctx.engine.dispose()
