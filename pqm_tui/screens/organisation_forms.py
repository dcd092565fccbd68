"""The forms of the organisation screen (组织架构表单): fields and what saving writes.

``OrgForms`` builds a ``FormDialog`` for adding or editing a city company,
project, area, department or person, for a project's default checklists, and for a
person's sign-off PIN (签字密码: his own changed after the current one, another's
reset by an administrator, recorded in the audit trail);
its ``save`` writes through ``model.organisation`` and refuses bad values with a
``PQMError`` (shown in the form, which stays open). The screen opens the form
and reloads its table when the form closes.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pqm_tui.model import checklists, organisation
from pqm_tui.model.db import current_actor
from pqm_tui.model.entities import AreaType, ProjectKind, Role
from pqm_tui.model.errors import RuleError
from pqm_tui.model.names import is_phone
from pqm_tui.model.org_import import DEFAULT_KINDS
from pqm_tui.model.permissions import Action as Permission
from pqm_tui.model.permissions import require
from pqm_tui.screens.dialogs.form import FormDialog, FormField

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

    from pqm_tui.i18n import Translator
    from pqm_tui.model.clock import Clock

NONE = ""  # the value of "none" in a choice (no project, no department …)


@dataclass
class OrgForms:
    """Forms on the app's connection, in the user's language.

    ``saved_id`` is the id of the row the last form added or edited (the screen
    puts its cursor there).
    """

    db: Database
    tr: Translator
    clock: Clock | None = None  # counts wrong PINs (the PIN form)
    keys: Path | None = None  # the signing keys' folder: a changed PIN re-protects the key
    saved_id: str | None = field(default=None, init=False)

    # helpers ---------------------------------------------------------------------------
    def _label(self, name: str) -> str:
        return self.tr(f"orgscreen.field.{name}")

    def _none(self, what: str = "none") -> tuple[str, str]:
        return (NONE, self.tr(f"orgscreen.{what}"))

    def _keep(
        self,
        choices: tuple[tuple[str, str], ...],
        table: organisation.Archivable,
        current: str | None,
    ) -> tuple[tuple[str, str], ...]:
        """``choices`` (rows in use) and the row chosen now, even when it is archived."""
        if not current or current in dict(choices):
            return choices
        name = organisation.names(self.db, table).get(current, current)
        return (*choices, (current, f"{name}（{self.tr('orgscreen.archived')}）"))

    def _cities(self, current: str | None = None) -> tuple[tuple[str, str], ...]:
        cities = organisation.list_city_companies(self.db, active_only=True)
        return self._keep(tuple((c.id, c.name) for c in cities), "city_companies", current)

    def _projects(self, current: str | None = None) -> tuple[tuple[str, str], ...]:
        projects = organisation.list_projects(self.db, active_only=True)
        return self._keep(tuple((p.id, p.name) for p in projects), "projects", current)

    def _form(self, title: str, fields: list[FormField], save: Any, hint: str = "") -> FormDialog:
        def allowed_save(values: dict[str, str]) -> None:
            require(self.db, current_actor(self.db), Permission.EDIT_ORGANISATION)
            save(values)

        return FormDialog(self.tr(title), fields, hint=hint and self.tr(hint), save=allowed_save)

    # city companies ----------------------------------------------------------------------
    def city(self, city_id: str | None = None) -> FormDialog:
        """Add (``city_id`` None) or rename a city company; the first one names the company too."""
        company = organisation.first_company(self.db)
        city = organisation.get_city_company(self.db, city_id) if city_id else None
        fields = []
        if company is None:
            fields.append(FormField("company", self._label("company")))
        fields.append(FormField("name", self._label("city"), default=city.name if city else ""))

        def save(values: dict[str, str]) -> None:
            if city is not None:
                self.saved_id = organisation.edit_city_company(
                    self.db, city.id, name=values["name"]
                ).id
                return
            with self.db.atomic():
                owner = company or organisation.add_company(self.db, values["company"])
                self.saved_id = organisation.add_city_company(self.db, owner.id, values["name"]).id

        title = "orgscreen.form.city_edit" if city else "orgscreen.form.city_add"
        hint = "orgscreen.form.company_hint" if company is None else ""
        return self._form(title, fields, save, hint)

    # projects ------------------------------------------------------------------------------
    def project(self, project_id: str | None = None) -> FormDialog:
        """Add or edit a project: name, kind, city company, address, receiver of notices."""
        project = organisation.get_project(self.db, project_id) if project_id else None
        cities = self._cities(project.city_company_id if project else None)
        people = organisation.list_people(self.db, project.id) if project else []
        receivers = (self._none(), *((p.id, f"{p.name}（{p.role}）") for p in people))
        fields = [
            FormField("name", self._label("project"), default=project.name if project else ""),
            FormField(
                "kind",
                self._label("kind"),
                kind="choice",
                default=project.kind.value if project else ProjectKind.RESIDENTIAL.value,
                choices=tuple((k.value, self.tr.enum(k)) for k in ProjectKind),
            ),
            FormField(
                "city",
                self._label("city"),
                kind="choice",
                default=project.city_company_id if project else "",
                choices=cities,
            ),
            FormField(
                "address",
                self._label("address"),
                default=project.address if project else "",
                required=False,
            ),
            FormField(
                "receiver",
                self._label("receiver"),
                kind="choice",
                default=(project.receiver_id or NONE) if project else NONE,
                choices=receivers,
                required=False,
            ),
        ]

        def save(values: dict[str, str]) -> None:
            changes = {
                "name": values["name"],
                "kind": ProjectKind(values["kind"]),
                "city_company_id": values["city"],
                "address": values["address"],
                "receiver_id": values["receiver"] or None,
            }
            if project is not None:
                self.saved_id = organisation.edit_project(self.db, project.id, **changes).id
                return
            self.saved_id = organisation.add_project(
                self.db,
                values["city"],
                values["name"],
                ProjectKind(values["kind"]),
                address=values["address"],
            ).id

        title = "orgscreen.form.project_edit" if project else "orgscreen.form.project_add"
        hint = "" if project else "orgscreen.form.receiver_hint"
        return self._form(title, fields, save, hint)

    def defaults(self, project_id: str) -> FormDialog:
        """The default checklist (默认检查表) of a project for each kind of inspection."""
        project = organisation.get_project(self.db, project_id)
        current = organisation.default_checklists(self.db, project_id)
        options = (
            self._none("automatic"),
            *((c.checklist.id, c.checklist.name) for c in checklists.list_checklists(self.db)),
        )
        fields = [
            FormField(
                kind.value,
                self.tr.enum(kind),
                kind="choice",
                default=current.get(kind, NONE),
                choices=options,
                required=False,
            )
            for kind in DEFAULT_KINDS
        ]

        def save(values: dict[str, str]) -> None:
            with self.db.atomic():
                for kind in DEFAULT_KINDS:
                    chosen = values[kind.value] or None
                    organisation.set_default_checklist(self.db, project_id, kind, chosen)
            self.saved_id = project_id

        title = self.tr("orgscreen.form.defaults", project=project.name)
        return FormDialog(title, fields, hint=self.tr("orgscreen.form.defaults_hint"), save=save)

    # areas ---------------------------------------------------------------------------------
    def area(self, project_id: str, area_id: str | None = None) -> FormDialog:
        """Add an area at the end of the project's walk, or edit one."""
        area = organisation.get_area(self.db, area_id) if area_id else None
        project = organisation.get_project(self.db, project_id)
        fields = [
            FormField("name", self._label("area"), default=area.name if area else ""),
            FormField(
                "area_type",
                self._label("area_type"),
                kind="choice",
                default=area.area_type.value if area else "",
                choices=tuple((t.value, self.tr.enum(t)) for t in AreaType),
            ),
        ]

        def save(values: dict[str, str]) -> None:
            kind = AreaType(values["area_type"])
            if area is not None:
                self.saved_id = organisation.edit_area(
                    self.db, area.id, name=values["name"], area_type=kind
                ).id
                return
            position = organisation.area_counts(self.db).get(project_id, 0)
            self.saved_id = organisation.add_area(
                self.db, project_id, values["name"], kind, position
            ).id

        title = self.tr(
            "orgscreen.form.area_edit" if area else "orgscreen.form.area_add", project=project.name
        )
        return FormDialog(title, fields, save=save)

    # departments ---------------------------------------------------------------------------
    def department(
        self, department_id: str | None = None, project_id: str | None = None
    ) -> FormDialog:
        """Add or edit a department of a project, or of the company (no project)."""
        department = organisation.get_department(self.db, department_id) if department_id else None
        default_project = department.project_id if department else project_id
        fields = [
            FormField(
                "name", self._label("department"), default=department.name if department else ""
            ),
            FormField(
                "project",
                self._label("project"),
                kind="choice",
                default=default_project or NONE,
                choices=(self._none("company_wide"), *self._projects(default_project)),
                required=False,
            ),
        ]

        def save(values: dict[str, str]) -> None:
            project = values["project"] or None
            city = organisation.get_project(self.db, project).city_company_id if project else None
            if department is not None:
                self.saved_id = organisation.edit_department(
                    self.db,
                    department.id,
                    name=values["name"],
                    project_id=project,
                    city_company_id=city,
                ).id
                return
            self.saved_id = organisation.add_department(
                self.db, values["name"], project, city_company_id=city
            ).id

        title = "orgscreen.form.department_edit" if department else "orgscreen.form.department_add"
        return self._form(title, fields, save)

    # people --------------------------------------------------------------------------------
    def person(self, person_id: str | None = None, project_id: str | None = None) -> FormDialog:
        """Add or edit a person: name, title, roles, city company, project, department, phone."""
        person = organisation.get_person(self.db, person_id) if person_id else None
        projects = dict(self._projects(person.project_id if person else None))
        company_wide = self.tr("orgscreen.company_wide")
        departments = self._keep(
            tuple(
                (d.id, f"{d.name}（{projects.get(d.project_id or '', company_wide)}）")
                for d in organisation.list_all_departments(self.db)
                if d.archived_at is None and (d.project_id is None or d.project_id in projects)
            ),
            "departments",
            person.department_id if person else None,
        )
        fields = [
            FormField("name", self._label("person"), default=person.name if person else ""),
            FormField(
                "title",
                self._label("title"),
                default=person.role if person else "",
                required=False,
                placeholder=self.tr("orgscreen.form.title_placeholder"),
            ),
            FormField(
                "roles",
                self._label("roles"),
                kind="many",
                default=",".join(r.value for r in person.roles) if person else "",
                choices=tuple((r.value, self.tr.enum(r)) for r in Role),
                required=False,
            ),
            FormField(
                "city",
                self._label("city"),
                kind="choice",
                default=(person.city_company_id or NONE) if person else NONE,
                choices=(self._none(), *self._cities(person.city_company_id if person else None)),
                required=False,
            ),
            FormField(
                "project",
                self._label("project"),
                kind="choice",
                default=(person.project_id or NONE) if person else (project_id or NONE),
                choices=(self._none("quality_department"), *projects.items()),
                required=False,
            ),
            FormField(
                "department",
                self._label("department"),
                kind="choice",
                default=(person.department_id or NONE) if person else NONE,
                choices=(self._none(), *departments),
                required=False,
            ),
            FormField(
                "phone",
                self._label("phone"),
                default=person.phone if person else "",
                required=False,
            ),
        ]

        def save(values: dict[str, str]) -> None:
            roles = [Role(r) for r in values["roles"].split(",") if r]
            title = values["title"] or (self.tr.enum(roles[0]) if roles else "")
            if not title:
                raise RuleError("orgscreen.err.title_or_role")
            phone = values["phone"]  # checked when new or changed: one kept from before stays
            if phone and phone != (person.phone if person else None) and not is_phone(phone):
                raise RuleError("errors.org.phone", value=values["phone"])
            project = values["project"] or None
            department = values["department"] or None
            if department is not None:
                owner = organisation.get_department(self.db, department).project_id
                if owner is not None and owner != project:
                    raise RuleError("orgscreen.err.department_elsewhere")
            city = values["city"] or None
            if project is not None:
                city = organisation.get_project(self.db, project).city_company_id
            changes: dict[str, Any] = {
                "name": values["name"],
                "role": title,
                "roles": roles,
                "project_id": project,
                "department_id": department,
                "city_company_id": city,
                "phone": values["phone"],
            }
            if person is not None:
                self.saved_id = organisation.edit_person(self.db, person.id, **changes).id
                return
            self.saved_id = organisation.add_person(
                self.db,
                values["name"],
                title,
                department,
                project,
                roles=roles,
                city_company_id=city,
                phone=values["phone"],
            ).id

        title = "orgscreen.form.person_edit" if person else "orgscreen.form.person_add"
        return self._form(title, fields, save, "orgscreen.form.person_hint")

    # sign-off PIN ------------------------------------------------------------------------
    def pin(self, person_id: str, actor: str) -> FormDialog:
        """签字密码: the acting person sets his first PIN or changes his own after the
        current one; for anyone else the form is an administrator's reset (recorded)."""
        from pqm_tui.model.clock import Clock
        from pqm_tui.services import pins
        from pqm_tui.services.signing import SigningError, key_path, protect_key

        person = organisation.get_person(self.db, person_id)
        own = actor in (person.id, person.name)
        change = own and bool(person.pin_hash)
        digits = self.tr("orgscreen.pin.digits")
        fields = [
            FormField("new", self.tr("orgscreen.pin.new"), "password", placeholder=digits),
            FormField("again", self.tr("orgscreen.pin.again"), "password", placeholder=digits),
        ]
        if change:
            fields.insert(0, FormField("current", self.tr("orgscreen.pin.current"), "password"))

        def save(values: dict[str, str]) -> None:
            new = values["new"]
            pins.check_format(new)
            if new != values["again"]:
                raise RuleError("orgscreen.err.pin_mismatch")
            if change:
                pins.change_pin(self.db, self.clock or Clock(), person.id, values["current"], new)
                old = values["current"].encode()
                if self.keys is not None and key_path(self.keys, person.id).is_file():
                    # the key follows the PIN it was protected with; one protected with
                    # another PIN needs a new key anyway
                    with suppress(SigningError):
                        protect_key(self.keys, person.id, new.encode(), old_secret=old)
            elif own:
                pins.set_first_pin(self.db, person.id, new)
            else:
                pins.reset_pin(self.db, person.id, new)
            self.saved_id = person.id

        title = "change" if change else ("first" if own else "reset")
        return FormDialog(
            self.tr(f"orgscreen.pin.title_{title}", person=person.name),
            fields,
            hint=self.tr(f"orgscreen.pin.hint_{title}", person=person.name),
            save=save,
        )
