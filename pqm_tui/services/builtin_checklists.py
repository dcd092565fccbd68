"""Updating the built-in checklists (内置检查表更新), only when asked and after saying what.

PQM ships three checklists. They are installed once into a database
(:func:`pqm_tui.model.checklists.install_builtins`); a newer shipped content becomes
a new version only through ``pqm checklist update-builtins``, which first shows
:func:`plan_updates` — which checklist, from which version to which, how many items
are added, removed or changed — and applies it after confirmation. A checklist the
company imported or edited under a built-in's name is its own: it is left out unless
the user names it explicitly (``--replace-own``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import ChecklistSpec, ItemSpec, dump_checklist
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import ChecklistVersion


@dataclass(frozen=True)
class ItemChanges:
    """How the items of two contents differ, matched by item code."""

    added: int
    removed: int
    changed: int  # same code, other standard, method, points, rule, severity, photo, areas

    @property
    def items_differ(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class BuiltinUpdate:
    """One shipped checklist whose content differs from the database's latest version."""

    spec: ChecklistSpec
    current_version: int | None  # None: not installed yet
    new_version: int
    changes: ItemChanges
    company_own: bool  # the latest version is the company's import, not PQM's


def content_digest(spec: ChecklistSpec) -> str:
    """The SHA-256 a version of ``spec`` is stored under (as ``import_spec`` computes it)."""
    return hashlib.sha256(dump_checklist(spec).encode("utf-8")).hexdigest()


def _items(spec: ChecklistSpec) -> dict[str, tuple[str, ItemSpec]]:
    return {i.code: (s.code, i) for s in spec.sections for i in s.items}


def compare_items(old: ChecklistSpec, new: ChecklistSpec) -> ItemChanges:
    """Items added, removed and changed from ``old`` to ``new`` (by code)."""
    before, after = _items(old), _items(new)
    common = before.keys() & after.keys()
    return ItemChanges(
        added=len(after.keys() - before.keys()),
        removed=len(before.keys() - after.keys()),
        changed=sum(1 for code in common if before[code] != after[code]),
    )


def plan_updates(
    db: Database, *, replace_own: bool = False
) -> tuple[list[BuiltinUpdate], list[BuiltinUpdate]]:
    """(updates to apply, company checklists kept) for the shipped checklists that differ."""
    apply: list[BuiltinUpdate] = []
    kept: list[BuiltinUpdate] = []
    for spec in checklists.builtin_specs():
        checklist_id = checklists.checklist_id_by_name(db, spec.name)
        if checklist_id is None:
            added = ItemChanges(len(_items(spec)), 0, 0)
            apply.append(BuiltinUpdate(spec, None, 1, added, company_own=False))
            continue
        checklist = checklists.find_checklist(db, checklist_id)
        latest = checklists.get_latest_version(db, checklist_id)
        if latest.content_sha256 == content_digest(spec):
            continue
        stored = checklists.version_to_spec(checklists.load_version(db, latest.id))
        update = BuiltinUpdate(
            spec,
            latest.version,
            latest.version + 1,
            compare_items(stored, spec),
            company_own=not checklist.builtin,
        )
        (kept if update.company_own and not replace_own else apply).append(update)
    return apply, kept


def apply_updates(
    db: Database, clock: Clock, updates: list[BuiltinUpdate]
) -> list[ChecklistVersion]:
    """Store each update's shipped content as the checklist's new version."""
    return [checklists.import_spec(db, u.spec, clock, builtin=True)[0] for u in updates]
