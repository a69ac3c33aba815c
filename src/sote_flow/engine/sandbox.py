"""Allow-list sandbox for every expression and script a diagram contains.

SpiffWorkflow's default engine runs diagram code with eval/exec and the real builtins, so an
uploaded diagram could run anything. Here code is parsed, checked against allow-lists (node
types, names, attributes), rewritten so that loops and growing operations go through guards
that charge a per-call work budget, and run with a small set of safe builtins.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import CodeType
from typing import Any

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment


class SandboxError(Exception):
    """Diagram code was refused, or it exceeded its work budget."""


# fmt: off
_EXPRESSION_NODES = (
    ast.Expression, ast.Expr, ast.Constant, ast.Name, ast.Load, ast.Store,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.IfExp, ast.Call, ast.keyword, ast.Attribute, ast.Subscript,
    ast.Slice, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp,
    ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.JoinedStr, ast.FormattedValue,
    ast.Starred,
)
_STATEMENT_NODES = (
    ast.Module, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.If, ast.For, ast.Pass,
    ast.Break, ast.Continue,
)
# Builtins that reach the interpreter; refused by name so the error says why.
_FORBIDDEN_NAMES = frozenset({
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "globals", "locals",
    "vars", "type", "object", "super", "dir", "input", "breakpoint", "help", "memoryview",
    "classmethod", "staticmethod", "property", "exit", "quit",
})
# Methods on plain data that cannot reach interpreter internals or grow data by themselves.
_SAFE_ATTRIBUTES = frozenset({
    "lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith", "split",
    "rsplit", "splitlines", "count", "find", "index", "isdigit", "isalpha", "isalnum",
    "isspace", "title", "capitalize", "casefold",
    "get", "items", "keys", "values", "setdefault", "pop", "append", "insert", "remove",
    "copy", "add", "discard", "union", "intersection", "difference", "issubset",
    "year", "month", "day", "hour", "minute", "second", "weekday", "isoweekday",
    "isoformat", "date", "days", "seconds", "total_seconds",
})
# fmt: on
# Methods that can multiply the size of data; they go through size-checking guards.
_GUARDED_ATTRIBUTES = frozenset({"join", "replace", "extend", "update"})
# A format spec may only set alignment, sign, width and precision (no nested fields).
_SAFE_FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?\d{0,3}[,_]?(\.\d{1,3})?[bcdeEfFgGnosxX%]?")


class _Checker(ast.NodeVisitor):
    def __init__(self, allow_statements: bool) -> None:
        self.allowed = _EXPRESSION_NODES + (_STATEMENT_NODES if allow_statements else ())

    def generic_visit(self, node: ast.AST) -> None:
        if not isinstance(node, self.allowed):
            raise SandboxError(f"{type(node).__name__} is not allowed")
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("_") or node.id in _FORBIDDEN_NAMES:
            raise SandboxError(f"name {node.id!r} is not allowed")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr not in _SAFE_ATTRIBUTES | _GUARDED_ATTRIBUTES:
            raise SandboxError(f"attribute {node.attr!r} is not allowed")
        self.visit(node.value)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            text = "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))
            constant = all(isinstance(p, ast.Constant) for p in parts)
            if not constant or not _SAFE_FORMAT_SPEC.fullmatch(text):
                raise SandboxError("this format specification is not allowed")
        self.visit(node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if not isinstance(node.target, ast.Name):
            raise SandboxError("augmented assignment is only allowed to a plain name")
        self.generic_visit(node)


_BINOP_GUARDS = {ast.Add: "_add", ast.Mult: "_mul", ast.Pow: "_pow", ast.LShift: "_lshift"}


class _Guarder(ast.NodeTransformer):
    """Route iteration and growing operations through the budget guards."""

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.iter = _call("_iter", node.iter)
        return node

    def visit_For(self, node: ast.For) -> ast.For:
        self.generic_visit(node)
        node.iter = _call("_iter", node.iter)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        return _call(guard, node.left, node.right) if guard else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        target = node.target
        assert isinstance(target, ast.Name)
        value = _call(guard, ast.Name(target.id, ast.Load()), node.value)
        return ast.Assign(targets=[ast.Name(target.id, ast.Store())], value=value)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr in _GUARDED_ATTRIBUTES and isinstance(node.ctx, ast.Load):
            return _call("_method", node.value, ast.Constant(node.attr))
        return node


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


@lru_cache(maxsize=4096)
def compile_sandboxed(source: str, mode: str) -> CodeType:
    """Check and compile diagram code ('eval' or 'exec'); raise SandboxError if refused."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as exc:
        raise SandboxError(f"syntax error: {exc.msg} (line {exc.lineno})") from None
    _Checker(allow_statements=mode == "exec").visit(tree)
    tree = ast.fix_missing_locations(_Guarder().visit(tree))
    return compile(tree, "<diagram>", mode)


