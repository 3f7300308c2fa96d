"""The code each job runs, and fingerprints of what it means: rules carry them as params, so that a job reruns
when the meaning of its code changes (a statement, a flag, the artwork), never for a comment, a docstring,
reformatting, a new time stamp or a reinstalled venv."""

import ast
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

PACKAGE = "workflow_scripts"


class UntrackedImport(ValueError):
    """An import whose module the fingerprints cannot know before the code runs."""


# Calls that import a module named by their first argument.
_IMPORT_CALLS = {"import_module", "__import__"}


def _package_of(root: Path, path: Path) -> str:
    """The dotted package a file's relative imports start from: its own for a package's __init__.py, else the
    one it sits in; '' for a file outside root."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return ""
    return ".".join(parts[:-1])


def _absolute(package: str, module: str | None, level: int) -> str | None:
    """The absolute name of `from {'.' * level}{module} import ...` in `package`; None if it climbs above the
    top package (Python refuses it)."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    return ".".join(parts[:len(parts) - (level - 1)] + ([module] if module else []))


def _call_name(node: ast.Call) -> str:
    """The called name of a call: `import_module` of both `importlib.import_module(...)` and
    `import_module(...)`."""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _imported_names(nodes: Iterable[ast.AST], package: str = "", where: str = "") -> set[str]:
    """Dotted names of every module that a file's nodes (_syntax) import, wherever the import stands: `import
    a.b as c`, `from a import b` (which may import the module a.b), relative imports resolved in `package`,
    and importlib.import_module or __import__ of a literal name. A call with a computed name raises
    UntrackedImport naming `where` and the line: skipping it would fingerprint less code than runs."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(package, node.module, node.level)
            if module:
                names.add(module)
                names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _call_name(node) in _IMPORT_CALLS:
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                raise UntrackedImport(f"{where}:{node.lineno}: {_call_name(node)} of a computed name: the code "
                                      "fingerprints cannot follow it, so a change in that module would rerun "
                                      "nothing; import the module by name")
            anchor = next((k.value for k in node.keywords if k.arg == "package"), None)
            if first.value.startswith(".") and isinstance(anchor, ast.Constant):
                level = len(first.value) - len(first.value.lstrip("."))
                names.add(_absolute(str(anchor.value), first.value[level:] or None, level) or first.value)
            else:
                names.add(first.value)
    return names


@lru_cache(maxsize=None)
def _module_file(root: Path, name: str) -> Path | None:
    """The file of a project module by its dotted name (asked again for each script that imports it), or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=None)
def _imports_of(path: Path, root: Path) -> frozenset[str]:
    """The dotted names a file imports (parsed once per file, however many scripts import it)."""
    return frozenset(_imported_names(_syntax(path).imports, _package_of(root, path), str(path)))


@lru_cache(maxsize=None)
def project_imports(script: str, root: str = ".") -> tuple[str, ...]:
    """Paths (relative to root) of the project modules `script` imports, transitively, with the packages
    they sit in; sorted. The script itself is not among them: Snakemake tracks a rule's script itself."""
    root_path = Path(root).resolve()
    seen: set[Path] = set()
    todo = [Path(root, script).resolve()]
    while todo:
        path = todo.pop()
        for name in _imports_of(path, root_path):
            found = _module_file(root_path, name)
            parents = [_module_file(root_path, ".".join(name.split(".")[:i])) for i in range(1, name.count(".") + 1)]
            for module in [found, *parents]:
                if module is not None and module not in seen:
                    seen.add(module)
                    todo.append(module)
    script_path = Path(root, script).resolve()
    return tuple(sorted(str(p.relative_to(root_path)) for p in seen if p != script_path))


def _digest(parts: Iterable[str | bytes]) -> str:
    """sha256 of the parts, each length-prefixed so that no two different lists collide by concatenation."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class _Syntax(NamedTuple):
    meaning: str  # the syntax tree without positions or docstrings, as ast.dump writes it
    imports: tuple[ast.AST, ...]  # the nodes that import: import statements and import_module / __import__ calls


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


@lru_cache(maxsize=None)
def _syntax(path: Path) -> _Syntax:
    """A Python file parsed and walked once for both its imports and its meaning (each Snakemake start
    fingerprints every rule's code). The tree itself is not kept: a few hundred thousand nodes held to the end
    slowed the rest of the run (the garbage collector walks them) by as much as parsing once saved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imports = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.Call) and _call_name(node) in _IMPORT_CALLS):
            imports.append(node)
        elif isinstance(node, _DOCUMENTED) and node.body:
            first = node.body[0]
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = node.body[1:]
    return _Syntax(ast.dump(tree, include_attributes=False), tuple(imports))


