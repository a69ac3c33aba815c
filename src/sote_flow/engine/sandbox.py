"""Allow-list sandbox for the Python code in diagrams: conditions, scripts, timers, DMN cells.

SpiffWorkflow's default environment runs diagram code with eval/exec and the real builtins, so
an uploaded diagram could run anything. Here code is parsed and checked against allow-lists of
syntax, names and attributes, then rewritten so that loops, calls, slices and growing operations
go through guards that charge a per-evaluation budget, and run with a few safe builtins.

The guards bound interpreted loops and the values code builds, but one C-level operation on data
shared many times over (hashing or comparing a tuple nested in itself sixty times) can still run
long, so run engine steps in workers with a timeout and a memory limit as well.
"""

from __future__ import annotations

import ast
import builtins
import copy
import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import CodeType, MappingProxyType
from typing import Any, Literal, NamedTuple, NoReturn
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment


class SandboxError(Exception):
    """Diagram code was refused, or it exceeded its evaluation budget."""


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
_REFUSED_SYNTAX: dict[type[ast.AST], str] = {
    ast.Import: "imports", ast.ImportFrom: "imports", ast.Lambda: "lambda expressions",
    ast.FunctionDef: "function definitions", ast.AsyncFunctionDef: "function definitions",
    ast.ClassDef: "class definitions", ast.While: "while loops", ast.Try: "try statements",
    ast.TryStar: "try statements", ast.With: "with statements", ast.Raise: "raise statements",
    ast.Global: "global statements", ast.Nonlocal: "nonlocal statements",
    ast.Delete: "del statements", ast.Yield: "yield expressions", ast.Await: "await expressions",
    ast.YieldFrom: "yield expressions", ast.NamedExpr: "assignment expressions (:=)",
    ast.Starred: "starred expressions (*x)",
}
# Methods and fields of str, list, dict, set, date, datetime and timedelta that cannot reach
# interpreter internals. join, replace and extend are rewritten to size-checking guards.
_GUARDED_ATTRIBUTES = frozenset({"join", "replace", "extend"})
_ATTRIBUTES = _GUARDED_ATTRIBUTES | {
    "lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit",
    "splitlines", "find", "count", "index", "isdigit", "isalpha", "isalnum", "isspace", "title",
    "capitalize", "casefold", "get", "items", "keys", "values", "setdefault", "pop", "append",
    "insert", "remove", "sort", "reverse", "copy", "update", "add", "discard", "union",
    "intersection", "difference", "issubset", "issuperset", "year", "month", "day", "hour",
    "minute", "second", "weekday", "isoweekday", "isoformat", "fromisoformat", "strftime",
    "date", "days", "seconds", "total_seconds",
}
# fmt: on
_BINOP_GUARDS = {ast.Add: "_add", ast.Mult: "_mul", ast.Mod: "_mod", ast.Pow: "_pow"}
_BINOP_GUARDS[ast.LShift] = "_lshift"
_PYTHON_BUILTINS = frozenset(dir(builtins))
_WIDE_PRINTF = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d{4}|\d*\.(\*|\d{4}))")
_ITEMS_PER_STEP = 100  # copying about this many items costs as much as one interpreted step
# Values returned or stored may exceed what one operation may build (task data grows over many
# steps), but stay bounded: parts shared many times over multiply when serialized.
_STORED_SIZE_FACTOR = 100
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_SEQUENCES = (str, list, tuple)
_SCALARS = (str, int, float, bool, type(None), datetime, timedelta, UUID)  # what Spiff stores
_KEYS = (str, int, float, bool, type(None))


