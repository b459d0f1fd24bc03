"""Read YAML data files safely and point at the line of any problem.

Why: inventories come from people and from spreadsheets. PyYAML's C loader crashes (segfault) on
a few tens of thousands of nested brackets, and anchors/aliases let a 400-byte file expand to
gigabytes once anything walks it. An inventory needs neither, so a streaming pre-scan of the
parser's events (not recursive, bounded by the file size) refuses them before anything is built,
and catches duplicate keys, which PyYAML would silently overwrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from sovdiag.errors import InputFileError, Problem, ValidationFailed

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file (with or without BOM), refusing what cannot be an input file."""
    name = str(path)
    try:
        if path.is_dir():
            raise InputFileError("error.is_directory", file=name)
        size = path.stat().st_size
        if size > max_bytes:
            raise InputFileError(
                "error.file_too_big", file=name, size=size // (1024 * 1024), limit=max_bytes // (1024 * 1024)
            )
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise InputFileError("error.file_not_found", file=name) from err
    except PermissionError as err:
        raise InputFileError("error.file_not_readable", file=name, reason=err.strerror) from err
    except OSError as err:
        raise InputFileError("error.file_not_readable", file=name, reason=err.strerror or str(err)) from err
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
                    if event.value in frame.keys:
                        problems.append(Problem(file, _msg("problem.duplicate_key", key=event.value), line=line))
                    frame.keys.add(event.value)
                frame.expect_key = not frame.expect_key
            if not isinstance(event, yaml.ScalarEvent):
                if len(stack) >= MAX_DEPTH:
                    problems.append(Problem(file, _msg("problem.too_deep", limit=MAX_DEPTH), line=line))
                    return problems
                stack.append(_Frame(isinstance(event, yaml.MappingStartEvent)))
    except yaml.MarkedYAMLError as err:
        problems.append(_syntax_problem(err, file))
    except yaml.YAMLError as err:
        problems.append(Problem(file, _msg("problem.yaml_syntax", detail=str(err))))
    return problems


def _syntax_problem(err: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    detail = err.problem or str(err)
    if mark is None or not hasattr(mark, "line"):
        return Problem(file, _msg("problem.yaml_syntax", detail=detail))
    return Problem(file, _msg("problem.yaml_syntax", detail=detail), line=mark.line + 1, column=mark.column + 1)


def _msg(message_key: str, **params: Any) -> str:
    from sovdiag.messages import translate

    return translate(message_key, **params)


def load_yaml(text: str, file: str, kind: str = "inventory") -> Any:
    """Parse YAML text after the safety scan; raise ValidationFailed with line numbers."""
    problems = _scan(text, file)
    if problems:
        raise ValidationFailed(file, problems, kind)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is CSafeLoader or SafeLoader
    except yaml.MarkedYAMLError as err:  # the scan saw the same text; kept for safety
        raise ValidationFailed(file, [_syntax_problem(err, file)], kind) from err


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
