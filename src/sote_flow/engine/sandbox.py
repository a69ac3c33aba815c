"""Allow-list sandbox for the Python in diagrams: conditions, scripts, timers, DMN cells.

Code is checked against allow-lists, rewritten so that loops, calls and growing operations charge
a per-evaluation budget, and run with a few safe builtins. One C-level operation on data shared
many times over (hashing t after 60 rounds of t = (t, t)) can still run long: run engine steps
in workers with a timeout and a memory limit too."""

from __future__ import annotations

import ast
import builtins
import itertools
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from types import CodeType, MappingProxyType
from typing import Any, Literal, NoReturn
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment


class SandboxError(Exception):
    """Diagram code was refused, or it exceeded its evaluation budget."""


class SandboxTimeout(SandboxError):
    """An evaluation ran past its wall-clock safety net (only time, not steps or sizes)."""


# fmt: off
_EXPRESSION_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.IfExp, ast.Call, ast.keyword, ast.Attribute, ast.Subscript,
    ast.Slice, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp,
    ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.JoinedStr, ast.FormattedValue,
)
_STATEMENT_NODES: tuple[type[ast.AST], ...] = (
    ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.If, ast.For, ast.Pass,
    ast.Break, ast.Continue,
)
_REFUSED: dict[type[ast.AST], str] = {  # others are named "try statements" and so on
    ast.Import: "imports", ast.ImportFrom: "imports", ast.FunctionDef: "function definitions",
    ast.ClassDef: "class definitions", ast.While: "while loops", ast.Delete: "del statements",
    ast.NamedExpr: "assignment expressions (:=)", ast.Starred: "starred expressions (*x)",
}
# Fields and methods of str, list, dict, set, date, datetime and timedelta that cannot reach
# interpreter internals; join, replace and extend are rewritten to size-checking guards.
_GUARDED_METHODS = frozenset({"join", "replace", "extend"})
_ATTRIBUTES = _GUARDED_METHODS | {
    "lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit",
    "splitlines", "find", "count", "index", "isdigit", "isalpha", "isalnum", "isspace", "title",
    "capitalize", "casefold", "get", "items", "keys", "values", "setdefault", "pop", "append",
    "insert", "remove", "sort", "reverse", "copy", "update", "add", "discard", "union",
    "intersection", "difference", "issubset", "issuperset", "year", "month", "day", "hour",
    "minute", "second", "weekday", "isoweekday", "isoformat", "fromisoformat", "strftime",
    "date", "days", "seconds", "total_seconds",
}
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "Add": operator.add, "Mult": operator.mul, "Mod": operator.mod, "Pow": operator.pow,
    "LShift": operator.lshift,
}
# fmt: on
_PYTHON_BUILTINS = frozenset(dir(builtins))
_WIDE_PRINTF = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d{4}|\d*\.(\*|\d{4}))")
_ITEMS_PER_STEP = 100  # copying about this many items costs as much as one interpreted step
# Returned or stored values may outgrow one operation's max_size (task data grows over many
# steps) but stay bounded: parts shared many times over multiply when serialized.
_STORED_SIZE_FACTOR = 100
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_SEQUENCES = (str, bytes, list, tuple)
_SCALARS = (str, int, float, bool, type(None), datetime, timedelta, UUID)  # Spiff serializes
_KEYS = (str, int, float, bool, type(None))
_MAX_DEPTH = 100  # the serializer and str() recurse once per level or more
_TOO_LARGE = "value would be too large (more than {} items or characters)"


