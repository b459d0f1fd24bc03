"""Read YAML data files safely and point at the line of any problem.

Why: inventories come from people and from spreadsheets. PyYAML's C loader crashes (segfault) on
a few tens of thousands of nested brackets, and anchors/aliases let a 400-byte file expand to
gigabytes once anything walks it. An inventory needs neither, so a streaming pre-scan of the
parser's events (not recursive, bounded by the file size) refuses them before anything is built,
and catches duplicate keys, which PyYAML would silently overwrite. Scalars that look like a number,
a date or a boolean but cannot be one (« 2026-13-45 », « 0b_ », 5,000 digits, ``!!bool maybe``) make
PyYAML's constructors raise ValueError and the like: they are reported with their line instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from sovdiag.errors import InputFileError, Problem, ValidationFailed

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_BITS = 1024  # beyond a float's range: no field of these files needs more

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BadScalar(yaml.constructor.ConstructorError):
    """A scalar read as a number, a date, a boolean or base64 (by its look or its tag) that is none."""

    def __init__(self, message_key: str, value: str, mark: yaml.Mark | None) -> None:
        super().__init__(None, None, message_key, mark)
        self.message_key = message_key
        self.value = value


_SCALAR_ERRORS = (ValueError, OverflowError, KeyError, AttributeError, TypeError, IndexError)


def _guarded(tag: str, message_key: str) -> Any:
    """PyYAML's constructor for ``tag``, with what it raises on a bad scalar turned into a located error.

    PyYAML's resolver accepts what its constructors cannot build: « 2026-13-45 », « 0000-01-01 », a
    time zone of 25 hours, « 0b_ », integers of more than 4,300 digits (Python's conversion limit);
    an explicit tag does the same with anything (``!!bool maybe``, ``!!timestamp x``, ``!!int ""``).
    Integers too big to print are refused too: every message that quotes them would fail.
    """
    construct = _Base.yaml_constructors[tag]

    def build(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            value = construct(loader, node)
        except _SCALAR_ERRORS as err:
            raise _BadScalar(message_key, str(node.value), node.start_mark) from err
        if isinstance(value, int) and abs(value).bit_length() > MAX_INT_BITS:
            raise _BadScalar(message_key, str(node.value), node.start_mark)
        return value

    return build


# A subclass, so that PyYAML's own loaders keep their constructors.
_Loader: type[yaml.SafeLoader] = type("_Loader", (_Base,), {})
for _tag, _key in (
    ("int", "problem.bad_number"),
    ("float", "problem.bad_number"),
    ("timestamp", "problem.bad_date"),
    ("bool", "problem.bad_value"),
    ("binary", "problem.bad_value"),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _guarded(f"tag:yaml.org,2002:{_tag}", _key))


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    """PyYAML's mapping, refusing two keys written differently that read as one (``1``/``01``,
    ``yes``/``true``): the scan compares keys as written, and PyYAML would keep only the last."""
    mapping: dict[Any, Any] = _Base.construct_mapping(loader, node, deep=deep)
    if len(mapping) != len(node.value):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise _BadScalar("problem.same_key", str(key_node.value), key_node.start_mark)
            seen.add(key)
    return mapping


_Loader.construct_mapping = _construct_mapping  # type: ignore[assignment, method-assign]
# A lone « = » (a spreadsheet cell) resolves to YAML 1.1's "value" tag, which no safe constructor
# builds: read it as the text it is.
_Loader.add_constructor("tag:yaml.org,2002:value", _Base.yaml_constructors["tag:yaml.org,2002:str"])


def shorten(text: str, limit: int = 80) -> str:
    """A value quoted in a problem: a 1 MB cell must not become a 1 MB message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of an input file, refusing a folder, a missing or unreadable file, or more than ``max_bytes``."""
    name = str(path)
    try:
        if path.is_dir():
            raise InputFileError("error.is_directory", file=name)
        size = path.stat().st_size
        if size <= max_bytes:
            # Devices and pipes say 0: read no more than the limit (/dev/zero never ends).
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
            size = len(data)
        if size > max_bytes:
            raise InputFileError(
                "error.file_too_big", file=name, size=size // (1024 * 1024), limit=max_bytes // (1024 * 1024)
            )
    except FileNotFoundError as err:
        raise InputFileError("error.file_not_found", file=name) from err
    except PermissionError as err:
        raise InputFileError("error.file_not_readable", file=name, reason=err.strerror) from err
    except OSError as err:
        raise InputFileError("error.file_not_readable", file=name, reason=err.strerror or str(err)) from err
    return data


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file (with or without BOM), refusing what cannot be an input file."""
    name = str(path)
    data = read_bytes(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputFileError("error.not_utf8", file=name, line=line, byte=err.start) from err
    if "\x00" in text:
        raise InputFileError("error.binary_file", file=name)
    if not text.strip():
        raise InputFileError("error.empty_file", file=name)
    return text


class _Frame:
    __slots__ = ("expect_key", "is_mapping", "keys")

    def __init__(self, is_mapping: bool) -> None:
        self.is_mapping = is_mapping
        self.expect_key = True
        self.keys: set[str] = set()


_NODE_START = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
_NODE_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _scan(text: str, file: str) -> list[Problem]:
    """Walk the parser's events once: no anchors, no aliases, bounded depth, unique keys."""
    problems: list[Problem] = []
    stack: list[_Frame] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _NODE_END):
                stack.pop()
                continue
            if not isinstance(event, _NODE_START):
                continue
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
                problems.append(Problem(file, _msg("problem.alias"), line=line))
                return problems
            if stack and stack[-1].is_mapping:
                frame = stack[-1]
                if frame.expect_key and isinstance(event, yaml.ScalarEvent):
                    if event.value == "<<" and not event.style:  # plain, not quoted
                        # A merge key copies keys from another mapping and may silently overwrite them.
                        problems.append(Problem(file, _msg("problem.merge_key"), line=line))
                    if event.value in frame.keys:
                        message = _msg("problem.duplicate_key", key=shorten(event.value))
                        problems.append(Problem(file, message, line=line))
                    frame.keys.add(event.value)
                frame.expect_key = not frame.expect_key
            if not isinstance(event, yaml.ScalarEvent):
                if len(stack) >= MAX_DEPTH:
                    problems.append(Problem(file, _msg("problem.too_deep", limit=MAX_DEPTH), line=line))
                    return problems
                stack.append(_Frame(isinstance(event, yaml.MappingStartEvent)))
    except yaml.MarkedYAMLError as err:
        problems.append(_syntax_problem(err, file, text))
    except yaml.reader.ReaderError as err:
        problems.append(_reader_problem(err, file, text))
    except yaml.YAMLError as err:
        problems.append(Problem(file, _msg("problem.yaml_syntax", detail=str(err))))
    return problems


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks


