"""Jobs that never play an agent start without importing torch: most of a run's jobs (tables, analyses, figures,
icons, the engine) are short, and torch's import was over a second of each one's start-up."""

import ast

from tests.conftest import REPO, imported_of

JOBS = REPO / "workflow_scripts" / "jobs"
# Entry scripts that load a network or train one: torch is their work.
PLAY_AGENTS = {"agent_gif", "evaluate_agent", "evaluate_published_agent", "illustration", "published_agent_gif",
               "train_agent", "training_capability", "vector_field", "vector_field_difference"}


def module_imports(script) -> str:
    """The script's module-level import statements, as code (the rest needs the `snakemake` object)."""
    tree = ast.parse(script.read_text())
    return "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)))


def imports_torch(code: str) -> bool:
    return imported_of(code, ("torch",)) == ["torch"]


def test_jobs_that_play_no_agent_do_not_import_torch():
    scripts = {path.stem: path for path in JOBS.glob("*.py") if path.stem != "__init__"}
    assert PLAY_AGENTS <= set(scripts), PLAY_AGENTS - set(scripts)
    others = sorted(set(scripts) - PLAY_AGENTS)
    assert len(others) >= 20
    # One process for all of them; only when it fails, one per script to name the culprits.
    if imports_torch("\n".join(module_imports(scripts[name]) for name in others)):
        culprits = [name for name in others if imports_torch(module_imports(scripts[name]))]
        raise AssertionError(f"these entry scripts import torch at start-up: {culprits}")
    assert imports_torch(module_imports(scripts["train_agent"]))  # the check sees torch where it is imported


def test_the_device_setup_of_a_job_does_not_load_the_compiler_and_leaves_it_deterministic():
    """torch.use_deterministic_algorithms imports the inductor compiler (torch 2.13 here), 0.9 s of the start-up of
    every job that plays an agent, though no job compiles. Eager ops are held deterministic without it; inductor,
    imported later or before, is set deterministic too."""
    setup = ("from workflow_scripts.devices import device_setup\n"
             "with device_setup('cpu', threads=1):\n"
             "    import torch\n"
             "    assert torch.are_deterministic_algorithms_enabled()\n"
             "    assert not torch.is_deterministic_algorithms_warn_only_enabled()\n")
    assert imported_of(setup, ("torch", "torch._inductor")) == ["torch"]
    for before, after in [("", "import torch._inductor.config"), ("import torch._inductor.config", "")]:
        code = f"{before}\n{setup}\n{after}\nassert torch._inductor.config.deterministic"
        assert imported_of(code, ("torch._inductor",)) == ["torch._inductor"], code


def test_the_icon_jobs_start_without_matplotlib():
    """A run draws an icon per object (13 in the tiny configuration) and matplotlib's import was most of each."""
    icon, plot = (module_imports(JOBS / f"{name}.py") for name in ("object_icon", "scatter_plot"))
    assert imported_of(icon, ("matplotlib",)) == []
    assert imported_of(plot, ("matplotlib",)) == ["matplotlib"]  # the check sees it where it is imported
