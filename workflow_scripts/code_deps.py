"""The project modules a script imports, directly or through other project modules: the workflow declares
them as inputs of the script's rule, so that editing one reruns exactly the jobs that run it."""

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = "workflow_scripts"


def _imported_names(tree: ast.AST) -> set[str]:
    """Dotted names of every module an AST imports (`from a import b` may import the module a.b)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _module_file(root: Path, name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=None)
def project_imports(script: str, root: str = ".") -> tuple[str, ...]:
    """Paths (relative to root) of the project modules `script` imports, transitively, with the packages
    they sit in; sorted. The script itself is not among them: Snakemake tracks a rule's script itself."""
    root_path = Path(root).resolve()
    seen: set[Path] = set()
    todo = [Path(root, script).resolve()]
    while todo:
        path = todo.pop()
        for name in _imported_names(ast.parse(path.read_text(), filename=str(path))):
            found = _module_file(root_path, name)
            parents = [_module_file(root_path, ".".join(name.split(".")[:i])) for i in range(1, name.count(".") + 1)]
            for module in [found, *parents]:
                if module is not None and module not in seen:
                    seen.add(module)
                    todo.append(module)
    script_path = Path(root, script).resolve()
    return tuple(sorted(str(p.relative_to(root_path)) for p in seen if p != script_path))
