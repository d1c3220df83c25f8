"""The round manifest: what each raw table is, column by column, read from data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tbu_analysis.common.errors import InputError
from tbu_analysis.common.yamlio import LineDict, line_of, load_yaml

MEASURES = {
    "forskrift", "finansieringsbehov", "kostnadsnivå", "påløpt", "prognose", "prognoseavvik",
    "endring", "overførte_midler",
}
COLUMN_ROLES = {"value", "base", "driver", "level", "deduction", "funding", "total_change"}
ROWS_ARE = {"solutions", "items"}


@dataclass(frozen=True)
class PriceBasis:
    label: str
    price_year: int
    nominal_year: int


@dataclass(frozen=True)
class ColumnSpec:
    index: int
    header: str
    measure: str
    year: int
    role: str
    price_basis: PriceBasis
    category: str = ""
    base_year: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class TotalSpec:
    row: str
    parts: tuple[str, ...] | None = None
    line: int | None = None


@dataclass(frozen=True)
class IdentitySpec:
    result: int
    parts: tuple[int, ...]
    text: str
    line: int | None = None


@dataclass(frozen=True)
class AnnotationSpec:
    row: str
    column: int
    text: str
    line: int | None = None


@dataclass(frozen=True)
class TableSpec:
    id: str
    file: Path
    number: str
    title: str
    document: str
    section: str
    role: str
    rows_are: str
    header_rows: int
    columns: dict[int, ColumnSpec]
    totals: tuple[TotalSpec, ...]
    identities: tuple[IdentitySpec, ...] = ()
    annotations: tuple[AnnotationSpec, ...] = ()
    note_rows: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()
    solution: str = ""
    parent: str = ""
    base_column: int | None = None
    percent_row: str = ""
    percent_decimals: int | None = None
    primary: bool = False
    precision: str = ""
    lines: tuple[int, int] | None = None
    line: int | None = None
    reference: str = ""

    @property
    def label(self) -> str:
        """How readers see the table named: its number, unless another table shares it."""
        return self.reference or self.number

    @property
    def total_rows(self) -> set[str]:
        return {t.row for t in self.totals}


@dataclass(frozen=True)
class Manifest:
    path: Path
    round_id: str
    title: str
    season: str
    unit: str
    source: dict[str, Any]
    tables: tuple[TableSpec, ...] = field(default_factory=tuple)
    label: str = ""

    @property
    def primary(self) -> TableSpec:
        """The overview table (solution × year) that bills and the report's overview use."""
        return next(t for t in self.tables if t.primary)

    def table(self, table_id: str) -> TableSpec:
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)


def _require(mapping: Any, key: str, path: Path, what: str) -> Any:
    if not isinstance(mapping, dict):
        raise InputError(f"{what} må være en tabell (mapping)", path=path, line=line_of(mapping))
    if key not in mapping or mapping[key] in (None, ""):
        raise InputError(f"{what} mangler «{key}»", path=path, line=line_of(mapping))
    return mapping[key]


def _int(value: Any, path: Path, line: int | None, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} må være et heltall", path=path, line=line, text=str(value))
    return value


def _price_basis(raw: Any, path: Path) -> PriceBasis:
    return PriceBasis(
        label=str(_require(raw, "label", path, "price_basis")),
        price_year=_int(_require(raw, "price_year", path, "price_basis"), path, line_of(raw),
                        "price_year"),
        nominal_year=_int(_require(raw, "nominal_year", path, "price_basis"), path, line_of(raw),
                          "nominal_year"),
    )


def _column(index: Any, raw: Any, path: Path, line: int | None) -> ColumnSpec:
    index = _int(index, path, line, "kolonnenummer")
    measure = _require(raw, "measure", path, f"kolonne {index}")
    if measure not in MEASURES:
        raise InputError(
            f"ukjent measure (kjente: {', '.join(sorted(MEASURES))})",
            path=path, line=line_of(raw, "measure"), text=str(measure),
        )
    role = _require(raw, "role", path, f"kolonne {index}")
    if role not in COLUMN_ROLES:
        raise InputError("ukjent role", path=path, line=line_of(raw, "role"), text=str(role))
    base_year = raw.get("base_year")
    return ColumnSpec(
        index=index,
        header=str(_require(raw, "header", path, f"kolonne {index}")),
        measure=measure,
        year=_int(_require(raw, "year", path, f"kolonne {index}"), path, line_of(raw, "year"),
                  "year"),
        role=role,
        price_basis=_price_basis(_require(raw, "price_basis", path, f"kolonne {index}"), path),
        category=str(raw.get("category") or ""),
        base_year=_int(base_year, path, line_of(raw, "base_year"), "base_year")
        if base_year is not None else None,
        line=line or line_of(raw),
    )


