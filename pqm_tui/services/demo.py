"""Demo data (演示数据): one company, its projects, people, inspections and rectifications.

Deterministic for a given seed and "today": names, answers and states come
from a seeded random generator; dates are relative to today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import checklists, inspections, notes, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import (
    AreaType,
    Finding,
    InspectionKind,
    NoteKind,
    ProjectKind,
    Result,
)
from pqm_tui.services import demo_rectification
from pqm_tui.services.pins import hash_pin
from pqm_tui.services.scoring import remaining_cap, rule_deduction
from pqm_tui.services.signoff import sign_off
from pqm_tui.services.walk_plan import build_plan

A = AreaType
PROJECTS: list[tuple[str, str, ProjectKind, str, list[tuple[str, AreaType]]]] = [
    (
        "成都城市公司",
        "锦程·天府花园",
        ProjectKind.RESIDENTIAL,
        "成都市高新区天府大道中段 888 号",
        [
            ("南大门岗亭", A.GATE),
            ("1 栋大堂", A.LOBBY),
            ("1 栋电梯", A.LIFT),
            ("3 栋标准层楼道", A.CORRIDOR),
            ("地下停车场 B1", A.CAR_PARK),
            ("配电房及水泵房", A.PLANT_ROOM),
            ("消防监控中心", A.FIRE_CONTROL),
            ("中心景观绿地", A.GREEN),
            ("客服中心", A.SERVICE_CENTER),
            ("项目办公室", A.OFFICE),
            ("物资仓库", A.WAREHOUSE),
            ("小区主干道及中心广场", A.PUBLIC),
        ],
    ),
    (
        "成都城市公司",
        "锦程国际中心",
        ProjectKind.OFFICE,
        "成都市锦江区红星路三段 16 号",
        [
            ("一层大堂", A.LOBBY),
            ("客梯厅及轿厢", A.LIFT),
            ("18 层公共走道", A.CORRIDOR),
            ("公共卫生间", A.RESTROOM),
            ("地下车库", A.CAR_PARK),
            ("空调机房", A.PLANT_ROOM),
            ("消防控制室", A.FIRE_CONTROL),
            ("物业服务中心", A.SERVICE_CENTER),
            ("管理处办公室", A.OFFICE),
            ("大厦前广场", A.PUBLIC),
        ],
    ),
    (
        "重庆城市公司",
        "锦程·云璟营销中心",
        ProjectKind.SALES_SITE,
        "重庆市渝北区金开大道 99 号",
        [
            ("营销中心入口", A.GATE),
            ("销售大厅", A.SALES_HALL),
            ("洽谈区", A.SALES_HALL),
            ("样板房 A 户型", A.SHOW_FLAT),
            ("访客卫生间", A.RESTROOM),
            ("访客停车场", A.CAR_PARK),
            ("案场办公室", A.OFFICE),
        ],
    ),
    (
        "重庆城市公司",
        "锦程·滨江壹号",
        ProjectKind.RESIDENTIAL,
        "重庆市江北区北滨一路 1 号",
        [
            ("主入口岗亭", A.GATE),
            ("小区周界", A.PERIMETER),
            ("2 栋大堂", A.LOBBY),
            ("2 栋电梯", A.LIFT),
            ("地下车库", A.CAR_PARK),
            ("生活水泵房", A.PLANT_ROOM),
            ("滨江绿化带", A.GREEN),
            ("客服中心", A.SERVICE_CENTER),
            ("消防监控室", A.FIRE_CONTROL),
            ("滨江步道及广场", A.PUBLIC),
        ],
    ),
]

DEMO_PIN = "1234"  # every demo person's sign-off PIN (签字密码), so the demo can sign
INSPECTORS = [
    ("王丽华", "品质督导"),
    ("陈志强", "品管小组组长"),
    ("刘芳", "品质专员"),
    ("黄建国", "品质部经理"),  # first-level appeals (申诉初审)
]
ADMINISTRATOR = "徐静"  # 系统管理员: the organisation, PINs and keys
GENERAL_MANAGERS = {"成都城市公司": "胡志远", "重庆城市公司": "杨光明"}  # 城市总经理: final appeals
PROJECT_STAFF = [
    ("项目经理", "综合办"),
    ("客服主管", "客服部"),
    ("秩序主管", "秩序部"),
    ("环境主管", "环境部"),
    ("工程主管", "工程部"),
]
SALES_STAFF = [("案场经理", "案场"), ("案场主管", "案场"), ("秩序主管", "秩序部")]
SURNAMES = "张李赵孙周吴郑冯何罗高林郭马梁宋唐许邓韩曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国红梅志明海燕晓东春林玉兰子豪雨欣浩然思远佳怡宇航诗涵"  # noqa: E501

FAIL_NOTES = [
    "地面有明显污渍和烟头 {n} 处，未及时清理。",
    "消防通道堆放杂物，影响疏散。",
    "值班人员未按规定着装，未佩戴工牌。",
    "设备运行记录未按时填写，缺 {n} 天记录。",
    "灯具损坏 {n} 盏，未报修。",
    "绿化带内有枯枝和垃圾，修剪不及时。",
    "访客登记信息不全，未核实身份。",
    "电梯轿厢内有广告残胶和划痕。",
    "标识牌脱落，未及时修复。",
    "接待人员未使用标准问候语，客户等候超过 15 分钟。",
    "垃圾桶满溢，周边有异味。",
    "巡更记录与实际巡查时间不符。",
]
NOTE_TEXTS = [
    (NoteKind.DIFFICULTY, "保洁人员缺编 2 人，项目反映招聘困难。"),
    (NoteKind.INCIDENT, "夜间 23:10 发现单元门禁故障，值班人员已现场处置。"),
    (NoteKind.COMPLAINT, "业主反映车库照明不足，已转工程部跟进。"),
    (NoteKind.SUGGESTION, "建议在大堂增设雨伞架，雨天减少地面湿滑。"),
    (NoteKind.GOOD_PRACTICE, "客服中心推行首问负责制，业主满意度明显提升。"),
]

# (days ago, project index, kind, inspector indexes, checklist index, state)
# state: signed / completed / draft. Checklist index: 0 property, 1 reception, 2 8S.
PLAN = [
    (88, 0, InspectionKind.MONTHLY, [0, 2], 0, "signed"),
    (86, 2, InspectionKind.MONTHLY, [1], 1, "signed"),
    (75, 1, InspectionKind.MONTHLY, [0], 0, "signed"),
    (72, 3, InspectionKind.SELF, [2], 0, "signed"),
    (60, 0, InspectionKind.NIGHT, [1], 0, "signed"),
    (57, 2, InspectionKind.MYSTERY, [2], 1, "signed"),
    (45, 1, InspectionKind.CROSS, [0, 1], 0, "signed"),
    (41, 3, InspectionKind.MONTHLY, [0], 0, "signed"),
    (30, 2, InspectionKind.SPECIAL, [1], 2, "signed"),
    (20, 0, InspectionKind.MONTHLY, [0, 2], 0, "signed"),
    (12, 1, InspectionKind.SELF, [2], 0, "signed"),
    (9, 3, InspectionKind.MONTHLY, [1], 0, "signed"),
    (5, 2, InspectionKind.MONTHLY, [0], 2, "signed"),
    (2, 1, InspectionKind.MONTHLY, [1], 0, "completed"),
    (0, 0, InspectionKind.MONTHLY, [0], 0, "draft"),
]

HASTY_WALK = 10  # this self-check was ticked through at ~1.5 s an answer: the summary flags it
WALK_MINUTES = 100  # a whole walk's answers are spread over this time


@dataclass(frozen=True)
class DemoSummary:
    projects: int
    inspections: int
    findings: int
    rectification_items: int


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = {n for n, _ in INSPECTORS} | {ADMINISTRATOR}
        self.used |= set(GENERAL_MANAGERS.values())

    def next(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            if name not in self.used:
                self.used.add(name)
                return name


def seed_demo(db: Database, clock: Clock, settings: Settings, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo company; all in one transaction."""
    rng = random.Random(seed)
    names = _Names(rng)
    today = clock.today()
    with db.atomic():
        versions = checklists.install_builtins(db, clock)
        admin = organisation.add_person(db, ADMINISTRATOR, "系统管理员")
        demo_rectification.act_as(db, admin.id)  # the administrator enters the organisation
        company = organisation.add_company(db, "锦程物业服务有限公司")
        quality = organisation.add_department(db, "品质管理部")
        inspector_ids = [
            organisation.add_person(db, name, role, quality.id).id for name, role in INSPECTORS
        ]
        cities: dict[str, str] = {}
        projects = []
        for city_name, name, kind, address, areas in PROJECTS:
            if city_name not in cities:
                cities[city_name] = organisation.add_city_company(db, company.id, city_name).id
                organisation.add_person(
                    db, GENERAL_MANAGERS[city_name], "城市总经理", city_company_id=cities[city_name]
                )
            project = organisation.add_project(db, cities[city_name], name, kind, address)
            for pos, (area_name, area_type) in enumerate(areas):
                organisation.add_area(db, project.id, area_name, area_type, pos)
            staff = SALES_STAFF if kind == ProjectKind.SALES_SITE else PROJECT_STAFF
            departments: dict[str, str] = {}
            for role, dept in staff:
                if dept not in departments:
                    departments[dept] = organisation.add_department(db, dept, project.id).id
                organisation.add_person(db, names.next(), role, departments[dept], project.id)
            projects.append(project)
        # one scrypt hash (~25 ms) shared by all: a salt each would cost ~0.5 s of seeding
        demo_pin_hash = hash_pin(DEMO_PIN)
        for person in organisation.list_people(db):
            organisation.set_person_pin(db, person.id, demo_pin_hash)

        finding_count = 0
        for index, (days_ago, p_index, inspection_kind, who, c_index, state) in enumerate(PLAN):
            project = projects[p_index]
            day = today - timedelta(days=days_ago)
            start = datetime.combine(
                day, time(9 + rng.randint(0, 4), rng.choice((0, 15, 30))), tzinfo=clock.tz
            )
            if inspection_kind == InspectionKind.NIGHT:
                start = start.replace(hour=22)
            start = min(start, clock.now() - timedelta(hours=1))  # today's draft: not in the future
            at = demo_rectification.clock_at(clock, start)
            demo_rectification.act_as(db, inspector_ids[who[0]])
            inspection = inspections.create_inspection(
                db,
                at,
                project.id,
                inspection_kind,
                versions[c_index].id,
                [inspector_ids[i] for i in who],
                start.isoformat(timespec="milliseconds"),
            )
            finding_count += _walk(
                db,
                rng,
                at,
                inspection.id,
                project.id,
                versions[c_index].id,
                partial=state == "draft",
                hasty=index == HASTY_WALK,
            )
            for area in organisation.list_areas(db, project.id)[:2]:
                note_kind, text = rng.choice(NOTE_TEXTS)
                notes.add_note(db, at, inspection.id, area.id, note_kind, text)
            finish = demo_rectification.clock_at(
                clock, start + timedelta(hours=2, minutes=rng.randint(0, 50))
            )
            if state in ("completed", "signed"):
                inspections.mark_completed(db, finish, inspection.id)
            if state == "signed":
                manager = organisation.list_people(db, project.id)[0]
                sign_off(
                    db,
                    finish,
                    settings,
                    inspection.id,
                    receiver_name=manager.name,
                    receiver_role=manager.role,
                    actor=inspector_ids[who[0]],
                )
                demo_rectification.advance(
                    db, rng, settings, finish, inspection.id, days_ago, inspector_ids[who[0]]
                )
        rect_count = db["rectification_items"].count
    return DemoSummary(len(projects), db.table("inspections").count, finding_count, rect_count)