class _Checker(ast.NodeVisitor):
    """Refuse anything outside the allow-lists; note the global names the code reads."""

    def __init__(self, script: bool) -> None:
        self.script = script
        self.allowed = _EXPRESSION_NODES + (_STATEMENT_NODES if script else ())
        self.loaded: set[str] = set()
        self.stored: set[str] = set()

    def refuse(self, node: ast.AST, message: str) -> NoReturn:
        line = getattr(node, "lineno", None)
        raise SandboxError(f"{message} (line {line})" if self.script and line else message)

    def generic_visit(self, node: ast.AST) -> None:
        if not isinstance(node, self.allowed):
            what = _REFUSED_SYNTAX.get(type(node), f"{type(node).__name__} nodes")
            self.refuse(node, f"{what} are not allowed")
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("_"):
            self.refuse(node, f"name {node.id!r} is not allowed")
        (self.loaded if isinstance(node.ctx, ast.Load) else self.stored).add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr not in _ATTRIBUTES:
            self.refuse(node, f"attribute {node.attr!r} is not allowed")
        if not isinstance(node.ctx, ast.Load):
            self.refuse(node, "assigning to attributes is not allowed")
        self.visit(node.value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.slice, ast.Slice) and not isinstance(node.ctx, ast.Load):
            self.refuse(node, "assigning to slices is not allowed")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bytes):
            self.refuse(node, "bytes literals are not allowed")

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        spec = node.format_spec
        parts = spec.values if isinstance(spec, ast.JoinedStr) else []
        if not all(isinstance(part, ast.Constant) for part in parts):
            self.refuse(node, "replacement fields inside a format specification are not allowed")
        if re.search(r"\d{4}", "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))):
            self.refuse(node, "format widths above 999 are not allowed")
        self.visit(node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if not _rereadable(node.target):
            self.refuse(node, "augmented assignment is only allowed to a name or an item")
        self.generic_visit(node)


def _rereadable(node: ast.expr) -> bool:
    """A target that can be read again without side effects: a name, or an item of one."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        return _rereadable(node.value) and (isinstance(key, ast.Constant) or _rereadable(key))
    return isinstance(node, ast.Name)


def _guard(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


class _Guarder(ast.NodeTransformer):
    """Route loops, calls, slices and growing operations through the budget guards."""

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.iter = _guard("_iter", node.iter)
        return node

    def visit_For(self, node: ast.For) -> ast.For:
        self.generic_visit(node)
        node.iter = _guard("_iter", node.iter)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        return _guard(guard, node.left, node.right) if guard else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        current = copy.deepcopy(node.target)  # a name or item, so reading it twice is safe
        current.ctx = ast.Load()
        return ast.Assign(targets=[node.target], value=_guard(guard, current, node.value))

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        self.generic_visit(node)
        if node.attr in _GUARDED_ATTRIBUTES:
            return _guard("_method", node.value, ast.Constant(node.attr))
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        return _guard("_result", node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.slice, ast.Slice) and isinstance(node.ctx, ast.Load):
            return _guard("_result", node)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.FormattedValue:
        self.generic_visit(node)
        node.value = _guard("_text", node.value)
        return node


class _Compiled(NamedTuple):
    code: CodeType
    unprovided: frozenset[str]  # real builtins the code reads that the sandbox does not provide


@lru_cache(maxsize=4096)
def _compile(source: str, mode: Literal["eval", "exec"]) -> _Compiled:
    """Check and compile diagram code; raise SandboxError if it is refused."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
        checker = _Checker(script=mode == "exec")
        checker.visit(tree)
        guarded = ast.fix_missing_locations(_Guarder().visit(tree))
        # SpiffWorkflow finds the failing line of a script by this file name.
        code = compile(guarded, "<string>", mode)
    except RecursionError:
        raise SandboxError("code is nested too deeply") from None
    names = (checker.loaded - checker.stored) & _PYTHON_BUILTINS - _PROVIDED_BUILTINS
    return _Compiled(code, frozenset(names))


def _too_large(limit: int) -> SandboxError:
    return SandboxError(f"value would be too large (more than {limit} items or characters)")


def _measure(value: Any, limit: int) -> bool:
    """Refuse a value longer than `limit` once written out, or one containing itself.

    Shared parts count each time they appear, as they do in str() or JSON. Returns whether the
    value is plain data that task data can hold.
    """
    sizes: dict[int, int] = {}
    unfinished: set[int] = set()
    plain = True

    def size(item: Any) -> int:
        nonlocal plain
        if not isinstance(item, list | tuple | dict | set | frozenset):
            plain = plain and isinstance(item, _SCALARS)
            return len(item) if isinstance(item, str | bytes) else 1
        key = id(item)
        if key in unfinished:
            raise SandboxError("a value that contains itself is not allowed")
        if key not in sizes:
            unfinished.add(key)
            plain = plain and not isinstance(item, set | frozenset)
            if isinstance(item, dict):
                plain = plain and all(isinstance(k, _KEYS) for k in item)
            parts = itertools.chain.from_iterable(item.items()) if isinstance(item, dict) else item
            total = len(item)
            for part in parts:
                total += size(part)
                if total > limit:
                    raise _too_large(limit)
            unfinished.discard(key)
            sizes[key] = total
        return sizes[key]

    if size(value) > limit:
        raise _too_large(limit)
    return plain


class _Budget:
    """The steps, time and value sizes one evaluation may use, and the guards that charge them."""

    def __init__(self, max_steps: int, max_seconds: float, max_size: int) -> None:
        self.steps, self.max_steps, self.max_seconds = 0, max_steps, max_seconds
        self.max_size = max_size
        self.deadline = time.monotonic() + max_seconds

    def globals(self) -> dict[str, Any]:
        return {
            "_iter": self.iterate, "_result": self.result, "_text": self.text, "_add": self.add,
            "_mul": self.mul, "_mod": self.mod, "_pow": self.pow, "_lshift": self.lshift,
            "_method": self.method,
            "__builtins__": {**SAFE_BUILTINS, "range": self.make_range, "str": self.to_str},
        }  # fmt: skip

    def charge(self, steps: int) -> None:
        self.steps += steps
        if self.steps > self.max_steps:
            raise SandboxError(f"expression exceeded the evaluation budget ({self.max_steps} steps)")
        if time.monotonic() > self.deadline:
            raise SandboxError(f"expression exceeded the evaluation budget ({self.max_seconds} s)")

    def allocate(self, size: int) -> None:
        if size > self.max_size:
            raise _too_large(self.max_size)
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

    def to_str(self, value: Any = "") -> str:
        return str(self.text(value))

    def make_range(self, *args: int) -> range:
        numbers = range(*args)
        try:
            self.allocate(len(numbers))
        except OverflowError:
            raise _too_large(self.max_size) from None
        return numbers

    def add(self, left: Any, right: Any) -> Any:
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            self.allocate(len(left) + len(right))
        return left + right

    def mul(self, left: Any, right: Any) -> Any:
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, _SEQUENCES) and isinstance(times, int):
                self.allocate(len(seq) * max(times, 0))
        if isinstance(left, int) and isinstance(right, int):
            self.allocate((left.bit_length() + right.bit_length()) // 4)
        return left * right

    def mod(self, left: Any, right: Any) -> Any:
        if isinstance(left, str):
            if _WIDE_PRINTF.search(left):
                raise SandboxError("% format widths above 999 are not allowed")
            self.text(right)
            return self.result(left % right)
        return left % right

    def pow(self, base: Any, exponent: Any) -> Any:
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
            self.allocate(max(base.bit_length(), 1) * exponent // 4)
        return base**exponent

    def lshift(self, value: Any, shift: Any) -> Any:
        if isinstance(value, int) and isinstance(shift, int):
            self.allocate((value.bit_length() + max(shift, 0)) // 4)
        return value << shift

    def method(self, obj: Any, name: str) -> Callable[..., Any]:
        if name == "join" and isinstance(obj, str):
            return lambda items: self.join(obj, items)
        if name == "replace" and isinstance(obj, str):
            return lambda old, new, count=-1: self.replace(obj, old, new, count)
        if name == "replace" and isinstance(obj, date):
            return obj.replace  # type: ignore[no-any-return]
        if name == "extend" and isinstance(obj, list):
            return lambda items: self.extend(obj, items)
        raise SandboxError(f"attribute {name!r} is not allowed here")

    def join(self, separator: str, items: Iterable[Any]) -> str:
        parts = list(items)
        length = sum(len(part) for part in parts if isinstance(part, str))
        self.allocate(length + len(separator) * len(parts))
        return separator.join(parts)

    def replace(self, text: str, old: str, new: str, count: int) -> str:
        hits = text.count(old) if old else len(text) + 1
        self.allocate(len(text) + (hits if count < 0 else min(hits, count)) * len(new))
        return text.replace(old, new, count)

    def extend(self, target: list[Any], items: Iterable[Any]) -> None:
        added = list(items)
        self.allocate(len(target) + len(added))
        target.extend(added)


def _sum(values: Iterable[Any], /, start: int | float | timedelta = 0) -> Any:
    """sum() that only adds numbers or durations: adding lists copies them over and over."""
    if not isinstance(start, int | float | timedelta):
        raise SandboxError("sum() may only add numbers or durations")
    return sum(values, start)


def _ignore(*args: Any, **kwargs: Any) -> None:
    """print(): accepted so diagrams with debug output run, but diagrams have no console."""


# fmt: off
SAFE_BUILTINS: Mapping[str, Any] = MappingProxyType({
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "enumerate": enumerate,
    "float": float, "int": int, "len": len, "list": list, "max": max, "min": min,
    "print": _ignore, "reversed": reversed, "round": round, "set": set, "sorted": sorted,
    "sum": _sum, "tuple": tuple, "zip": zip, "date": date, "datetime": datetime,
    "timedelta": timedelta,
})
# fmt: on
_PROVIDED_BUILTINS = frozenset(SAFE_BUILTINS) | {"range", "str"}
_MISSING = object()


class SandboxedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment that only runs allow-listed code within a budget."""

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        max_steps: int = 100_000,
        max_seconds: float = 2.0,
        max_size: int = 100_000,
    ) -> None:
        # The functions are the environment's globals, as in TaskDataEnvironment: visible to
        # code, never written to task data, and task data may not overwrite them in scripts.
        super().__init__(dict(functions or {}))
        self.limits = (max_steps, max_seconds, max_size)
        self.max_stored = max_size * _STORED_SIZE_FACTOR

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        """Evaluate an expression against task data and return its value."""
        compiled = _compile(expression, "eval")
        value = eval(compiled.code, self._scope(compiled, context, external_context))
        _measure(value, self.max_stored)
        return value

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        """Run a script; the plain-data variables it leaves are written back into task data."""
        self.check_for_overwrite(context, external_context or {})
        compiled = _compile(script, "exec")
        scope = self._scope(compiled, context, external_context)
        provided = scope.keys() - context.keys()
        exec(compiled.code, scope)
        for name, value in scope.items():
            if name in provided or name.startswith("_"):
                continue
            plain = _measure(value, self.max_stored)  # also catches data grown in place
            if value is context.get(name, _MISSING):
                continue
            if plain:
                context[name] = value
            else:  # functions, iterators, ranges, sets: task data must stay serializable
                context.pop(name, None)
        return True

    def _scope(
        self, compiled: _Compiled, context: Mapping[str, Any], external_context: Any
    ) -> dict[str, Any]:
        budget = _Budget(*self.limits)
        # Guards and builtins come last so that no task-data key can replace them.
        scope = {**self.globals, **(external_context or {}), **context, **budget.globals()}
        for name in compiled.unprovided:
            if name not in scope:
                raise SandboxError(f"name {name!r} is not allowed")
        return scope
