"""Limits of the files PQM imports (导入文件的限制): refused fast, in bounded memory.

Checklist files (YAML, Excel, CSV) and the organisation file pass through here
before anything reads them as data: their size, that they are text or a
workbook, their encoding, a workbook's uncompressed size (zip bombs), a YAML
file's nesting, aliases and numbers. Each refusal is one ``FileLimitError``
(a message id of ``errors.file.*``); the readers turn it into a problem of
their own file.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from pqm_tui.model.errors import PQMError, os_reason

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How big an imported file may be, as a file and as data."""

    max_bytes: int = 5 * MB  # the file on disk (settings: checklist_max_mb)
    max_unzipped: int = 50 * MB  # a workbook's members, uncompressed, together
    max_members: int = 500  # files inside a workbook
    max_nodes: int = 200_000  # YAML values, aliases expanded (a 300-item checklist: ~6,000)
    max_depth: int = 20  # YAML nesting (a checklist needs 7, the organisation file 4)
    max_digits: int = 30  # digits of a YAML integer (points are at most 100)
    max_rows: int = 2_000  # data rows of a sheet or CSV file (a checklist has a few hundred)
    max_columns: int = 40  # columns read per row

    @classmethod
    def of_megabytes(cls, megabytes: int) -> Limits:
        """Limits for a file of at most ``megabytes`` (the rest as defaults)."""
        return cls(max_bytes=megabytes * MB, max_unzipped=max(50, 10 * megabytes) * MB)


class FileLimitError(PQMError):
    """A file is refused as a file (too big, binary, not UTF-8, a bomb …): ``errors.file.*``."""


