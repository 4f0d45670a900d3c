"""The one-door contract: an app's services and selectors are all that others may import.

import-linter's own contracts give the layer order; this one checks, for each guarded app X:
- another app, the demo or X's own interface modules (views, urls, forms, tasks, admin,
  commands) import only X.services and X.selectors, plus X.models where a model module needs
  the class for a foreign key;
- the modules inside X.services and X.selectors are private to X (callers use the package).
Imports inside `if TYPE_CHECKING:` do not count (type hints are not calls), nor migrations.
"""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output

PUBLIC = ("services", "selectors")
# Modules through which users and machines reach an app: they call its public surface only.
# The REST API's own plumbing (DRF: serializers ... problems) is the same door as views.
INTERFACE_NAMES = (
    "views",
    "urls",
    "forms",
    "tasks",
    "admin",
    "apps",
    "serializers",
    "permissions",
    "authentication",
    "pagination",
    "throttling",
    "problems",
)
INTERFACE_SUFFIXES = ("_views", "_urls", "_forms")


@dataclass(frozen=True)
class Breach:
    importer: str
    imported: str
    lines: tuple[int, ...]
    why: str


def _parts(module: str) -> list[str]:
    return module.split(".")


def _is_interface(module: str) -> bool:
    parts = _parts(module)
    if len(parts) < 2:
        return False
    if "management" in parts[1:2]:
        return True
    name = parts[1]
    return name in INTERFACE_NAMES or name.endswith(INTERFACE_SUFFIXES)


def _in_public(module: str, app: str) -> str | None:
    """Return 'package' for X.services itself, 'inside' for one of its modules, else None."""
    parts = _parts(module)
    if parts[0] != app or len(parts) < 2 or parts[1] not in PUBLIC:
        return None
    return "package" if len(parts) == 2 else "inside"


class PublicSurfaceContract(Contract):
    """Other apps and an app's interface modules import only its services and selectors."""

    type_name = "public_surface"

    apps = fields.ListField(subfield=fields.StringField())
    # Apps whose every module others may import (the shared kernel), services' insides excepted.
    shared = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    # Importers exempt from the rule: they only wire URLs and settings together.
    exempt = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        guarded = set(self.apps) | set(self.shared)  # type: ignore[call-overload]
        shared = set(self.shared)  # type: ignore[call-overload]
        exempt = set(self.exempt)  # type: ignore[call-overload]
        breaches: list[Breach] = []
        for importer in sorted(graph.modules):
            top = _parts(importer)[0]
            if top in exempt or ".migrations" in importer:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                app = _parts(imported)[0]
                if app not in guarded:
                    continue
                why = self._why_not(importer, imported, app, app in shared)
                if why:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(sorted({d["line_number"] for d in details}))
                    breaches.append(Breach(importer, imported, lines, why))
        return ContractCheck(kept=not breaches, metadata={"breaches": breaches})

    @staticmethod
    def _why_not(importer: str, imported: str, app: str, shared: bool) -> str:
        """Say why the import breaks the contract, or return '' if it keeps it."""
        own = _parts(importer)[0] == app
        public = _in_public(imported, app)
        if public == "inside":
            inside_same = own and _in_public(importer, app) is not None
            if inside_same or (own and not _is_interface(importer)):
                return ""
            return f"import {app}.{_parts(imported)[1]}, not its module {imported}"
        if public == "package" or shared:
            return ""
        if own:
            if not _is_interface(importer):
                return ""
            if _parts(imported)[1:2] == ["models"] or _is_interface(imported):
                return ""
            return f"an interface: reach {imported} through {app}.services or {app}.selectors"
        if imported == f"{app}.models" and _parts(importer)[1:2] == ["models"]:
            return ""  # a foreign key needs the class
        return f"another app: use {app}.services or {app}.selectors, not {imported}"

    def render_broken_contract(self, check: ContractCheck) -> None:
        for breach in check.metadata["breaches"]:
            lines = ", ".join(f"l.{n}" for n in breach.lines)
            output.print_error(f"- {breach.importer} -> {breach.imported} ({lines})", bold=False)
            output.print_error(f"  {breach.why}", bold=False)
            output.new_line()