class _Budget:
    """Work units and wall time one evaluation may use."""

    def __init__(self, max_steps: int, max_seconds: float, max_size: int) -> None:
        self.steps = 0
        self.max_steps = max_steps
        self.max_size = max_size
        self.deadline = time.monotonic() + max_seconds

    def charge(self, units: int) -> None:
        self.steps += units
        if self.steps > self.max_steps:
            raise SandboxError("expression exceeded its work budget")
        if time.monotonic() > self.deadline:
            raise SandboxError("expression exceeded its time budget")

    def check_size(self, size: int) -> None:
        if size > self.max_size:
            raise SandboxError(f"value would be too large ({size} items)")
        self.charge(size)

    def guards(self) -> dict[str, Callable[..., Any]]:
        return {
            "_iter": self.iterate,
            "_add": self.add,
            "_mul": self.mul,
            "_pow": self.pow,
            "_lshift": self.lshift,
            "_method": self.method,
            "range": self.range,
        }

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.charge(1)
            yield item

    def range(self, *args: int) -> range:
        result = range(*args)
        self.check_size(len(result))
        return result

    def add(self, left: Any, right: Any) -> Any:
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            self.check_size(len(left) + len(right))
        return left + right

    def mul(self, left: Any, right: Any) -> Any:
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                self.check_size(len(seq) * max(times, 0))
        if isinstance(left, int) and isinstance(right, int):
            self._check_bits(abs(left).bit_length() + abs(right).bit_length())
        return left * right

    def pow(self, base: Any, exponent: Any) -> Any:
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
            self._check_bits(max(abs(base).bit_length(), 1) * exponent)
        return base**exponent

    def lshift(self, value: Any, shift: Any) -> Any:
        if isinstance(value, int) and isinstance(shift, int):
            self._check_bits(abs(value).bit_length() + max(shift, 0))
        return value << shift

    def method(self, obj: Any, name: str) -> Callable[..., Any]:
        if name == "join" and isinstance(obj, str):
            return lambda items: self._join(obj, items)
        if name == "replace" and isinstance(obj, str):
            return lambda old, new, count=-1: self._replace(obj, old, new, count)
        if name == "extend" and isinstance(obj, list):
            return lambda items: self._extend(obj, items)
        if name == "update" and isinstance(obj, dict | set):
            return obj.update
        raise SandboxError(f"{name!r} is not allowed here")

    def _join(self, separator: str, items: Iterable[Any]) -> str:
        parts = list(self.iterate(items))
        self.check_size(
            sum(len(p) for p in parts if isinstance(p, str)) + len(separator) * len(parts)
        )
        return separator.join(parts)

    def _replace(self, text: str, old: str, new: str, count: int) -> str:
        hits = text.count(old) if old else len(text) + 1
        self.check_size(len(text) + hits * len(new))
        return text.replace(old, new, count)

    def _extend(self, target: list[Any], items: Iterable[Any]) -> None:
        added = list(self.iterate(items))
        self.check_size(len(target) + len(added))
        target.extend(added)

    def _check_bits(self, bits: int) -> None:
        if bits > self.max_size * 4:
            raise SandboxError("number would be too large")


# fmt: off
SAFE_BUILTINS: Mapping[str, Any] = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "enumerate": enumerate,
    "float": float, "int": int, "len": len, "list": list, "max": max, "min": min,
    "reversed": reversed, "round": round, "set": set, "sorted": sorted, "str": str,
    "sum": sum, "tuple": tuple, "zip": zip, "date": date, "datetime": datetime,
    "timedelta": timedelta, "True": True, "False": False, "None": None,
}
# fmt: on
_PLAIN_DATA = (str, int, float, bool, type(None), list, dict, tuple, set, date, timedelta)


class SandboxedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """A SpiffWorkflow script environment that only runs allow-listed, budgeted code."""

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        max_steps: int = 1_000_000,
        max_seconds: float = 2.0,
        max_size: int = 100_000,
    ) -> None:
        super().__init__({})
        self.functions = dict(functions or {})
        self.limits = (max_steps, max_seconds, max_size)

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        """Evaluate an expression against task data."""
        code = compile_sandboxed(expression, "eval")
        return eval(code, self._globals(context, external_context))

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run a script; the plain-data variables it assigns are written back to task data."""
        code = compile_sandboxed(script, "exec")
        scope = self._globals(context, external_context)
        reserved = set(scope) - set(context)
        exec(code, scope)
        for name, value in scope.items():
            if name not in reserved and not name.startswith("_") and isinstance(value, _PLAIN_DATA):
                context[name] = value
        return True

    def _globals(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        budget = _Budget(*self.limits)
        builtins = {**SAFE_BUILTINS, "range": budget.range}
        # Guards come last so that no task-data key can shadow them.
        return {
            **self.functions,
            **(external_context or {}),
            **context,
            **budget.guards(),
            "__builtins__": builtins,
        }