def check_size(path: Path, limits: Limits) -> None:
    """Refuse a file over the size limit, a folder, a missing or unreadable file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileLimitError("errors.file.unreadable", reason=os_reason(exc)) from None
    if path.is_dir():
        raise FileLimitError("errors.file.unreadable", reason=PQMError("errors.os.is_dir"))
    if size > limits.max_bytes:
        raise FileLimitError(
            "errors.file.too_big", size=f"{size / MB:.1f}", limit=f"{limits.max_bytes / MB:g}"
        )


def read_bytes(path: Path, limits: Limits) -> bytes:
    """The bytes of ``path``, refused unread when it is over the size limit."""
    check_size(path, limits)
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FileLimitError("errors.file.unreadable", reason=os_reason(exc)) from None
    if len(data) > limits.max_bytes:  # grew while read (a device, a pipe)
        raise FileLimitError(
            "errors.file.too_big",
            size=f">{limits.max_bytes / MB:g}",
            limit=f"{limits.max_bytes / MB:g}",
        )
    return data


def decode_text(data: bytes, *, legacy: bool) -> str:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with a BOM, and with ``legacy``
    GB18030 (GBK, as Excel in China saves CSV). Binary data and other encodings are refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _no_binary(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise FileLimitError("errors.file.encoding_utf16") from None
    if b"\x00" in data:
        raise FileLimitError("errors.file.binary")
    try:
        return _no_binary(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        position = exc.start
    if legacy:
        try:
            return _no_binary(data.decode("gb18030").removeprefix("\ufeff"))  # its own BOM
        except UnicodeDecodeError:
            pass
        raise FileLimitError("errors.file.encoding_legacy", position=position + 1)
    raise FileLimitError("errors.file.encoding", position=position + 1)


def _no_binary(text: str) -> str:
    """Refuse text with control characters no text file has (junk, an image renamed)."""
    sample = text[:65536]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r")
    if "\x00" in sample or controls > max(8, len(sample) // 100):
        raise FileLimitError("errors.file.binary")
    return text


# --- YAML -------------------------------------------------------------------------------


try:  # libyaml's parser (5× faster) under PyYAML's own composer, which counts below
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Events(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


class _LimitedLoader(Composer, _Events, SafeConstructor, Resolver):
    """A safe YAML loader that counts values (aliases expanded) and nesting while it
    composes, so a bomb or a deep file stops early instead of growing or recursing."""

    limits = Limits()

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._expanded = 0
        self._sizes: dict[int, int] = {}

    def _count(self, nodes: int) -> None:
        self._expanded += nodes
        if self._expanded > self.limits.max_nodes:
            raise FileLimitError("errors.file.yaml_too_many", limit=self.limits.max_nodes)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            anchor = getattr(self.peek_event(), "anchor", None)
            node = self.anchors.get(anchor)
            if node is not None:
                size = self._sizes.get(id(node))
                if size is None:  # the alias is inside its own anchor: endless
                    raise FileLimitError("errors.file.yaml_recursive", anchor=anchor)
                self._count(size)
            return super().compose_node(parent, index)  # type: ignore[return-value]
        self._depth += 1
        if self._depth > self.limits.max_depth:
            raise FileLimitError("errors.file.yaml_depth", limit=self.limits.max_depth)
        before = self._expanded
        self._count(1)
        composed = super().compose_node(parent, index)
        self._depth -= 1
        self._sizes[id(composed)] = self._expanded - before
        return composed  # type: ignore[return-value]

    def construct_yaml_int(self, node: ScalarNode) -> int:
        digits = sum(c.isalnum() for c in str(node.value))
        if digits > self.limits.max_digits:
            raise FileLimitError("errors.file.number_too_long", line=node.start_mark.line + 1)
        return int(super().construct_yaml_int(node))

    def construct_yaml_float(self, node: ScalarNode) -> float:
        if len(str(node.value)) > 64:
            raise FileLimitError("errors.file.number_too_long", line=node.start_mark.line + 1)
        return float(super().construct_yaml_float(node))


_LimitedLoader.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _LimitedLoader.construct_yaml_int
)
_LimitedLoader.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:float", _LimitedLoader.construct_yaml_float
)

# PyYAML's problems (English) → message ids; the first whose words occur is said.
YAML_PROBLEMS = (
    ("cannot start any token", "errors.file.yaml_tab"),
    ("mapping values are not allowed", "errors.file.yaml_colon"),
    ("could not find expected ':'", "errors.file.yaml_colon"),
    ("found unexpected end of stream", "errors.file.yaml_unclosed"),
    ("found unknown escape character", "errors.file.yaml_escape"),
    ("expected <block end>", "errors.file.yaml_indent"),
    ("did not find expected key", "errors.file.yaml_indent"),
    ("did not find expected '-' indicator", "errors.file.yaml_indent"),
    ("expected ',' or ']'", "errors.file.yaml_flow"),
    ("expected ',' or '}'", "errors.file.yaml_flow"),
    ("found undefined alias", "errors.file.yaml_alias"),
    ("unacceptable character", "errors.file.binary"),
    ("special characters are not allowed", "errors.file.binary"),
    ("found duplicate anchor", "errors.file.yaml_anchor"),
)


def load_yaml(text: str, limits: Limits) -> object:
    """YAML data within ``limits``; a syntax error is a ``FileLimitError`` with its line."""
    loader_class = type("Loader", (_LimitedLoader,), {"limits": limits})
    loader = None
    try:
        loader = loader_class(text)  # reads the text: a control character is said here
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        said = f"{getattr(exc, 'problem', '')} {getattr(exc, 'context', '')} {exc}"
        key = next((k for words, k in YAML_PROBLEMS if words in said), "errors.file.yaml_syntax")
        if mark is None:
            raise FileLimitError(key) from None
        raise FileLimitError(
            "errors.file.yaml_at",
            line=mark.line + 1,
            column=mark.column + 1,
            problem=FileLimitError(key),
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


# --- workbooks ----------------------------------------------------------------------------


def check_workbook(path: Path, limits: Limits) -> None:
    """Refuse a file that is not a workbook, or one whose members would unpack beyond the
    limits (a zip bomb), by the sizes its zip directory declares, before anything unpacks it.

    A member that unpacks to more than it declares fails its CRC check when read
    (``zipfile`` stops at the declared size), so the declared sizes bound the memory.
    """
    if not zipfile.is_zipfile(path):
        raise FileLimitError("errors.file.not_workbook")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileLimitError("errors.file.damaged") from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > limits.max_members or unpacked > limits.max_unzipped:
        raise FileLimitError(
            "errors.file.zip_bomb",
            size=f"{unpacked / MB:.0f}",
            limit=f"{limits.max_unzipped / MB:g}",
        )