def _table(raw: Any, base: Path, path: Path) -> TableSpec:
    table_id = str(_require(raw, "id", path, "tabell"))
    what = f"tabell {table_id}"
    rows_are = _require(raw, "rows_are", path, what)
    if rows_are not in ROWS_ARE:
        raise InputError("rows_are må være solutions eller items", path=path,
                         line=line_of(raw, "rows_are"), text=str(rows_are))
    if rows_are == "items" and not raw.get("solution"):
        raise InputError(f"{what}: en tabell med aktiviteter må ha «solution»", path=path,
                         line=line_of(raw))
    columns_raw = _require(raw, "columns", path, what)
    if not isinstance(columns_raw, dict):
        raise InputError(f"{what}: columns må være en mapping", path=path,
                         line=line_of(raw, "columns"))
    columns = {
        _int(k, path, line_of(columns_raw, k), "kolonnenummer"):
            _column(k, v, path, line_of(columns_raw, k)) for k, v in columns_raw.items()
    }
    base_column = raw.get("base_column")
    if base_column is not None and (_int(base_column, path, line_of(raw, "base_column"),
                                         "base_column") not in columns):
        raise InputError(f"{what}: base_column er ikke en av kolonnene", path=path,
                         line=line_of(raw, "base_column"), text=str(base_column))
    percent_decimals = raw.get("percent_decimals")
    if percent_decimals is not None:
        _int(percent_decimals, path, line_of(raw, "percent_decimals"), "percent_decimals")
    totals = tuple(
        TotalSpec(
            row=str(_require(t, "row", path, f"{what}: totals")),
            parts=tuple(str(p) for p in t["parts"]) if t.get("parts") else None,
            line=line_of(t),
        )
        for t in raw.get("totals") or []
    )
    identities = tuple(
        IdentitySpec(
            result=_int(_require(i, "result", path, "identity"), path, line_of(i), "result"),
            parts=tuple(_int(p, path, line_of(i), "parts") for p in _require(i, "parts", path,
                                                                              "identity")),
            text=str(i.get("text", "")),
            line=line_of(i),
        )
        for i in raw.get("identities") or []
    )
    annotations = tuple(
        AnnotationSpec(
            row=str(_require(a, "row", path, "annotation")),
            column=_int(_require(a, "column", path, "annotation"), path, line_of(a), "column"),
            text=str(_require(a, "text", path, "annotation")),
            line=line_of(a),
        )
        for a in raw.get("annotations") or []
    )
    file_value = str(_require(raw, "file", path, what))
    lines = raw.get("lines")
    return TableSpec(
        id=table_id,
        file=base / file_value,
        number=str(_require(raw, "number", path, what)),
        title=str(_require(raw, "title", path, what)),
        document=str(raw.get("document", "")),
        section=str(raw.get("section", "")),
        role=str(_require(raw, "role", path, what)),
        rows_are=rows_are,
        header_rows=_int(_require(raw, "header_rows", path, what), path,
                         line_of(raw, "header_rows"), "header_rows"),
        columns=columns,
        totals=totals,
        identities=identities,
        annotations=annotations,
        note_rows=tuple(str(r) for r in raw.get("note_rows") or []),
        footnotes=tuple(str(f) for f in raw.get("footnotes") or []),
        solution=str(raw.get("solution") or ""),
        parent=str(raw.get("parent") or ""),
        base_column=base_column,
        percent_row=str(raw.get("percent_row") or ""),
        percent_decimals=percent_decimals,
        primary=bool(raw.get("primary", False)),
        precision=str(raw.get("precision") or ""),
        lines=tuple(lines) if lines else None,
        line=line_of(raw),
        reference=str(raw.get("reference") or ""),
    )


def load_manifest(path: str | Path) -> Manifest:
    path = Path(path)
    raw = load_yaml(path)
    if not isinstance(raw, LineDict):
        raise InputError("manifestet må være en YAML-mapping", path=path)
    tables_raw = _require(raw, "tables", path, "manifestet")
    tables = tuple(_table(t, path.parent, path) for t in tables_raw)
    primaries = [t for t in tables if t.primary]
    if len(primaries) != 1 or primaries[0].role != "oversikt":
        raise InputError("nøyaktig én tabell med role: oversikt må ha primary: true",
                         path=path, line=line_of(raw, "tables"))
    seen: set[str] = set()
    for table in tables:
        if table.id in seen:
            raise InputError("tabell-id står to ganger", path=path, line=table.line,
                             text=table.id)
        seen.add(table.id)
        if not table.file.is_file():
            raise InputError(
                f"tabell {table.id}: filen finnes ikke", path=path,
                line=line_of(next(t for t in tables_raw if t.get("id") == table.id), "file"),
                text=str(table.file.relative_to(path.parent)),
            )
    return Manifest(
        path=path,
        round_id=str(_require(raw, "round", path, "manifestet")),
        title=str(raw.get("title", "")),
        season=str(raw.get("season", "")),
        unit=str(raw.get("unit", "MNOK")),
        source=dict(raw.get("source") or {}),
        tables=tables,
        label=str(raw.get("label") or raw.get("round")),
    )
