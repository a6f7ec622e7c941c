"""The canonical YAML plan file: reading with YAML paths and line numbers, and writing."""

from __future__ import annotations

import enum
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from storage.planfile import bounds
from storage.planfile.checks import Collector, Loc, PlanFileError, Problem, SortKey, validate
from storage.planfile.schema import PlanFile

__all__ = ["dump_yaml", "parse_yaml"]


def parse_yaml(text: str) -> PlanFile:
    """Read a YAML plan (yaml.safe_load semantics, without aliases), or raise PlanFileError."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        if not isinstance(exc, _Refused):
            reason = f"YAML syntax error: {reason}"
        raise PlanFileError([Problem(f"line {line}", reason)]) from None
    except RecursionError:  # only if MAX_DEPTH were raised past what Python can take
        raise PlanFileError([Problem("file", "nested too deeply to read")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise PlanFileError([Problem("file", "the file is empty")])
    found = Collector(lambda loc: _locate(root, loc))
    _duplicate_keys(root, (), found)
    return validate(data, found)


class _Refused(ComposerError):
    """YAML that is well formed but not accepted in a plan file; reported as it is."""

    def __init__(self, reason: str, mark: Any) -> None:
        super().__init__(problem=reason, problem_mark=mark)


class _Loader(yaml.SafeLoader):
    """yaml.safe_load, bounded, and keeping what it cannot construct as text to be reported.

    An impossible date (2022-13-01) or number (``!!int abc``, 5,000 digits) stays text, so
    that the field it is in reports it. Nesting is capped before Python objects are built
    (the composer recurses once per level, so deep nesting would exhaust the stack), and so
    is the number of values. Aliases are refused: a plan has no use for them, and a few
    lines of them (a "billion laughs") expand to more values than memory holds.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise _Refused(
                f"aliases (*{event.anchor}) are not allowed in a plan file: write the value out",
                event.start_mark,
            )
        self._values += 1
        if self._values > bounds.MAX_YAML_VALUES:
            raise _Refused(
                f"more than {bounds.MAX_YAML_VALUES:,} values: too big for a plan file "
                "(is this the right file?)",
                event.start_mark,
            )
        if self._depth >= bounds.MAX_DEPTH:
            raise _Refused(
                f"nested too deeply (more than {bounds.MAX_DEPTH} levels)", event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_float(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


def _child(node: Node, part: str | int) -> Node | None:
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                found: Node = value
                return found
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        child: Node = node.value[part]
        return child
    return None


def _path(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "top level"


def _locate(root: Node, loc: Loc) -> tuple[SortKey, str]:
    """The YAML path of `loc` and the line of its node (or of the nearest enclosing one)."""
    node: Node | None = root
    line = root.start_mark.line + 1
    for part in loc:
        node = _child(node, part) if node is not None else None
        if node is not None:
            line = node.start_mark.line + 1
    return (line,), f"{_path(loc)} (line {line})"


def _duplicate_keys(node: Node, loc: Loc, found: Collector, seen: set[int] | None = None) -> None:
    """yaml.safe_load keeps the last of two equal keys; a plan file must not lose one silently."""
    seen = set() if seen is None else seen
    if id(node) in seen:  # aliases share nodes
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            here: Loc = (*loc, str(name))
            if name is not None and name in keys:
                line = key.start_mark.line + 1
                found.add(
                    (line,),
                    f"{_path(here)} (line {line})",
                    f"key '{name}' is given twice",
                    loc=here,
                )
            if name is not None:
                keys.add(name)
            _duplicate_keys(value, here, found, seen)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _duplicate_keys(item, (*loc, i), found, seen)


class _Dumper(yaml.SafeDumper):
    """Writes every value out: the reader refuses aliases (two equal dates would get one)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def plan_data(plan: PlanFile) -> dict[str, Any]:
    """The plan as plain data in the key order of PRODUCT.md, without unset optional fields."""
    data: dict[str, Any] = _plain(plan.model_dump())
    data.setdefault("agencies", [])
    data.setdefault("commitments", [])
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def dump_yaml(plan: PlanFile) -> str:
    """The canonical YAML text of a plan: parse_yaml(dump_yaml(p)) == p."""
    text: str = yaml.dump(
        plan_data(plan),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return text
