"""The SQLite schema, created and migrated by code (sqlite-utils ``Migrations``).

The schema version is the number of applied migrations (also kept in
``PRAGMA user_version``). Triggers enforce what must never happen whatever
code writes: findings of a signed inspection cannot change, a signed
inspection cannot change, the audit log and amendments are append-only.
Every change to an audited table is logged by triggers, with the actor
taken from the connection's ``pqm_actor()`` function; since m010 each audit
row is chained to the previous one by ``pqm_sha256()`` (审计链), and signed
inspections are sealed (``inspection_seals``). Both functions are registered
by ``db.register_functions``.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from pqm_tui.model.errors import LOCKED

migrations = Migrations("pqm")

# LOCKED: the prefix of every trigger refusal, recognised by the repository (model/errors.py)

AUDITED_TABLES = (
    "projects",
    "areas",
    "people",
    "inspections",
    "inspection_inspectors",
    "findings",
    "photos",
    "notices",
    "rectification_items",
    "supervision_notes",
)


def _run(db: Database, statements: list[str]) -> None:
    for sql in statements:
        db.execute(sql)


@migrations()
def m001_core(db: Database) -> None:
    """Organisation, checklists, inspections, findings, photos."""
    _run(
        db,
        [
            "CREATE TABLE companies (id TEXT PRIMARY KEY, name TEXT NOT NULL)",
            """CREATE TABLE city_companies (
                id TEXT PRIMARY KEY,
                company_id TEXT NOT NULL REFERENCES companies(id),
                name TEXT NOT NULL)""",
            """CREATE TABLE projects (
                id TEXT PRIMARY KEY,
                city_company_id TEXT NOT NULL REFERENCES city_companies(id),
                name TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                address TEXT NOT NULL DEFAULT '')""",
            """CREATE TABLE areas (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                name TEXT NOT NULL,
                area_type TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0)""",
            "CREATE INDEX areas_project ON areas(project_id, position)",
            """CREATE TABLE departments (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                project_id TEXT REFERENCES projects(id))""",
            """CREATE TABLE people (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                department_id TEXT REFERENCES departments(id),
                project_id TEXT REFERENCES projects(id),
                signature_image TEXT,
                pin_hash TEXT)""",
            """CREATE TABLE checklists (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                project_kinds TEXT NOT NULL DEFAULT '[]',
                builtin INTEGER NOT NULL DEFAULT 0)""",
            """CREATE TABLE checklist_versions (
                id TEXT PRIMARY KEY,
                checklist_id TEXT NOT NULL REFERENCES checklists(id),
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                content_sha256 TEXT NOT NULL,
                frozen INTEGER NOT NULL DEFAULT 0,
                source_yaml TEXT NOT NULL,
                UNIQUE (checklist_id, version))""",
            """CREATE TABLE sections (
                id TEXT PRIMARY KEY,
                version_id TEXT NOT NULL REFERENCES checklist_versions(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                department TEXT NOT NULL DEFAULT '',
                area_types TEXT NOT NULL DEFAULT '[]',
                position INTEGER NOT NULL)""",
            "CREATE INDEX sections_version ON sections(version_id, position)",
            """CREATE TABLE items (
                id TEXT PRIMARY KEY,
                section_id TEXT NOT NULL REFERENCES sections(id),
                version_id TEXT NOT NULL REFERENCES checklist_versions(id),
                code TEXT NOT NULL,
                standard TEXT NOT NULL,
                method TEXT NOT NULL DEFAULT '',
                points REAL NOT NULL CHECK (points > 0),
                per_occurrence REAL NOT NULL CHECK (per_occurrence > 0),
                severity TEXT NOT NULL DEFAULT 'normal',
                photo_required INTEGER NOT NULL DEFAULT 0,
                position INTEGER NOT NULL,
                UNIQUE (version_id, code))""",
            "CREATE INDEX items_section ON items(section_id, position)",
            """CREATE TABLE inspections (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                kind TEXT NOT NULL,
                checklist_version_id TEXT NOT NULL REFERENCES checklist_versions(id),
                started_at TEXT NOT NULL,
                finished_at TEXT,
                status TEXT NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'completed', 'signed')),
                signed_at TEXT,
                receiver_name TEXT,
                receiver_role TEXT)""",
            "CREATE INDEX inspections_project ON inspections(project_id, started_at)",
            "CREATE INDEX inspections_status ON inspections(status, started_at)",
            """CREATE TABLE inspection_inspectors (
                inspection_id TEXT NOT NULL REFERENCES inspections(id),
                person_id TEXT NOT NULL REFERENCES people(id),
                position INTEGER NOT NULL DEFAULT 0,
                signed_at TEXT,
                PRIMARY KEY (inspection_id, person_id))""",
            """CREATE TABLE findings (
                id TEXT PRIMARY KEY,
                inspection_id TEXT NOT NULL REFERENCES inspections(id),
                item_id TEXT NOT NULL REFERENCES items(id),
                area_id TEXT NOT NULL REFERENCES areas(id),
                result TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'na')),
                occurrences INTEGER NOT NULL DEFAULT 0 CHECK (occurrences >= 0),
                deduction REAL NOT NULL DEFAULT 0 CHECK (deduction >= 0),
                note TEXT NOT NULL DEFAULT '',
                severity TEXT NOT NULL DEFAULT 'normal',
                department TEXT NOT NULL DEFAULT '',
                responsible_person TEXT NOT NULL DEFAULT '',
                location TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (inspection_id, item_id, area_id))""",
            "CREATE INDEX findings_inspection ON findings(inspection_id)",
            """CREATE TABLE photos (
                id TEXT PRIMARY KEY,
                finding_id TEXT REFERENCES findings(id),
                sha256 TEXT NOT NULL,
                original_name TEXT NOT NULL,
                stored_path TEXT NOT NULL,
                added_at TEXT NOT NULL)""",
            "CREATE INDEX photos_finding ON photos(finding_id)",
        ],
    )


@migrations()
def m002_rectification_and_audit(db: Database) -> None:
    """Notices, rectification items and their events, amendments, notes, audit log."""
    _run(
        db,
        [
            """CREATE TABLE notices (
                id TEXT PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                inspection_id TEXT NOT NULL REFERENCES inspections(id),
                project_id TEXT NOT NULL REFERENCES projects(id),
                sequence INTEGER NOT NULL DEFAULT 1,
                issued_at TEXT NOT NULL,
                issuing_department TEXT NOT NULL DEFAULT '',
                received_at TEXT,
                received_by TEXT)""",
            "CREATE INDEX notices_inspection ON notices(inspection_id)",
            """CREATE TABLE rectification_items (
                id TEXT PRIMARY KEY,
                finding_id TEXT NOT NULL REFERENCES findings(id),
                notice_id TEXT REFERENCES notices(id),
                project_id TEXT NOT NULL REFERENCES projects(id),
                status TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'replied', 'closed', 'voided')),
                escalation_level INTEGER NOT NULL DEFAULT 0,
                deadline TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)""",
            "CREATE INDEX rect_project ON rectification_items(project_id)",
            "CREATE INDEX rect_finding ON rectification_items(finding_id)",
            """CREATE INDEX rect_open_deadline ON rectification_items(deadline)
                WHERE status IN ('open', 'replied')""",
            """CREATE TABLE rectification_events (
                id TEXT PRIMARY KEY,
                item_id TEXT NOT NULL REFERENCES rectification_items(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT,
                reason TEXT NOT NULL DEFAULT '',
                data TEXT NOT NULL DEFAULT '{}')""",
            "CREATE INDEX rect_events_item ON rectification_events(item_id, at)",
            """CREATE TABLE amendments (
                id TEXT PRIMARY KEY,
                inspection_id TEXT NOT NULL REFERENCES inspections(id),
                finding_id TEXT REFERENCES findings(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL CHECK (length(reason) > 0),
                field TEXT NOT NULL,
                old_value TEXT,
                new_value TEXT)""",
            "CREATE INDEX amendments_inspection ON amendments(inspection_id)",
            """CREATE TABLE supervision_notes (
                id TEXT PRIMARY KEY,
                inspection_id TEXT NOT NULL REFERENCES inspections(id),
                area_id TEXT REFERENCES areas(id),
                kind TEXT NOT NULL,
                text TEXT NOT NULL,
                created_at TEXT NOT NULL)""",
            "CREATE INDEX notes_inspection ON supervision_notes(inspection_id)",
            """CREATE TABLE walk_positions (
                inspection_id TEXT PRIMARY KEY REFERENCES inspections(id),
                area_id TEXT,
                item_id TEXT,
                updated_at TEXT NOT NULL)""",
            """CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                actor TEXT NOT NULL,
                table_name TEXT NOT NULL,
                row_id TEXT NOT NULL,
                action TEXT NOT NULL,
                old TEXT,
                new TEXT)""",
            "CREATE INDEX audit_row ON audit_log(table_name, row_id)",
            *_lock_triggers(),
        ],
    )
    for table in AUDITED_TABLES:
        _run(db, _audit_triggers(db, table))


def _lock_triggers() -> list[str]:
    signed = "(SELECT status FROM inspections WHERE id = {ref}.inspection_id) = 'signed'"
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: {{what}}');"
    statements = []
    for event, ref in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        statements.append(
            f"""CREATE TRIGGER findings_locked_{event.lower()} BEFORE {event} ON findings
            WHEN {signed.format(ref=ref)}
            BEGIN {refuse.format(what="findings of a signed inspection cannot change")} END"""
        )
    statements += [
        f"""CREATE TRIGGER inspections_locked_update BEFORE UPDATE ON inspections
        WHEN OLD.status = 'signed'
        BEGIN {refuse.format(what="a signed inspection cannot change")} END""",
        f"""CREATE TRIGGER inspections_locked_delete BEFORE DELETE ON inspections
        WHEN OLD.status = 'signed'
        BEGIN {refuse.format(what="a signed inspection cannot be deleted")} END""",
        f"""CREATE TRIGGER photos_locked_delete BEFORE DELETE ON photos
        WHEN (SELECT i.status FROM findings f JOIN inspections i ON i.id = f.inspection_id
              WHERE f.id = OLD.finding_id) = 'signed'
        BEGIN {refuse.format(what="photos of a signed inspection cannot be removed")} END""",
    ]
    for table in ("audit_log", "amendments", "rectification_events"):
        for event in ("UPDATE", "DELETE"):
            statements.append(
                f"""CREATE TRIGGER {table}_append_only_{event.lower()}
                BEFORE {event} ON {table}
                BEGIN {refuse.format(what=table + " is append-only")} END"""
            )
    return statements


def _audit_triggers(db: Database, table: str, *, chained: bool = False) -> list[str]:
    """The three triggers that log every change of ``table`` in ``audit_log``.

    ``chained`` (m010 on): each audit row also carries its link of the hash chain,
    ``pqm_sha256(previous row's hash || the row's canonical content)`` (see
    ``AUDIT_CONTENT``); before m010 the rows had no hash.
    """
    columns = [c.name for c in db.table(table).columns]

    def row(ref: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {ref}.{c}" for c in columns) + ")"

    key = "id" if "id" in columns else "inspection_id || '/' || {ref}.person_id"
    if "id" not in columns and "person_id" not in columns:
        key = "inspection_id"  # inspection_seals: one per inspection
    key_of = {
        "NEW": f"NEW.{key.format(ref='NEW')}",
        "OLD": f"OLD.{key.format(ref='OLD')}",
    }

    def log(action: str, ref: str, old: str, new: str) -> str:
        if not chained:
            return f"""INSERT INTO audit_log (actor, table_name, row_id, action, old, new)
                VALUES (pqm_actor(), '{table}', {key_of[ref]}, '{action}', {old}, {new});"""
        return f"""INSERT INTO audit_log (at, actor, table_name, row_id, action, old, new, hash)
            SELECT v.at, v.actor, v.table_name, v.row_id, v.action, v.old, v.new,
                   pqm_sha256(coalesce({LAST_HASH}, '') || {AUDIT_CONTENT.format(ref="v")})
            FROM (SELECT {NOW} AS at, pqm_actor() AS actor, '{table}' AS table_name,
                         {key_of[ref]} AS row_id, '{action}' AS action,
                         {old} AS old, {new} AS new) AS v;"""

    return [
        f"""CREATE TRIGGER {table}_audit_insert AFTER INSERT ON {table} BEGIN
            {log("insert", "NEW", "NULL", row("NEW"))}
        END""",
        f"""CREATE TRIGGER {table}_audit_update AFTER UPDATE ON {table} BEGIN
            {log("update", "NEW", row("OLD"), row("NEW"))}
        END""",
        f"""CREATE TRIGGER {table}_audit_delete AFTER DELETE ON {table} BEGIN
            {log("delete", "OLD", row("OLD"), "NULL")}
        END""",
    ]


# The audit hash chain (m010): what each row's hash covers, and the previous row's hash.
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
AUDIT_CONTENT = (
    "json_array({ref}.at, {ref}.actor, {ref}.table_name, {ref}.row_id, {ref}.action, "
    "{ref}.old, {ref}.new)"
)
LAST_HASH = "(SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)"


def schema_version(db: Database) -> int:
    """Number of applied migrations."""
    return len(migrations.applied(db))


def applied_names(db: Database) -> list[str]:
    """Names of the migrations the database records as applied, oldest first."""
    return [m.name for m in migrations.applied(db)]


def known_names() -> list[str]:
    """Names of the migrations this program knows, in order."""
    return [m.name for m in migrations.pending(Database(memory=True))]


def latest_version() -> int:
    """The version a fully migrated database has."""
    return len(migrations.pending(Database(memory=True)))


def migrate(db: Database, stop_before: str | None = None) -> int:
    """Apply pending migrations (optionally stopping before one); return the version."""
    migrations.apply(db, stop_before=stop_before)
    version = schema_version(db)
    if db.execute("PRAGMA user_version").fetchone()[0] != version:
        db.execute(f"PRAGMA user_version = {version}")
    return version


@migrations()
def m003_report_codes(db: Database) -> None:
    """Verification codes printed on reports (报告校验码): subject + content SHA-256."""
    _run(
        db,
        [
            """CREATE TABLE report_codes (
                code TEXT PRIMARY KEY,
                document TEXT NOT NULL,
                subject TEXT NOT NULL,
                content_sha256 TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                UNIQUE (document, subject, content_sha256))""",
            "CREATE INDEX report_codes_subject ON report_codes(subject)",
            f"""CREATE TRIGGER report_codes_append_only_update BEFORE UPDATE ON report_codes
            BEGIN SELECT RAISE(ABORT, '{LOCKED}: report_codes is append-only'); END""",
            f"""CREATE TRIGGER report_codes_append_only_delete BEFORE DELETE ON report_codes
            BEGIN SELECT RAISE(ABORT, '{LOCKED}: report_codes is append-only'); END""",
        ],
    )


@migrations()
def m004_reinspection_and_carry_over(db: Database) -> None:
    """Re-inspection targets (复检对象) and carry-over deductions (下月考核扣分)."""
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: {{what}}');"
    signed = "(SELECT status FROM inspections WHERE id = {ref}.inspection_id) = 'signed'"
    _run(
        db,
        [
            """CREATE TABLE reinspection_targets (
                inspection_id TEXT NOT NULL REFERENCES inspections(id),
                rectification_item_id TEXT NOT NULL REFERENCES rectification_items(id),
                PRIMARY KEY (inspection_id, rectification_item_id))""",
            """CREATE INDEX reinspection_targets_item
                ON reinspection_targets(rectification_item_id)""",
            """CREATE TABLE carry_over_deductions (
                id TEXT PRIMARY KEY,
                rectification_item_id TEXT NOT NULL REFERENCES rectification_items(id),
                reinspection_id TEXT NOT NULL REFERENCES inspections(id),
                project_id TEXT NOT NULL REFERENCES projects(id),
                assessment_month TEXT NOT NULL,
                points REAL NOT NULL CHECK (points >= 0),
                created_at TEXT NOT NULL,
                voided_at TEXT,
                voided_reason TEXT,
                UNIQUE (rectification_item_id, reinspection_id))""",
            """CREATE INDEX carry_over_project_month
                ON carry_over_deductions(project_id, assessment_month)""",
            "CREATE INDEX rect_events_action ON rectification_events(action, at)",
            *(
                f"""CREATE TRIGGER reinspection_targets_locked_{event.lower()}
                BEFORE {event} ON reinspection_targets WHEN {signed.format(ref=ref)}
                BEGIN {refuse.format(what="targets of a signed re-inspection cannot change")}
                END"""
                for event, ref in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
            ),
            f"""CREATE TRIGGER carry_over_deductions_no_delete
                BEFORE DELETE ON carry_over_deductions
                BEGIN {refuse.format(what="a carry-over deduction is voided, never deleted")}
                END""",
        ],
    )
    _run(db, _audit_triggers(db, "carry_over_deductions"))


@migrations()
def m005_rectification_status_index(db: Database) -> None:
    """A covering index for the review's counts by status and overdue (整改统计)."""
    db.execute("CREATE INDEX rect_status_deadline ON rectification_items(status, deadline)")


SEARCH_TEXT = "lower(f.note) || char(31) || lower(f.responsible_person)"


@migrations()
def m006_review_search(db: Database) -> None:
    """A narrow search table for the review's text search (整改搜索), kept by triggers.

    One row per rectification item: its finding's area and checklist item ids (their
    names are matched in the small tables) and the finding's own text (note and
    responsible person, ASCII-lowercased like ``LIKE`` compares). A trigram FTS5
    index over that text serves queries of 3+ characters; shorter ones scan the
    narrow table. Derived data: not audited, rebuilt from the source rows here.
    """
    fts = "review_search_fts"
    _run(
        db,
        [
            """CREATE TABLE review_search (
                k INTEGER PRIMARY KEY,
                item_id TEXT NOT NULL UNIQUE,
                area_id TEXT NOT NULL,
                checklist_item_id TEXT NOT NULL,
                text TEXT NOT NULL)""",
            "CREATE INDEX review_search_area ON review_search(area_id, item_id)",
            """CREATE INDEX review_search_checklist_item
                ON review_search(checklist_item_id, item_id)""",
            f"""CREATE VIRTUAL TABLE {fts} USING fts5(text, content='review_search',
                content_rowid='k', tokenize='trigram')""",
            f"""CREATE TRIGGER review_search_fts_insert AFTER INSERT ON review_search BEGIN
                INSERT INTO {fts} (rowid, text) VALUES (NEW.k, NEW.text);
            END""",
            f"""CREATE TRIGGER review_search_fts_delete AFTER DELETE ON review_search BEGIN
                INSERT INTO {fts} ({fts}, rowid, text) VALUES ('delete', OLD.k, OLD.text);
            END""",
            f"""CREATE TRIGGER review_search_fts_update AFTER UPDATE ON review_search BEGIN
                INSERT INTO {fts} ({fts}, rowid, text) VALUES ('delete', OLD.k, OLD.text);
                INSERT INTO {fts} (rowid, text) VALUES (NEW.k, NEW.text);
            END""",
            f"""CREATE TRIGGER rectification_items_search_insert
                AFTER INSERT ON rectification_items BEGIN
                INSERT INTO review_search (item_id, area_id, checklist_item_id, text)
                SELECT NEW.id, f.area_id, f.item_id, {SEARCH_TEXT}
                FROM findings f WHERE f.id = NEW.finding_id;
            END""",
            """CREATE TRIGGER rectification_items_search_delete
                AFTER DELETE ON rectification_items BEGIN
                DELETE FROM review_search WHERE item_id = OLD.id;
            END""",
            f"""CREATE TRIGGER rectification_items_search_update
                AFTER UPDATE OF id, finding_id ON rectification_items BEGIN
                DELETE FROM review_search WHERE item_id = OLD.id;
                INSERT INTO review_search (item_id, area_id, checklist_item_id, text)
                SELECT NEW.id, f.area_id, f.item_id, {SEARCH_TEXT}
                FROM findings f WHERE f.id = NEW.finding_id;
            END""",
            f"""CREATE TRIGGER findings_search_update
                AFTER UPDATE OF note, responsible_person, area_id, item_id ON findings BEGIN
                UPDATE review_search SET area_id = NEW.area_id, checklist_item_id = NEW.item_id,
                    text = {SEARCH_TEXT.replace("f.", "NEW.")}
                WHERE item_id IN (SELECT id FROM rectification_items WHERE finding_id = NEW.id);
            END""",
            f"""INSERT INTO review_search (item_id, area_id, checklist_item_id, text)
                SELECT r.id, f.area_id, f.item_id, {SEARCH_TEXT}
                FROM rectification_items r JOIN findings f ON f.id = r.finding_id
                ORDER BY r.rowid""",
        ],
    )


@migrations()
def m007_item_area_types(db: Database) -> None:
    """Items may narrow their section's area types (检查项适用区域): JSON list, empty = inherit.

    Existing items get ``'[]'`` and so keep their section's. Items and sections
    of a frozen checklist version (one an inspection uses) cannot change any
    more: the walk plan and score of its inspections depend on them.
    """
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: {{what}}');"
    frozen = "(SELECT frozen FROM checklist_versions WHERE id = OLD.version_id) = 1"
    _run(
        db,
        [
            "ALTER TABLE items ADD COLUMN area_types TEXT NOT NULL DEFAULT '[]'",
            *(
                f"""CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {table}
                WHEN {frozen}
                BEGIN {refuse.format(what=f"{table} of a checklist version in use cannot change")}
                END"""
                for table in ("items", "sections")
                for event in ("UPDATE", "DELETE")
            ),
        ],
    )


# Old free-text job titles (people.role) → the roles they stand for (m008).
ROLE_TITLES = {
    "inspector": ("品质督导", "品质专员", "品管小组成员", "督导"),
    "quality-group-leader": ("品管组长", "品管小组组长", "品质组长"),
    "quality-manager": ("品质部经理", "品质经理", "品质总监"),
    "project-manager": ("项目经理", "项目负责人", "案场经理"),
    "department-head": ("部门主管", "客服主管", "秩序主管", "环境主管", "工程主管", "绿化主管"),
    "city-general-manager": ("城市总经理", "城市公司总经理"),
    "administrator": ("系统管理员", "管理员"),
}


@migrations()
def m008_organisation(db: Database) -> None:
    """What a real company enters (组织架构): roles, phones, receivers, defaults, archiving.

    ``archived_at`` on city companies, projects, areas, departments and people:
    something referenced by an inspection or a signed record is archived, never
    deleted. People get ``roles`` (a JSON list of ``Role`` values), mapped here
    from the old free-text ``role``, which stays as the person's title (职务).
    Names stay unique within their parent by the repository's checks (an index
    would refuse existing databases that hold duplicates).
    """
    statements = [
        *(
            f"ALTER TABLE {table} ADD COLUMN archived_at TEXT"
            for table in ("city_companies", "projects", "areas", "departments", "people")
        ),
        "ALTER TABLE projects ADD COLUMN receiver_id TEXT REFERENCES people(id)",
        "ALTER TABLE departments ADD COLUMN city_company_id TEXT REFERENCES city_companies(id)",
        "ALTER TABLE people ADD COLUMN roles TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE people ADD COLUMN city_company_id TEXT REFERENCES city_companies(id)",
        "ALTER TABLE people ADD COLUMN phone TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE project_default_checklists (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id),
            inspection_kind TEXT NOT NULL,
            checklist_id TEXT NOT NULL REFERENCES checklists(id),
            UNIQUE (project_id, inspection_kind))""",
        "CREATE INDEX city_companies_company ON city_companies(company_id, name)",
        "CREATE INDEX projects_city ON projects(city_company_id, name)",
        "CREATE INDEX departments_project ON departments(project_id, name)",
        "CREATE INDEX people_project ON people(project_id, name)",
        "CREATE INDEX people_department ON people(department_id)",
    ]
    _run(db, statements)
    for table in ("projects", "areas", "people"):  # the audit rows carry the new columns
        events = ("insert", "update", "delete")
        _run(db, [f"DROP TRIGGER {table}_audit_{event}" for event in events])
    for table in ("projects", "areas", "people", "city_companies", "departments"):
        _run(db, _audit_triggers(db, table))
    mapping = []  # audited: the trail shows each person's roles being set
    for role, titles in ROLE_TITLES.items():
        listed = ", ".join(f"'{t}'" for t in titles)
        mapping.append(
            f"""UPDATE people SET roles = json_array('{role}')
                WHERE roles = '[]' AND trim(role) IN ({listed})"""
        )
    mapping.append(  # any other 主管 (案场主管 …) heads a department
        """UPDATE people SET roles = json_array('department-head')
           WHERE roles = '[]' AND trim(role) LIKE '%主管'"""
    )
    _run(db, mapping)
    _run(db, _audit_triggers(db, "project_default_checklists"))


def _signed(inspection_id: str) -> str:
    """SQL: the inspection ``inspection_id`` (an expression) is signed."""
    return f"(SELECT status FROM inspections WHERE id = {inspection_id}) = 'signed'"


# What makes a row locked, per table, for the alias ``x`` (m009). A REPLACE (``INSERT OR
# REPLACE``, ``UPDATE OR REPLACE``) deletes the row it collides with without firing DELETE
# triggers (unless ``recursive_triggers`` is on), so a write whose key (rowid, id or a
# UNIQUE set) collides with a locked row is refused before it happens.
LOCKED_ROWS: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    "inspections": ("x.status = 'signed'", (("id",),)),
    "findings": (
        _signed("x.inspection_id"),
        (("id",), ("inspection_id", "item_id", "area_id")),
    ),
    "inspection_inspectors": (_signed("x.inspection_id"), (("inspection_id", "person_id"),)),
    "supervision_notes": (_signed("x.inspection_id"), (("id",),)),
    "photos": (
        _signed("(SELECT f.inspection_id FROM findings f WHERE f.id = x.finding_id)"),
        (("id",),),
    ),
    "reinspection_targets": (
        _signed("x.inspection_id"),
        (("inspection_id", "rectification_item_id"),),
    ),
    "checklist_versions": ("x.frozen = 1", (("id",), ("checklist_id", "version"))),
    "sections": (
        "(SELECT frozen FROM checklist_versions WHERE id = x.version_id) = 1",
        (("id",),),
    ),
    "items": (
        "(SELECT frozen FROM checklist_versions WHERE id = x.version_id) = 1",
        (("id",), ("version_id", "code")),
    ),
    "areas": (
        """(EXISTS (SELECT 1 FROM findings f JOIN inspections i ON i.id = f.inspection_id
                    WHERE f.area_id = x.id AND i.status = 'signed')
            OR EXISTS (SELECT 1 FROM supervision_notes n JOIN inspections i
                       ON i.id = n.inspection_id
                       WHERE n.area_id = x.id AND i.status = 'signed'))""",
        (("id",),),
    ),
    "amendments": ("1", (("id",),)),
    "audit_log": ("1", ()),  # seq is the rowid
    "rectification_events": ("1", (("id",),)),
    "report_codes": ("1", (("code",), ("document", "subject", "content_sha256"))),
    "carry_over_deductions": ("1", (("id",), ("rectification_item_id", "reinspection_id"))),
}


# Rows PQM records once with ``INSERT OR IGNORE``: a colliding insert is skipped, not refused.
RECORDED_ONCE = frozenset({"report_codes", "carry_over_deductions"})


def _replace_guards(
    table: str, spec: tuple[str, tuple[tuple[str, ...], ...]] | None = None
) -> list[str]:
    """Refuse an INSERT or UPDATE whose key collides with a locked row (REPLACE)."""
    locked, keys = spec or LOCKED_ROWS[table]
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: a locked {table} row cannot be replaced');"
    skip = "SELECT RAISE(IGNORE);" if table in RECORDED_ONCE else refuse

    def collides(ref: str) -> str:
        matches = [f"x.rowid = {ref}.rowid"] + [
            "(" + " AND ".join(f"x.{c} = {ref}.{c}" for c in key) + ")" for key in keys
        ]
        return " OR ".join(matches)

    return [
        f"""CREATE TRIGGER {table}_replace_locked_insert BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} x WHERE ({collides("NEW")}) AND {locked})
        BEGIN {skip} END""",
        f"""CREATE TRIGGER {table}_replace_locked_update BEFORE UPDATE ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} x
                     WHERE ({collides("NEW")}) AND x.rowid != OLD.rowid AND {locked})
        BEGIN {refuse} END""",
    ]


@migrations()
def m009_locks_that_hold(db: Database) -> None:
    """Locks that hold (签字锁定): every table a signed inspection is printed from.

    Inspectors, supervision notes and photos of a signed inspection cannot change;
    nothing moves into a signed inspection or a frozen checklist version; a frozen
    version that an inspection uses cannot be un-frozen, changed or deleted; an area
    that a signed inspection refers to cannot be renamed, moved or deleted (its old
    documents print its name; archive it and add a new one instead). ``INSERT OR
    REPLACE`` and ``UPDATE OR REPLACE`` cannot delete a locked or append-only row.
    """
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: {{what}}');"
    signed_refusal = refuse.format(what="{table} of a signed inspection cannot change")
    statements: list[str] = [
        f"""CREATE TRIGGER findings_locked_move BEFORE UPDATE ON findings
        WHEN {_signed("NEW.inspection_id")}
        BEGIN {signed_refusal.format(table="findings")} END""",
    ]
    for table in ("inspection_inspectors", "supervision_notes"):
        for event, condition in (
            ("INSERT", _signed("NEW.inspection_id")),
            ("UPDATE", f"{_signed('OLD.inspection_id')} OR {_signed('NEW.inspection_id')}"),
            ("DELETE", _signed("OLD.inspection_id")),
        ):
            statements.append(
                f"""CREATE TRIGGER {table}_locked_{event.lower()} BEFORE {event} ON {table}
                WHEN {condition} BEGIN {signed_refusal.format(table=table)} END"""
            )
    photo_of = "(SELECT inspection_id FROM findings WHERE id = {ref}.finding_id)"
    statements += [
        f"""CREATE TRIGGER photos_locked_insert BEFORE INSERT ON photos
        WHEN {_signed(photo_of.format(ref="NEW"))}
        BEGIN {signed_refusal.format(table="photos")} END""",
        f"""CREATE TRIGGER photos_locked_update BEFORE UPDATE ON photos
        WHEN {_signed(photo_of.format(ref="OLD"))} OR {_signed(photo_of.format(ref="NEW"))}
        BEGIN {signed_refusal.format(table="photos")} END""",
    ]
    in_use = "EXISTS (SELECT 1 FROM inspections WHERE checklist_version_id = OLD.id)"
    changed = " OR ".join(
        f"NEW.{c} IS NOT OLD.{c}"
        for c in ("id", "checklist_id", "version", "content_sha256", "frozen", "source_yaml")
    )
    version_refusal = refuse.format(what="a checklist version in use cannot change")
    statements += [
        f"""CREATE TRIGGER checklist_versions_frozen_update BEFORE UPDATE ON checklist_versions
        WHEN OLD.frozen = 1 AND {in_use} AND ({changed}) BEGIN {version_refusal} END""",
        f"""CREATE TRIGGER checklist_versions_frozen_delete BEFORE DELETE ON checklist_versions
        WHEN OLD.frozen = 1 OR {in_use} BEGIN {version_refusal} END""",
    ]
    frozen_new = "(SELECT frozen FROM checklist_versions WHERE id = NEW.version_id) = 1"
    for table in ("sections", "items"):
        what = refuse.format(what=f"{table} of a checklist version in use cannot change")
        statements += [
            f"""CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
            WHEN {frozen_new} BEGIN {what} END""",
            f"""CREATE TRIGGER {table}_frozen_move BEFORE UPDATE ON {table}
            WHEN {frozen_new} BEGIN {what} END""",
        ]
    area_locked = LOCKED_ROWS["areas"][0].replace("x.id", "OLD.id")
    area_refusal = refuse.format(what="an area of a signed inspection cannot be renamed")
    statements += [
        f"""CREATE TRIGGER areas_locked_update BEFORE UPDATE OF id, name, project_id ON areas
        WHEN (NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name
              OR NEW.project_id IS NOT OLD.project_id) AND {area_locked}
        BEGIN {area_refusal} END""",
        f"""CREATE TRIGGER areas_locked_delete BEFORE DELETE ON areas WHEN {area_locked}
        BEGIN {area_refusal} END""",
    ]
    for table in LOCKED_ROWS:
        statements += _replace_guards(table)
    _run(db, statements)


SCHEME_PAGE = "page"  # a code over the printed context (before m010): language and tz bound


@migrations()
def m010_tamper_evidence(db: Database) -> None:
    """Tamper evidence (防篡改): the audit hash chain, seals of signed inspections, code schemes.

    ``audit_log.hash`` chains every audit row to the one before it (``AUDIT_CONTENT``);
    the rows already there are chained here, in ``seq`` order. ``inspection_seals``
    holds the SHA-256 of each signed inspection's facts (``inspection_seals.facts_sha256``),
    written when it is signed and here for those signed before; append-only and
    audited. ``report_codes.scheme`` says what a verification code hashes: ``page``
    (the printed context, codes issued before) or ``facts-1`` (the facts); ``tz`` is
    the timezone a document was issued in (a circular's month is counted in it).
    Needs the connection's ``pqm_sha256`` function (``db.register_functions``).
    """
    from pqm_tui.model.inspection_seals import seal_signed_inspections

    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: inspection_seals is append-only');"
    _run(
        db,
        [
            "ALTER TABLE audit_log ADD COLUMN hash TEXT",
            f"ALTER TABLE report_codes ADD COLUMN scheme TEXT NOT NULL DEFAULT '{SCHEME_PAGE}'",
            "ALTER TABLE report_codes ADD COLUMN tz TEXT NOT NULL DEFAULT ''",
            """CREATE TABLE inspection_seals (
                inspection_id TEXT PRIMARY KEY REFERENCES inspections(id),
                facts_sha256 TEXT NOT NULL,
                sealed_at TEXT NOT NULL)""",
            *(
                f"""CREATE TRIGGER inspection_seals_append_only_{event.lower()}
                BEFORE {event} ON inspection_seals BEGIN {refuse} END"""
                for event in ("UPDATE", "DELETE")
            ),
            *_replace_guards("inspection_seals", ("1", (("inspection_id",),))),
        ],
    )
    _chain_existing_audit_rows(db)
    suffix = "_audit_insert"
    triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    audited = sorted(str(n)[: -len(suffix)] for (n,) in triggers if str(n).endswith(suffix))
    for table in audited:
        _run(
            db, [f"DROP TRIGGER {table}_audit_{event}" for event in ("insert", "update", "delete")]
        )
    for table in [*audited, "inspection_seals"]:
        _run(db, _audit_triggers(db, table, chained=True))
    seal_signed_inspections(db)


def _chain_existing_audit_rows(db: Database) -> None:
    """Give the audit rows written before m010 their links, in ``seq`` order."""
    (append_only,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'audit_log_append_only_update'"
    ).fetchone()
    db.execute("DROP TRIGGER audit_log_append_only_update")
    previous = ""
    for (seq,) in db.execute("SELECT seq FROM audit_log ORDER BY seq").fetchall():
        db.execute(
            f"""UPDATE audit_log SET hash = pqm_sha256(? || {AUDIT_CONTENT.format(ref="audit_log")})
                WHERE seq = ?""",
            [previous, seq],
        )
        previous = str(db.execute("SELECT hash FROM audit_log WHERE seq = ?", [seq]).fetchone()[0])
    db.execute(str(append_only))


def expected_triggers() -> dict[str, str]:
    """Name → SQL of every trigger a fully migrated database has (``db check``)."""
    from pqm_tui.model.db import register_functions

    fresh = Database(memory=True)
    register_functions(fresh.conn)
    migrations.apply(fresh)
    return triggers_of(fresh)


def triggers_of(db: Database) -> dict[str, str]:
    """Name → SQL (whitespace collapsed) of the triggers in ``db``."""
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return {str(name): " ".join(str(sql).split()) for name, sql in rows}


@migrations()
def m012_pin_lockout(db: Database) -> None:
    """PIN lockout (签字密码锁定): wrong tries counted per person, a lock until a time.

    ``pin_lockouts.failures`` counts wrong PINs since the last right one or the last
    lock; ``locked_until`` (UTC ISO-8601) refuses every PIN of that person before it.
    Kept in the database so a restart does not reset the count.
    """
    db.execute(
        """CREATE TABLE pin_lockouts (
            person_id TEXT PRIMARY KEY REFERENCES people(id),
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT)"""
    )


AMENDMENT_TABLES = ("amendment_proposals", "amendment_changes", "amendment_decisions")


@migrations()
def m013_amendment_proposals(db: Database) -> None:
    """Amendment proposals (更正申请) to signed inspections, and their decisions (审批).

    A proposal (who, when, why) holds its changes (finding, field, old → new);
    nothing changes until a decision approves it, and then the changes become
    ``amendments`` rows with the ids of the changes. One decision per proposal.
    All three tables are append-only and audited like the other records.
    """
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: {{table}} is append-only');"
    statements = [
        """CREATE TABLE amendment_proposals (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            proposed_at TEXT NOT NULL,
            proposed_by TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (length(reason) > 0))""",
        "CREATE INDEX amendment_proposals_inspection ON amendment_proposals(inspection_id)",
        """CREATE TABLE amendment_changes (
            id TEXT PRIMARY KEY,
            proposal_id TEXT NOT NULL REFERENCES amendment_proposals(id),
            finding_id TEXT NOT NULL REFERENCES findings(id),
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT)""",
        "CREATE INDEX amendment_changes_proposal ON amendment_changes(proposal_id)",
        """CREATE TABLE amendment_decisions (
            id TEXT PRIMARY KEY,
            proposal_id TEXT NOT NULL UNIQUE REFERENCES amendment_proposals(id),
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
            decided_at TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '')""",
    ]
    for table in AMENDMENT_TABLES:
        statements += [
            f"""CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table}
            BEGIN {refuse.format(table=table)} END"""
            for event in ("UPDATE", "DELETE")
        ]
    keys = {"amendment_decisions": (("id",), ("proposal_id",))}
    for table in AMENDMENT_TABLES:
        statements += _replace_guards(table, ("1", keys.get(table, (("id",),))))
    _run(db, statements)
    for table in AMENDMENT_TABLES:
        _run(db, _audit_triggers(db, table, chained=True))


# A published assessment (已发布考核) cannot change: the only update of an assessment row
# allowed after publication is none; its later changes are revisions (考核修订), append-only.
ASSESSMENT_LOCKED = "x.state = 'published'"


@migrations()
def m014_abandoned_inspections(db: Database) -> None:
    """Abandoned inspections (作废的检查): a draft made by mistake, kept with who, when and why.

    ``inspection_abandonments`` holds one row per abandoned draft; it is append-only
    (an abandonment is a fact of record, like an event) and audited in the hash chain.
    An abandoned inspection stays in the database (its findings too) and leaves the
    lists, the due panels and the counts; nothing can be recorded in it any more.
    """
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: inspection_abandonments is append-only');"
    abandoned = "EXISTS (SELECT 1 FROM inspection_abandonments a WHERE a.inspection_id = {ref})"
    closed = f"SELECT RAISE(ABORT, '{LOCKED}: an abandoned inspection cannot change');"
    _run(
        db,
        [
            """CREATE TABLE inspection_abandonments (
                inspection_id TEXT PRIMARY KEY REFERENCES inspections(id),
                abandoned_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL CHECK (length(trim(reason)) > 0))""",
            *(
                f"""CREATE TRIGGER inspection_abandonments_append_only_{event.lower()}
                BEFORE {event} ON inspection_abandonments BEGIN {refuse} END"""
                for event in ("UPDATE", "DELETE")
            ),
            *_replace_guards("inspection_abandonments", ("1", (("inspection_id",),))),
            *(
                f"""CREATE TRIGGER findings_abandoned_{event.lower()} BEFORE {event} ON findings
                WHEN {abandoned.format(ref=ref)} BEGIN {closed} END"""
                for event, ref in (("INSERT", "NEW.inspection_id"), ("UPDATE", "OLD.inspection_id"))
            ),
            f"""CREATE TRIGGER inspections_abandoned_update BEFORE UPDATE ON inspections
            WHEN {abandoned.format(ref="OLD.id")} BEGIN {closed} END""",
        ],
    )
    _run(db, _audit_triggers(db, "inspection_abandonments", chained=True))


@migrations()
def m015_assessments(db: Database) -> None:
    """The monthly assessment (品质检查考核表) per project, its publication and revisions.

    ``assessments``: one row per project and month (``YYYY-MM``), a draft recomputed at
    will until published; a published row is frozen (it cannot change, be deleted or
    replaced), like a signed inspection. Its figures (score, band, pay adjustment) and
    ``detail`` (the inspections counted with their scores, the carry-overs, the red-line
    deductions and the rules used, JSON) are those of the day it was computed.
    ``assessment_revisions``: append-only changes of a published month (an upheld
    appeal, an approved amendment): who, when, why, the old and new score and what
    changed. Both audited in the hash chain.

    Carry-over deductions (下月考核扣分) were filed under the assessment on or after the
    day the re-inspection failed (the same month, as a rule); they are deducted in the
    next month's assessment (000 篇4 §四.3 "在下次考核中给予扣分"), as the notices and
    circulars say, so the rows filed before move to the month after they were recorded.
    """
    refuse = f"SELECT RAISE(ABORT, '{LOCKED}: {{what}}');"
    published = refuse.format(what="a published assessment cannot change")
    _run(
        db,
        [
            """CREATE TABLE assessments (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                month TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
                score TEXT,
                band TEXT NOT NULL DEFAULT '{}',
                detail TEXT NOT NULL DEFAULT '{}',
                computed_at TEXT NOT NULL,
                computed_by TEXT NOT NULL,
                published_at TEXT,
                published_by TEXT,
                UNIQUE (project_id, month))""",
            "CREATE INDEX assessments_month ON assessments(month, project_id)",
            """CREATE TABLE assessment_revisions (
                id TEXT PRIMARY KEY,
                assessment_id TEXT NOT NULL REFERENCES assessments(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL CHECK (length(reason) > 0),
                old_score TEXT,
                new_score TEXT,
                band TEXT NOT NULL DEFAULT '{}',
                detail TEXT NOT NULL DEFAULT '{}',
                changes TEXT NOT NULL DEFAULT '[]')""",
            "CREATE INDEX assessment_revisions_of ON assessment_revisions(assessment_id, at)",
            f"""CREATE TRIGGER assessments_locked_update BEFORE UPDATE ON assessments
            WHEN OLD.state = 'published' BEGIN {published} END""",
            f"""CREATE TRIGGER assessments_locked_delete BEFORE DELETE ON assessments
            WHEN OLD.state = 'published' BEGIN {published} END""",
            f"""CREATE TRIGGER assessments_locked_insert BEFORE INSERT ON assessments
            WHEN NEW.state = 'published' BEGIN {published} END""",
            *(
                f"""CREATE TRIGGER assessment_revisions_append_only_{event.lower()}
                BEFORE {event} ON assessment_revisions
                BEGIN {refuse.format(what="assessment_revisions is append-only")} END"""
                for event in ("UPDATE", "DELETE")
            ),
            f"""CREATE TRIGGER assessment_revisions_locked_insert BEFORE INSERT
            ON assessment_revisions
            WHEN (SELECT state FROM assessments WHERE id = NEW.assessment_id) IS NOT 'published'
            BEGIN {refuse.format(what="only a published assessment is revised")} END""",
            *_replace_guards(
                "assessments", (ASSESSMENT_LOCKED, (("id",), ("project_id", "month")))
            ),
            *_replace_guards("assessment_revisions", ("1", (("id",),))),
            # the month after the one it was recorded in, local as written (下月考核)
            """UPDATE carry_over_deductions SET assessment_month = strftime('%Y-%m',
                   substr(created_at, 1, 7) || '-01', '+1 month')""",
        ],
    )
    for table in ("assessments", "assessment_revisions"):
        _run(db, _audit_triggers(db, table, chained=True))


@migrations()
def m016_analysis_indexes(db: Database) -> None:
    """The failure analysis (不合格统计): findings by inspection and item, covering.

    ``findings_failures``, a partial index of the failed findings (a tenth of them or
    fewer) holding what the Pareto counts: its query reads that index alone instead of
    every finding of every inspection — 1,000,000 findings: 450–720 → 230–300 ms.
    ``findings_results`` holds each finding's result by inspection and item: the repeat
    offenders read it alone (no table rows) — 2.8 → 1.1–1.9 s (``bench/analysis.py``).
    """
    _run(
        db,
        [
            """CREATE INDEX findings_failures
               ON findings(inspection_id, item_id, department, occurrences, deduction)
               WHERE result = 'fail'""",
            "CREATE INDEX findings_results ON findings(inspection_id, item_id, result)",
        ],
    )


# What the review sorts and filters by, copied into review_search (m017) from the item's
# project and its finding's area, checklist item and own fields.
REVIEW_KEYS = ("project_name", "area_name", "item_code", "person", "department", "severity")
REVIEW_KEYS_OF = """(SELECT p.name, a.name, i.code, f.responsible_person, f.department, f.severity,
    r.rowid FROM rectification_items r JOIN findings f ON f.id = r.finding_id
    JOIN areas a ON a.id = f.area_id JOIN items i ON i.id = f.item_id
    JOIN projects p ON p.id = r.project_id WHERE r.id = {item})"""


def _insert_review_row(row: str) -> str:
    """The review_search row of rectification item ``row`` (NEW), with its sort keys."""
    return f"""INSERT INTO review_search
        (item_id, area_id, checklist_item_id, text, {", ".join(REVIEW_KEYS)}, item_rowid)
        SELECT {row}.id, f.area_id, f.item_id, {SEARCH_TEXT}, p.name, a.name, i.code,
            f.responsible_person, f.department, f.severity, {row}.rowid
        FROM findings f JOIN areas a ON a.id = f.area_id JOIN items i ON i.id = f.item_id
        JOIN projects p ON p.id = {row}.project_id WHERE f.id = {row}.finding_id;"""


OF_FINDING = "item_id IN (SELECT id FROM rectification_items WHERE finding_id = NEW.id)"


def _refresh_review_keys(where: str, item: str = "review_search.item_id") -> str:
    keys = ", ".join((*REVIEW_KEYS, "item_rowid"))
    return f"UPDATE review_search SET ({keys}) = {REVIEW_KEYS_OF.format(item=item)} WHERE {where};"


@migrations()
def m017_review_sort_keys(db: Database) -> None:
    """The review's sort keys and filters beside its search text (整改跟踪排序), indexed.

    Sorting 100 k items by area, item, person or project joined the findings table (a
    million wide rows) for every open item before the first page could be chosen; with
    the names and fields copied into ``review_search`` an index gives the first page in
    milliseconds. Derived data, kept by triggers on every table it is copied from.
    """
    _run(
        db,
        [
            *(
                f"ALTER TABLE review_search ADD COLUMN {key} TEXT NOT NULL DEFAULT ''"
                for key in REVIEW_KEYS
            ),
            # the item's rowid: ties of a sort in insertion order, from the index alone
            "ALTER TABLE review_search ADD COLUMN item_rowid INTEGER NOT NULL DEFAULT 0",
            _refresh_review_keys("1").rstrip(";"),
            *(
                f"CREATE INDEX review_search_{key} ON review_search({key}, item_rowid)"
                for key in REVIEW_KEYS
            ),
            # the FTS follows the text only (a renamed area no longer rewrites it)
            "DROP TRIGGER review_search_fts_update",
            """CREATE TRIGGER review_search_fts_update AFTER UPDATE OF text ON review_search
            BEGIN
                INSERT INTO review_search_fts (review_search_fts, rowid, text)
                    VALUES ('delete', OLD.k, OLD.text);
                INSERT INTO review_search_fts (rowid, text) VALUES (NEW.k, NEW.text);
            END""",
            # a new item's row is written whole (an UPDATE in an AFTER INSERT trigger of
            # review_search would run before the FTS insert and corrupt the index)
            "DROP TRIGGER rectification_items_search_insert",
            "DROP TRIGGER rectification_items_search_update",
            f"""CREATE TRIGGER rectification_items_search_insert
                AFTER INSERT ON rectification_items BEGIN
                {_insert_review_row("NEW")}
            END""",
            f"""CREATE TRIGGER rectification_items_search_update
                AFTER UPDATE OF id, finding_id ON rectification_items BEGIN
                DELETE FROM review_search WHERE item_id = OLD.id;
                {_insert_review_row("NEW")}
            END""",
            f"""CREATE TRIGGER findings_review_keys_update
                AFTER UPDATE OF area_id, item_id, responsible_person, department, severity
                ON findings BEGIN
                {_refresh_review_keys(OF_FINDING)}
            END""",
            f"""CREATE TRIGGER rectification_items_review_keys_update
                AFTER UPDATE OF project_id ON rectification_items BEGIN
                {_refresh_review_keys("item_id = NEW.id")}
            END""",
            """CREATE TRIGGER areas_review_keys_update AFTER UPDATE OF name ON areas BEGIN
                UPDATE review_search SET area_name = NEW.name WHERE area_id = NEW.id;
            END""",
            """CREATE TRIGGER items_review_keys_update AFTER UPDATE OF code ON items BEGIN
                UPDATE review_search SET item_code = NEW.code WHERE checklist_item_id = NEW.id;
            END""",
            """CREATE TRIGGER projects_review_keys_update AFTER UPDATE OF name ON projects BEGIN
                UPDATE review_search SET project_name = NEW.name WHERE item_id IN
                    (SELECT id FROM rectification_items WHERE project_id = NEW.id);
            END""",
        ],
    )


def _insert_review_row_with_state(row: str) -> str:
    """The review_search row of rectification item ``row`` (NEW), keys and state (m018)."""
    return f"""INSERT INTO review_search (item_id, area_id, checklist_item_id, text,
            {", ".join(REVIEW_KEYS)}, item_rowid, status, deadline)
        SELECT {row}.id, f.area_id, f.item_id, {SEARCH_TEXT}, p.name, a.name, i.code,
            f.responsible_person, f.department, f.severity, {row}.rowid, {row}.status,
            {row}.deadline
        FROM findings f JOIN areas a ON a.id = f.area_id JOIN items i ON i.id = f.item_id
        JOIN projects p ON p.id = {row}.project_id WHERE f.id = {row}.finding_id;"""


@migrations()
def m018_review_search_speed(db: Database) -> None:
    """The item's status and deadline beside its review keys (整改跟踪筛选), indexed.

    The department and severity filters and their header counts read one narrow table
    in index order (no join to the items for each of tens of thousands of rows); a
    covering index over the search text makes the scan of a 1–2 character search read
    only the text. Derived data, kept by triggers on every status or deadline move.
    """
    _run(
        db,
        [
            "ALTER TABLE review_search ADD COLUMN status TEXT NOT NULL DEFAULT 'open'",
            "ALTER TABLE review_search ADD COLUMN deadline TEXT",
            """UPDATE review_search SET (status, deadline) = (SELECT r.status, r.deadline
                FROM rectification_items r WHERE r.id = review_search.item_id)""",
            """CREATE INDEX review_search_department_deadline
                ON review_search(department, deadline, item_rowid, status)""",
            """CREATE INDEX review_search_severity_deadline
                ON review_search(severity, deadline, item_rowid, status)""",
            """CREATE INDEX review_search_deadline
                ON review_search(deadline, item_rowid, status)""",
            """CREATE INDEX review_search_text ON review_search
                (text, status, deadline, department, severity, item_id)""",
            # the items of a matching checklist item, counted without reading their rows
            "DROP INDEX review_search_checklist_item",
            """CREATE INDEX review_search_checklist_item ON review_search
                (checklist_item_id, status, deadline, department, severity, text, item_id)""",
            "DROP TRIGGER rectification_items_search_insert",
            "DROP TRIGGER rectification_items_search_update",
            f"""CREATE TRIGGER rectification_items_search_insert
                AFTER INSERT ON rectification_items BEGIN
                {_insert_review_row_with_state("NEW")}
            END""",
            f"""CREATE TRIGGER rectification_items_search_update
                AFTER UPDATE OF id, finding_id ON rectification_items BEGIN
                DELETE FROM review_search WHERE item_id = OLD.id;
                {_insert_review_row_with_state("NEW")}
            END""",
            """CREATE TRIGGER rectification_items_review_state_update
                AFTER UPDATE OF status, deadline ON rectification_items BEGIN
                UPDATE review_search SET status = NEW.status, deadline = NEW.deadline
                    WHERE item_id = NEW.id;
            END""",
        ],
    )


@migrations()
def m019_review_first_use(db: Database) -> None:
    """The review sorted by escalation level (升级级别) from an index.

    Sorting 100 k items by level sorted every open item before the first page could be
    chosen (70–120 ms at 1 M findings); with the index the page is the index's first
    rows, whatever statistics the planner has.
    """
    db.execute("CREATE INDEX rect_level ON rectification_items(escalation_level)")


@migrations()
def m020_lifecycle_fixes(db: Database) -> None:
    """Follow-up notices (第二次整改通知单) received at their re-inspection's sign-off.

    A first notice counts as received by the receiver who signs with the inspection;
    follow-up notices issued by a signed re-inspection were left unreceived (未签收) though
    its receiver had signed. They get the re-inspection's receiver and signing time, as
    signing one does now (services.reinspection.receive_at_signing); the items' deadlines
    already counted from that day.
    """
    # each follow-up notice's first failed re-inspection that was signed with a receiver,
    # found in one pass over those events (a subquery per notice read them all each time)
    db.execute(
        """WITH failed AS (
             SELECT json_extract(e.data, '$.notice_id') AS notice_id, i.signed_at,
                    i.receiver_name, row_number() OVER (
                      PARTITION BY json_extract(e.data, '$.notice_id')
                      ORDER BY e.at, e.rowid) AS n
               FROM rectification_events e
               JOIN inspections i ON i.id = json_extract(e.data, '$.reinspection_id')
              WHERE e.action = 'reinspection-failed' AND i.status = 'signed'
                AND trim(coalesce(i.receiver_name, '')) != '' AND i.signed_at IS NOT NULL)
           UPDATE notices SET received_at = failed.signed_at, received_by = failed.receiver_name
             FROM failed
            WHERE failed.notice_id = notices.id AND failed.n = 1
              AND notices.sequence >= 2 AND notices.received_at IS NULL"""
    )