def _syntax_problem(err: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    detail = err.problem or str(err)
    if mark is None or not hasattr(mark, "line"):
        return Problem(file, _msg("problem.yaml_syntax", detail=detail))
    # libyaml puts the end of a file without a final line break on the line after it.
    line: int = mark.line + 1
    column: int | None = mark.column + 1
    last = len(_LINE_BREAK.findall(text)) + 1
    if line > last:
        line, column = last, None
    if isinstance(err, _BadScalar):
        return Problem(file, _msg(err.message_key, value=shorten(err.value, 40)), line=line, column=column)
    return Problem(file, _msg("problem.yaml_syntax", detail=detail), line=line, column=column)


def _reader_problem(err: yaml.reader.ReaderError, file: str, text: str) -> Problem:
    """A character YAML refuses (control characters, U+FFFE…): name it and give its line."""
    if not isinstance(err.character, int):
        return Problem(file, _msg("problem.yaml_syntax", detail=str(err)))
    detail = f"#x{err.character:04x}: {err.reason}"
    at = text.find(chr(err.character))  # the reader stops at the first one
    line = len(_LINE_BREAK.findall(text, 0, at)) + 1 if at >= 0 else None
    return Problem(file, _msg("problem.yaml_syntax", detail=detail), line=line)


def _msg(message_key: str, **params: Any) -> str:
    from sovdiag.messages import translate

    return translate(message_key, **params)


def load_yaml(text: str, file: str, kind: str = "inventory") -> Any:
    """Parse YAML text after the safety scan; raise ValidationFailed with line numbers."""
    problems = _scan(text, file)
    if problems:
        raise ValidationFailed(file, problems, kind)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from CSafeLoader or SafeLoader
    except yaml.MarkedYAMLError as err:  # a scalar that cannot be built (the scan does not build any)
        raise ValidationFailed(file, [_syntax_problem(err, file, text)], kind) from err


def load_yaml_file(path: Path, kind: str = "inventory") -> tuple[str, Any]:
    text = read_text(path)
    return text, load_yaml(text, str(path), kind)


class LineLocator:
    """Find the line of a key path such as ('services', 3, 'contract', 'end') in YAML text.

    The node tree is composed on the first question only, so valid files pay nothing for it.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False

    def _tree(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=_Loader)
            except yaml.YAMLError:
                self._root = None
        return self._root

    def line_of(self, path: Sequence[str | int]) -> int | None:
        node = self._tree()
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in path:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                        # Point at the key: a missing value ("end:") would otherwise point further.
                        child = value_node
                        line = key_node.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                return line
            node = child
        return line