def _walk(
    db: Database,
    rng: random.Random,
    walk_clock: Clock,
    inspection_id: str,
    project_id: str,
    version_id: str,
    *,
    partial: bool,
    hasty: bool = False,
) -> int:
    content = checklists.load_version(db, version_id)
    plan = build_plan(content, organisation.list_areas(db, project_id))
    sections = {s.id: s for s in content.sections}
    pairs = plan.pairs[: len(plan.pairs) // 3] if partial else plan.pairs
    items = {i.id: i for i in content.items}
    recorded: list[Finding] = []
    start, elapsed = walk_clock.now(), 0.0
    step = 1.5 if hasty else WALK_MINUTES * 60 / max(len(plan.pairs), 1)
    timing = random.Random(len(pairs))  # its own: the rest of the demo stays as it was
    for area_id, item_id in pairs:
        elapsed += step * timing.uniform(0.5, 1.5)  # answers come one by one, as on site
        clock = demo_rectification.clock_at(walk_clock, start + timedelta(seconds=elapsed))
        item = items[item_id]
        roll = rng.random()
        if roll < 0.05:
            occurrences = rng.randint(1, 3)
            cap = remaining_cap(item, recorded, area_id)
            deduction = min(rule_deduction(item, occurrences), cap)
            finding, _ = inspections.record_finding(
                db,
                clock,
                inspection_id,
                item_id,
                area_id,
                Result.FAIL,
                occurrences=occurrences,
                deduction=deduction,
                note=rng.choice(FAIL_NOTES).format(n=occurrences),
                severity=item.severity,
                department=sections[item.section_id].department,
            )
        elif roll < 0.09:
            finding, _ = inspections.record_finding(
                db, clock, inspection_id, item_id, area_id, Result.NA, deduction=Decimal(0)
            )
        else:
            finding, _ = inspections.record_finding(
                db, clock, inspection_id, item_id, area_id, Result.PASS
            )
        recorded.append(finding)
    return len(recorded)
