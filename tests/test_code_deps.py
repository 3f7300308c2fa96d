"""Fingerprints of code by meaning: equal across comments, docstrings and layout, different for any change a
compiler or interpreter would see. The truth is the languages' own rules, on the project's real sources."""

import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from workflow_scripts import code_deps
from workflow_scripts.code_deps import (UntrackedImport, clear_caches, code_fingerprint, cpp_fingerprint,
                                        cpp_meaning, files_fingerprint, project_imports, python_meaning)

PYTHON_MODULES = sorted((REPO / "workflow_scripts").rglob("*.py"))
CPP_FILES = sorted([*(REPO / "cpp").glob("*.cpp"), *(REPO / "cpp").glob("*.h")])


def python_meaning_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "module.py"
    path.write_text(text)
    clear_caches()
    return python_meaning(str(path))


@pytest.mark.parametrize("module", PYTHON_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_python_comments_docstrings_and_layout_do_not_count(module, tmp_path):
    text = module.read_text()
    commented = "# a new first line\n" + text.replace("\n\n\n", "\n\n\n# a comment between definitions\n\n")
    with_docstring = '"""A new module docstring."""\n' + text if not text.startswith('"""') else \
        text.replace('"""', '"""Reworded. ', 1)
    base = python_meaning_of(tmp_path, text)
    assert python_meaning_of(tmp_path, commented) == base
    assert python_meaning_of(tmp_path, with_docstring) == base
    assert python_meaning_of(tmp_path, text + "\n\n\n") == base
    assert python_meaning_of(tmp_path, text + "\n_EDIT = 1\n") != base


def test_python_reformatting_and_statements(tmp_path):
    base = python_meaning_of(tmp_path, 'def f(a, b):\n    """Adds."""\n    return a + b  # sum\n')
    assert python_meaning_of(tmp_path, "def f(a,b): return (a+\n  b)\n") == base
    assert python_meaning_of(tmp_path, "def f(a, b):\n    return a - b\n") != base
    assert python_meaning_of(tmp_path, "def f(a, b):\n    return b + a\n") != base
    # A string that is not a docstring is code.
    assert python_meaning_of(tmp_path, 'def f(a, b):\n    x = "Adds."\n    return a + b\n') != base


@pytest.mark.parametrize("source", CPP_FILES, ids=lambda p: p.name)
def test_cpp_comments_and_layout_do_not_count(source):
    text = source.read_text()
    relaid = (text.replace("\n", "  \n").replace("    ", "\t").replace("{\n", "{ // a comment\n\n")
              .replace(";\n", "; /* a comment\n spanning lines */\n"))
    assert cpp_meaning(relaid) == cpp_meaning(text)
    assert cpp_meaning("// licence header\n\n" + text) == cpp_meaning(text)


def test_cpp_meaning_keeps_what_the_compiler_sees():
    assert cpp_meaning("int a = b + +c;") != cpp_meaning("int a = b ++c;")
    assert cpp_meaning("int a = b+c;") == cpp_meaning("int a = b + c;")
    assert cpp_meaning("unsigned x;") != cpp_meaning("unsignedx;")
    assert cpp_meaning('const char *s = "a // b";') != cpp_meaning('const char *s = "a ";')
    assert cpp_meaning('const char *s = "a  b";') != cpp_meaning('const char *s = "a b";')
    assert cpp_meaning("char c = '/'; // x") == cpp_meaning("char c = '/';")
    assert cpp_meaning("int m = 0x3153'5A4D; // MZS1") != cpp_meaning("int m = 0x3153'5A4E;")
    assert cpp_meaning("int m = 0x3153'5A4D; int n = 'a';") == cpp_meaning("int m = 0x3153'5A4D;\nint n = 'a';")
    # A line break ends a directive: it must stay, and so must the directive's own continuation.
    assert cpp_meaning("#define A 1\nint x = A;") != cpp_meaning("#define A 1 int x = A;")
    assert cpp_meaning("#define A(x) \\\n  (x + 1)\nint y;") == cpp_meaning("#define A(x) (x + 1)\nint y;")


def test_cpp_meaning_compiles_like_the_source(tmp_path):
    """The normalised engine source is itself a C++ program: it compiles to the same object code."""
    source = REPO / "cpp" / "rng.cpp"
    normalised = tmp_path / "rng.cpp"
    normalised.write_text(cpp_meaning(source.read_text()) + "\n")
    objects = []
    for src, out in [(source, tmp_path / "a.o"), (normalised, tmp_path / "b.o")]:
        subprocess.run(["g++", "-std=c++17", "-O2", "-c", "-I", str(REPO / "cpp"), str(src), "-o", str(out)],
                       check=True)
        text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(out)], capture_output=True, text=True)
        objects.append(text.stdout.split("\n", 3)[-1] if text.returncode == 0 else out.read_bytes())
    assert objects[0] == objects[1]


