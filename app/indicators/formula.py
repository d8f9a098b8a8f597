"""Formulas of computed indicators: arithmetic over other indicators of the same plan, e.g. "CT2.1 * 100 / CT2".

Only numbers, indicator codes, + - * / and parentheses; parsed with `ast` after the codes are replaced by
placeholders, never evaluated by Python. A figure that is missing or a division by zero gives no figure (None).
"""

import ast
import re

TOKEN = re.compile(
    r"\s*(?:(?P<code>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(?P<number>\d+(?:[.,]\d+)?)"
    r"|(?P<op>[-+*/()]))"
)
_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: None if b == 0 else a / b,
}


class FormulaError(ValueError):
    """The text is not a formula over indicator codes."""


def parse(text: str) -> tuple[ast.expr, list[str]]:
    """The expression tree and the indicator codes it names, in order of first use."""
    source, codes, position = [], [], 0
    text = (text or "").strip()
    if not text:
        raise FormulaError("empty")
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FormulaError(text[position : position + 10])
        position = match.end()
        if match["code"]:
            if match["code"] not in codes:
                codes.append(match["code"])
            source.append(f"v{codes.index(match['code'])}")
        elif match["number"]:
            source.append(match["number"].replace(",", "."))
        else:
            source.append(match["op"])
    try:
        tree = ast.parse(" ".join(source), mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(text) from exc
    for node in ast.walk(tree):
        if not isinstance(
            node, ast.BinOp | ast.UnaryOp | ast.Constant | ast.Name | ast.operator | ast.unaryop | ast.Load
        ):
            raise FormulaError(text)
        if isinstance(node, ast.BinOp) and type(node.op) not in _OPS:
            raise FormulaError(text)
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(text)
    return tree, codes


def references(text: str) -> list[str]:
    return parse(text)[1]


def evaluate(text: str, values: dict[str, float | int | None]) -> float | None:
    """The formula's value from the figures of the codes it names; None when one is missing."""
    tree, codes = parse(text)
    names = {f"v{i}": values.get(code) for i, code in enumerate(codes)}

    def walk(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
        left, right = walk(node.left), walk(node.right)
        return None if left is None or right is None else _OPS[type(node.op)](left, right)

    result = walk(tree)
    return None if result is None else round(float(result), 1)
