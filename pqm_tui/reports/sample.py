"""Synthetic inspections for report tests and ``bench/pdf.py`` (large documents).

Builds, in an empty database, one project with ``areas`` areas and a
checklist of ``items`` items, walks it with every ``fail_every``-th answer a
failure (with a note of ``note_chars`` characters and ``photos`` photos
spread over the failures), adds hostile-looking notes if asked, and signs it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import checklists, inspections, notes, organisation
from pqm_tui.model.checklist_file import parse_checklist
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import AreaType, InspectionKind, NoteKind, ProjectKind, Result
from pqm_tui.paths import media_dir
from pqm_tui.services.signoff import sign_off

NOTE = "地面有污渍，垃圾未及时清运，消防通道堆放杂物，值班人员未按规定着装。"


@dataclass(frozen=True)
class SampleInspection:
    inspection_id: str
    failed: int
    photos: int


def checklist_yaml(items: int, sections: int = 10) -> str:
    sections = min(sections, items)
    per = max(items // sections, 1)
    lines = ["name: 大型测试检查表", "description: 合成数据", "sections:"]
    n = 0
    base, extra = divmod(10000, items)  # hundredths of a point; the total must be 100
    for s in range(sections):
        lines += [f"  - code: S{s:02d}", f"    name: 测试板块{s + 1}", "    department: 环境部"]
        lines.append("    items:")
        count = per if s < sections - 1 else items - n
        for _ in range(count):
            n += 1
            cents = base + (1 if n <= extra else 0)
            lines += [
                f"      - code: T-{n:04d}",
                f"        standard: 第{n}项标准：公共区域地面干净、无杂物、无积水，设施完好。",
                f"        points: {cents / 100}",
                f"        per_occurrence: {cents / 100}",
            ]
    return "\n".join(lines) + "\n"


def build_sample(
    db: Database,
    db_path: Path,
    clock: Clock,
    settings: Settings,
    *,
    items: int = 500,
    areas: int = 1,
    fail_every: int = 5,
    note_chars: int = 40,
    photos: int = 0,
    hostile: tuple[str, ...] = (),
    sign: bool = True,
) -> SampleInspection:
    """Create and (by default) sign one synthetic inspection; return its id and counts."""
    spec = parse_checklist(checklist_yaml(items), "sample.yaml")
    version, _ = checklists.import_spec(db, spec, clock)
    company = organisation.add_company(db, "锦程物业服务有限公司")
    city = organisation.add_city_company(db, company.id, "成都城市公司")
    project = organisation.add_project(
        db, city.id, "测试项目", ProjectKind.RESIDENTIAL, "测试路 1 号"
    )
    area_ids = [
        organisation.add_area(db, project.id, f"区域{a + 1}", AreaType.PUBLIC, a).id
        for a in range(areas)
    ]
    inspector = organisation.add_person(db, "王丽华", "品质督导")
    organisation.add_person(db, "张伟", "项目经理", project_id=project.id)
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.MONTHLY, version.id, [inspector.id]
    )
    content = checklists.load_version(db, version.id)
    note = (NOTE * (note_chars // len(NOTE) + 1))[:note_chars]
    failed_ids = []
    with db.atomic():
        for area_id in area_ids:
            for n, item in enumerate(content.items):
                if fail_every and n % fail_every == 0:
                    finding, _ = inspections.record_finding(
                        db,
                        clock,
                        inspection.id,
                        item.id,
                        area_id,
                        Result.FAIL,
                        occurrences=1,
                        deduction=item.per_occurrence,
                        note=note,
                        department="环境部",
                        responsible_person="李强",
                    )
                    failed_ids.append(finding.id)
                else:
                    result = Result.NA if n % 37 == 1 else Result.PASS
                    inspections.record_finding(db, clock, inspection.id, item.id, area_id, result)
    store = media_dir(db_path)
    store.mkdir(parents=True, exist_ok=True)
    for p in range(photos):
        image = store / f"photo-{p:03d}.jpg"
        _make_photo(image, p)
        target = failed_ids[p % len(failed_ids)]
        digest = hashlib.sha256(image.read_bytes()).hexdigest()
        stored = f"{store.name}/{image.name}"  # relative to the database's folder, as the walk
        inspections.add_photo(db, clock, target, digest, image.name, stored)
    for text in hostile:
        notes.add_note(db, clock, inspection.id, area_ids[0], NoteKind.INCIDENT, text)
    inspections.mark_completed(db, clock, inspection.id)
    if sign:
        sign_off(
            db,
            clock,
            settings,
            inspection.id,
            receiver_name="张伟",
            receiver_role="项目经理",
            actor=inspector.id,  # its inspector signs
        )
    return SampleInspection(inspection.id, len(failed_ids), photos)


def _make_photo(path: Path, seed: int) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (2400, 1800), (40 + seed * 7 % 200, 90 + seed % 50, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 300, 2100, 1500), outline=(255, 255, 255), width=30)
    image.save(path, "JPEG", quality=80)
