"""A contract type for import-linter that it lacks: "from another capability, only its faces".

A capability (a sub-package of ``congress``) is used by the others only through its faces:
``services`` (commands), ``queries`` (reads), ``signals`` (what it announces or asks) and ``models``
(foreign keys, type hints), plus a few named extra modules (``accounts.access``, the view guards,
and ``accounts.permissions``, the permission rules). Any other direct import of a capability's
module from outside that capability breaks the contract: its views, forms, helpers and private
modules are its own. Modules outside every capability (the foundation and the app wiring at the
top level of ``congress``) are held to the same rule.

Configured in pyproject.toml under ``[tool.importlinter]`` as ``contract_types = ["faces:
scripts.importlinter_contracts.FacesContract"]`` (``lint-imports`` puts the working directory on
``sys.path``, so this module is importable from the repository root).
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import contract_utils, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class FacesContract(Contract):
    """Options:
    - ``container``: the package whose sub-packages are the capabilities (``congress``).
    - ``faces``: module names that are a capability's face (``services``, ``queries``, …); a face
      may be a package (``models/``), its sub-modules count as the face too.
    - ``extra_faces``: further modules that may be imported from outside (``congress.accounts.access``).
    - ``exempt``: importers the rule does not apply to (optional).
    - ``ignore_imports``: import expressions to leave out, each with its reason in a comment (optional).
    """

    type_name = "faces"

    container = fields.StringField()
    faces = fields.SetField(subfield=fields.StringField())
    extra_faces = fields.SetField(subfield=fields.StringField(), required=False, default=set())
    exempt = fields.SetField(subfield=fields.StringField(), required=False, default=set())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        container = str(self.container)
        capabilities = {m.split(".")[1] for m in graph.modules
                        if m.startswith(container + ".") and graph.find_children(f"{container}.{m.split('.')[1]}")}
        faces = {str(f) for f in self.faces}  # type: ignore[attr-defined]
        extra = {str(f) for f in self.extra_faces}  # type: ignore[attr-defined]
        exempt = {str(f) for f in self.exempt}  # type: ignore[attr-defined]
        broken = []
        for importer in sorted(graph.modules):
            if not importer.startswith(container + ".") and importer != container or importer in exempt:
                continue
            own = _capability(importer, container, capabilities)
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                theirs = _capability(imported, container, capabilities)
                if theirs is None or theirs == own or _is_face(imported, container, theirs, faces, extra):
                    continue
                lines = tuple(d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported))
                broken.append({"importer": importer, "imported": imported, "line_numbers": lines})
        return ContractCheck(kept=not broken, warnings=list(removal.warnings),
                             ignored_import_count=removal.ignored_import_count, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["broken"]:
            lines = ", ".join(f"l.{n}" for n in item["line_numbers"])
            output.print_error(f"{item['importer']} -> {item['imported']} ({lines}): not a face of that capability",
                               bold=False)
        output.new_line()
        output.print("From another capability import only its services, queries, signals or models "
                     "(see docs/architecture.md).")


def _capability(module: str, container: str, capabilities: set[str]) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != container or parts[1] not in capabilities:
        return None
    return parts[1]


def _is_face(module: str, container: str, capability: str, faces: set[str], extra: set[str]) -> bool:
    parts = module.split(".")
    if len(parts) == 2:  # the package itself (its __init__)
        return True
    if parts[2] in faces:
        return True
    return any(module == e or module.startswith(e + ".") for e in extra)