class _Rewriter(ast.NodeTransformer):
    """Refuse code outside the allow-lists; route loops, calls and growth through the guards."""

    def __init__(self, script: bool) -> None:
        self.script = script
        self.allowed = _EXPRESSION_NODES + (_STATEMENT_NODES if script else ())
        self.loaded: set[str] = set()
        self.stored: set[str] = set()

    def refuse(self, node: ast.AST, message: str) -> NoReturn:
        line = getattr(node, "lineno", None)
        raise SandboxError(f"{message} (line {line})" if self.script and line else message)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if not isinstance(node, self.allowed):
            kind = "statements" if isinstance(node, ast.stmt) else "expressions"
            what = _REFUSED.get(type(node), f"{type(node).__name__.lower()} {kind}")
            self.refuse(node, f"{what} are not allowed")
        return super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id.startswith("_"):
            self.refuse(node, f"name {node.id!r} is not allowed")
        (self.loaded if isinstance(node.ctx, ast.Load) else self.stored).add(node.id)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        self.generic_visit(node)  # first, so that the refusal names the innermost culprit
        if node.attr not in _ATTRIBUTES:
            self.refuse(node, f"attribute {node.attr!r} is not allowed")
        if not isinstance(node.ctx, ast.Load):
            self.refuse(node, "assigning to attributes is not allowed")
        if node.attr in _GUARDED_METHODS:
            return _guard("_method", node.value, ast.Constant(node.attr))
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        sliced = isinstance(node.slice, ast.Slice)
        if sliced and not isinstance(node.ctx, ast.Load):
            self.refuse(node, "assigning to slices is not allowed")
        self.generic_visit(node)
        return _guard("_result", node) if sliced else node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.FormattedValue:
        parts = node.format_spec.values if isinstance(node.format_spec, ast.JoinedStr) else []
        if not all(isinstance(part, ast.Constant) for part in parts):
            self.refuse(node, "replacement fields inside a format specification are not allowed")
        if re.search(r"\d{4}", "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))):
            self.refuse(node, "format widths above 999 are not allowed")
        self.generic_visit(node)
        node.value = _guard("_text", node.value)
        return node

    def visit_For(self, node: ast.For | ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.iter = _guard("_iter", node.iter)
        return node

    visit_comprehension = visit_For

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        return _guard("_result", node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        op = type(node.op).__name__
        if op in _OPERATORS:
            return _guard("_binop", ast.Constant(op), node.left, node.right)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        op, target = ast.Constant(type(node.op).__name__), node.target
        if op.value not in _OPERATORS:
            return node
        if isinstance(target, ast.Subscript):  # evaluates the container and key only once
            return ast.Expr(_guard("_augitem", op, target.value, target.slice, node.value))
        assert isinstance(target, ast.Name)  # attribute targets were refused above
        current = ast.Name(target.id, ast.Load())
        return ast.Assign(targets=[target], value=_guard("_binop", op, current, node.value))


def _guard(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


@lru_cache(maxsize=4096)
def compile_checked(source: str, mode: Literal["eval", "exec"]) -> tuple[CodeType, frozenset[str]]:
    """Check and compile diagram code; also return the builtins it reads that are not provided."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
        checker = _Rewriter(script=mode == "exec")
        guarded = ast.fix_missing_locations(checker.visit(tree))
        code = compile(guarded, "<string>", mode)  # Spiff finds failing script lines by this name
    except RecursionError:
        raise SandboxError("code is nested too deeply") from None
    unprovided = (checker.loaded - checker.stored) & _PYTHON_BUILTINS - _PROVIDED_BUILTINS
    return code, frozenset(unprovided)


def _measure(value: Any, limit: int) -> bool:
    """Refuse a value longer than `limit` written out, or containing itself; True if plain data.

    Shared parts count each time they appear, as in str() or JSON, but are walked only once.
    """
    sizes: dict[int, int] = {}
    plain = True

    def size(item: Any, depth: int = 0) -> int:
        nonlocal plain
        if not isinstance(item, list | tuple | dict | set | frozenset):
            plain = plain and isinstance(item, _SCALARS)
            return len(item) if isinstance(item, str | bytes) else 1
        known = sizes.get(id(item))
        if depth > _MAX_DEPTH:
            raise SandboxError(f"value is nested more than {_MAX_DEPTH} levels deep")
        if known is None:
            sizes[id(item)] = -1  # until measured: meeting it again means it contains itself
            if isinstance(item, dict):
                plain = plain and all(isinstance(key, _KEYS) for key in item)
            plain = plain and isinstance(item, list | tuple | dict)
            parts = itertools.chain.from_iterable(item.items()) if isinstance(item, dict) else item
            known = len(item) + sum(size(part, depth + 1) for part in parts)
            if known > limit:
                raise SandboxError(_TOO_LARGE.format(limit))
            sizes[id(item)] = known
        elif known < 0:
            raise SandboxError("a value that contains itself is not allowed")
        return known

    if size(value) > limit:
        raise SandboxError(_TOO_LARGE.format(limit))
    return plain


def _result_size(op: str, left: Any, right: Any) -> int:
    """Roughly how many items, characters or hex digits `left op right` will have."""
    if isinstance(left, int) and isinstance(right, int):
        if op == "Pow":
            return max(left.bit_length(), 1) * max(right, 0) // 4
        if op == "LShift":
            return (left.bit_length() + max(right, 0)) // 4
        return (left.bit_length() + right.bit_length()) // 4
    if op == "Add" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        return len(left) + len(right)
    sequence, times = (right, left) if isinstance(left, int) else (left, right)
    if op == "Mult" and isinstance(sequence, _SEQUENCES) and isinstance(times, int):
        return len(sequence) * max(times, 0)
    return 0


class _Budget:
    """The steps, time and value sizes one evaluation may use, and the guards charging them."""

    def __init__(self, max_steps: int, max_seconds: float, max_size: int) -> None:
        self.steps, self.max_steps, self.max_seconds = 0, max_steps, max_seconds
        self.max_size = max_size
        self.deadline = time.monotonic() + max_seconds

    def globals(self) -> dict[str, Any]:
        return {
            "_iter": self.iterate, "_result": self.result, "_text": self.text,
            "_binop": self.binop, "_augitem": self.augitem, "_method": self.method,
            "__builtins__": {
                **SAFE_BUILTINS, "range": self.make_range,
                "str": lambda value="": str(self.text(value)),
            },
        }  # fmt: skip

    def charge(self, steps: int) -> None:
        self.steps += steps
        if self.steps > self.max_steps:
            raise SandboxError(f"expression exceeded the step budget ({self.max_steps})")
        if time.monotonic() > self.deadline:
            raise SandboxTimeout(f"expression ran past {self.max_seconds} s of wall-clock time")

    def allocate(self, size: int) -> None:
        if size > self.max_size:
            raise SandboxError(_TOO_LARGE.format(self.max_size))
        self.charge(1 + size // _ITEMS_PER_STEP)

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.charge(1)
            yield item

    def result(self, value: Any) -> Any:
        self.charge(1 + (len(value) // _ITEMS_PER_STEP if isinstance(value, _SIZED) else 0))
        return value

    def text(self, value: Any) -> Any:
        _measure(value, self.max_size)
        return value

    def make_range(self, *args: int) -> range:
        numbers = range(*args)
        self.allocate(len(numbers))  # OverflowError beyond sys.maxsize items
        return numbers

    def binop(self, op: str, left: Any, right: Any) -> Any:
        if op == "Mod" and isinstance(left, str | bytes):
            if _WIDE_PRINTF.search(str(left)):  # the repr of bytes shows the same specifiers
                raise SandboxError("% format widths above 999 are not allowed")
            self.text(right)
        self.allocate(_result_size(op, left, right))
        return _OPERATORS[op](left, right)

    def augitem(self, op: str, container: Any, key: Any, value: Any) -> None:
        container[key] = self.binop(op, container[key], value)

    def method(self, obj: Any, name: str) -> Callable[..., Any]:
        if isinstance(obj, list if name == "extend" else str):  # join, replace or extend
            return partial(getattr(self, name), obj)
        raise SandboxError(f"attribute {name!r} is not allowed here")

    def join(self, separator: str, items: Iterable[Any]) -> str:
        parts = list(items)
        length = sum(len(part) for part in parts if isinstance(part, str))
        self.allocate(length + len(separator) * len(parts))
        return separator.join(parts)

    def replace(self, text: str, old: str, new: str, count: int = -1) -> str:
        hits = text.count(old) if old else len(text) + 1
        self.allocate(len(text) + (hits if count < 0 else min(hits, count)) * len(new))
        return text.replace(old, new, count)

    def extend(self, target: list[Any], items: Iterable[Any]) -> None:
        added = list(items)
        self.allocate(len(target) + len(added))
        target.extend(added)


def _sum(values: Iterable[Any], /, start: int | float | timedelta = 0) -> Any:
    """sum() of numbers or durations only: adding up lists copies them over and over."""
    if not isinstance(start, int | float | timedelta):
        raise SandboxError("sum() may only add numbers or durations")
    return sum(values, start)


def _round(number: Any, ndigits: int | None = None) -> Any:
    """round() to at most 100 digits: rounding an int computes 10 ** -ndigits."""
    if ndigits is not None and abs(ndigits) > 100:
        raise SandboxError("round() to more than 100 digits is not allowed")
    return round(number, ndigits)


def _import_time(name: str, *args: Any, **kwargs: Any) -> Any:
    """C datetime.strftime imports time through the builtins; code cannot name __import__."""
    if name == "time":
        return time
    raise SandboxError("imports are not allowed")


# range and str are replaced per evaluation by versions that charge its budget.
SAFE_BUILTINS: Mapping[str, Any] = MappingProxyType({
    "__import__": _import_time,
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "enumerate": enumerate,
    "float": float, "int": int, "len": len, "list": list, "max": max, "min": min,
    "reversed": reversed, "round": _round, "set": set, "sorted": sorted, "sum": _sum,
    "tuple": tuple, "zip": zip, "date": date, "datetime": datetime, "timedelta": timedelta,
})  # fmt: skip
_PROVIDED_BUILTINS = frozenset(SAFE_BUILTINS) | {"range", "str"}


class SandboxedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment that only runs allow-listed code within a budget."""

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        max_steps: int = 100_000,
        max_seconds: float = 30.0,  # steps bound the work; the clock is only a safety net
        max_size: int = 100_000,
    ) -> None:
        # As in TaskDataEnvironment: functions are never stored; task data may not shadow them.
        super().__init__(dict(functions or {}))
        self.limits = (max_steps, max_seconds, max_size)
        self.max_stored = max_size * _STORED_SIZE_FACTOR

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        """Evaluate an expression against task data and return its value."""
        value = eval(*self._prepare(expression, "eval", context, external_context))
        _measure(value, self.max_stored)
        return value

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        """Run a script; the plain-data variables it leaves are written back into task data."""
        self.check_for_overwrite(context, external_context or {})
        code, scope = self._prepare(script, "exec", context, external_context)
        provided = scope.keys() - context.keys()
        exec(code, scope)  # on error, task data stays as it was
        for name, value in scope.items():
            if name in provided or name.startswith("_"):
                continue
            if _measure(value, self.max_stored):  # also checks data changed in place
                context[name] = value
            elif context.get(name) is not value:  # functions, ranges, sets: not serializable
                context.pop(name, None)
        return True

    def _prepare(
        self, source: str, mode: Literal["eval", "exec"], context: Any, external_context: Any
    ) -> tuple[CodeType, dict[str, Any]]:
        code, unprovided = compile_checked(source, mode)
        # Guards and builtins come last, so that no task-data key can replace them.
        scope = {**self.globals, **(external_context or {}), **context}
        scope.update(_Budget(*self.limits).globals())
        for name in unprovided:
            if name not in scope:
                raise SandboxError(f"name {name!r} is not allowed")
        return code, scope