@lru_cache(maxsize=None)
def python_meaning(path: str) -> str:
    """A Python file's syntax tree without positions, comments or docstrings: equal for two versions of a file
    that differ only in those or in layout."""
    return _syntax(Path(path).resolve()).meaning


def clear_caches() -> None:
    """Forget every file read so far, for a process that edits files and then fingerprints them again."""
    for cached in (_module_file, _imports_of, _syntax, python_meaning, project_imports, code_fingerprint,
                   _cpp_file_meaning):
        cached.cache_clear()


# This module computes the fingerprints and decides no result: the trainer imports it for its own identity,
# which must not change when, say, the import scan is reworded.
_NOT_FINGERPRINTED = {f"{PACKAGE}/code_deps.py"}


@lru_cache(maxsize=None)
def code_fingerprint(script: str, root: str = ".") -> str:
    """The fingerprint of what an entry script runs: its meaning and that of every project module it imports,
    directly or not, each with its path."""
    files = [script, *(f for f in project_imports(script, root) if f not in _NOT_FINGERPRINTED)]
    return _digest(part for f in files for part in (f, python_meaning(str(Path(root, f)))))


# A C/C++ source as tokens the normaliser keeps apart: comments, string and character literals, numbers
# (with C++14 digit separators), and everything else character by character.
_CPP_TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<literal>(?:u8|u|U|L)?"(?:\\.|[^"\\\n])*"|(?:u8|u|U|L)?'(?:\\.|[^'\\\n])+')
  | (?P<number>\.?[0-9](?:'?[0-9A-Za-z_.]|[eEpP][+-])*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


_OPERATOR_CHARS = set("+-*/%<>=!&|^:.#?~")


def _needs_blank(left: str, right: str) -> bool:
    """Whether two tokens written with a blank between them would read differently without it."""
    a, b = left[-1], right[0]
    if (a.isalnum() or a == "_") and (b.isalnum() or b == "_" or b in "\"'"):
        return True
    return a in _OPERATOR_CHARS and b in _OPERATOR_CHARS


def cpp_meaning(text: str) -> str:
    """C/C++ source without comments and without the layout the compiler ignores (indentation, line breaks
    outside preprocessor directives, blanks that separate nothing): equal for two versions that differ only
    in those. Each directive stays on a line of its own, since a line break ends it."""
    out: list[str] = []
    prev: str | None = None
    blank = in_directive = continued = False
    at_line_start = True
    for match in _CPP_TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind in ("comment", "space"):
            blank = True
            continue
        if kind == "newline":
            if in_directive and not continued:
                out.append("\n")
                in_directive, prev = False, None
            at_line_start, continued, blank = True, False, True
            continue
        if token == "\\" and in_directive:
            continued = True
            continue
        if token == "#" and at_line_start and not in_directive:
            if out and out[-1] != "\n":
                out.append("\n")
            in_directive, prev = True, None
        elif prev is not None and blank and _needs_blank(prev, token):
            out.append(" ")
        out.append(token)
        prev, blank, at_line_start, continued = token, False, False, False
    return "".join(out).strip()


@lru_cache(maxsize=None)
def _cpp_file_meaning(path: Path) -> str:
    """cpp_meaning of a file, read and normalised once however many fingerprints include it."""
    return cpp_meaning(path.read_text(encoding="utf-8"))


def cpp_fingerprint(files: Iterable[str | Path], extra: Iterable[str] = ()) -> str:
    """The fingerprint of C/C++ files' meaning (each with its name) and of `extra` strings (flags, compiler)."""
    parts: list[str] = []
    for f in sorted(Path(f) for f in files):
        parts += [f.name, _cpp_file_meaning(f)]
    return _digest([*parts, "--", *extra])


def files_fingerprint(files: Iterable[str | Path], root: str | Path) -> str:
    """The fingerprint of files' bytes, each named by its path relative to root (so not by where root is)."""
    root = Path(root)
    return _digest(part for f in sorted(Path(f) for f in files)
                   for part in (str(f.relative_to(root)), f.read_bytes()))


def combine(*fingerprints: str) -> str:
    """One fingerprint of several."""
    return _digest(fingerprints)