def test_cpp_fingerprint_counts_flags_and_names(tmp_path):
    a = tmp_path / "a.cpp"
    a.write_text("int f() { return 1; }\n")
    base = cpp_fingerprint([a], ["-O2"])
    assert cpp_fingerprint([a], ["-O3"]) != base
    b = tmp_path / "b.cpp"
    b.write_text(a.read_text())
    assert cpp_fingerprint([b], ["-O2"]) != base


def test_files_fingerprint_is_content_and_relative_names_only(tmp_path):
    for root in ("one", "two"):
        (tmp_path / root / "sub").mkdir(parents=True)
        (tmp_path / root / "sub" / "x.png").write_bytes(b"pixels")
    one = files_fingerprint([tmp_path / "one" / "sub" / "x.png"], tmp_path / "one")
    assert files_fingerprint([tmp_path / "two" / "sub" / "x.png"], tmp_path / "two") == one
    (tmp_path / "two" / "sub" / "x.png").write_bytes(b"pixelz")
    assert files_fingerprint([tmp_path / "two" / "sub" / "x.png"], tmp_path / "two") != one


def test_code_fingerprint_covers_the_import_closure(tmp_path):
    package = tmp_path / "workflow_scripts"
    (package / "jobs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "jobs" / "__init__.py").write_text("")
    (package / "lib.py").write_text("X = 1\n")
    (package / "other.py").write_text("Y = 1\n")
    (package / "jobs" / "job.py").write_text("from workflow_scripts.lib import X\nprint(X)\n")

    def fingerprint() -> str:
        clear_caches()
        return code_fingerprint("workflow_scripts/jobs/job.py", str(tmp_path))

    base = fingerprint()
    (package / "other.py").write_text("Y = 2\n")
    assert fingerprint() == base
    (package / "lib.py").write_text("# a comment\nX = 1  # one\n")
    assert fingerprint() == base
    (package / "lib.py").write_text("X = 2\n")
    assert fingerprint() != base


# Each form as it would stand in a library module (the module holding it, the import), whose changes must
# reach the fingerprint of a job that imports that module.
IMPORT_FORMS = {
    "absolute": ("middle", "from workflow_scripts.lib import X\n"),
    "relative module": ("middle", "from .lib import X\n"),
    "relative package": ("middle", "from . import lib\n"),
    "two levels up": ("jobs.helper", "from ..lib import X\n"),
    "import as": ("middle", "import workflow_scripts.lib as lib\n"),
    "inside a function": ("middle", "def f():\n    from workflow_scripts import lib\n    return lib\n"),
    "import_module": ("middle", "import importlib\nlib = importlib.import_module('workflow_scripts.lib')\n"),
    "relative import_module": ("middle", "from importlib import import_module\n"
                                         "lib = import_module('.lib', package='workflow_scripts')\n"),
}


@pytest.mark.parametrize("form", IMPORT_FORMS, ids=list(IMPORT_FORMS))
def test_every_import_form_puts_the_module_in_the_fingerprint(form, tmp_path):
    """A change in the imported module changes the importer's fingerprint, and so reruns its rule, whatever
    form the import takes (issue 32: a relative import used to drop the module out)."""
    holder, text = IMPORT_FORMS[form]
    package = tmp_path / "workflow_scripts"
    (package / "jobs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "jobs" / "__init__.py").write_text("")
    (package / "lib.py").write_text("X = 1\n")
    package.joinpath(*holder.split(".")).with_suffix(".py").write_text(text)
    (package / "jobs" / "job.py").write_text(f"import workflow_scripts.{holder}\n")

    def fingerprint() -> str:
        clear_caches()
        return code_fingerprint("workflow_scripts/jobs/job.py", str(tmp_path))

    base = fingerprint()
    assert "workflow_scripts/lib.py" in project_imports("workflow_scripts/jobs/job.py", str(tmp_path))
    (package / "lib.py").write_text("X = 2\n")
    assert fingerprint() != base


def test_an_import_of_a_computed_name_stops_the_parse_naming_file_and_line(tmp_path):
    package = tmp_path / "workflow_scripts"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "job.py").write_text("import importlib\n\nname = 'workflow_scripts.' + 'lib'\n"
                                    "lib = importlib.import_module(name)\n")
    clear_caches()
    with pytest.raises(UntrackedImport, match=r"workflow_scripts/job.py:4: import_module of a computed name"):
        project_imports("workflow_scripts/job.py", str(tmp_path))


def test_clear_caches_forgets_every_file_read():
    """A process that edits files and fingerprints them again relies on it: a cache it missed gives the old answer."""
    code_fingerprint("workflow_scripts/jobs/train_agent.py", str(REPO))
    cpp_fingerprint(CPP_FILES)
    caches = [f for f in vars(code_deps).values() if hasattr(f, "cache_info")]
    assert len(caches) >= 7 and all(f.cache_info().currsize for f in caches), caches
    clear_caches()
    assert [f for f in caches if f.cache_info().currsize] == []
