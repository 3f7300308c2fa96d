"""What every script rule takes besides its data: its code (inputs and a fingerprint) and, for the rules that
load it, the engine (inputs and a fingerprint). Built once in the Snakefile. Parse-time only: no job imports it.

Reruns follow content, not time stamps (docs/workflow.md): every file a job reads that a
clone, a checkout, a `touch` or a reinstalled venv can give a new time stamp is an ancient() input or not an
input at all, and the job's params carry a fingerprint of what that file means. Results of other jobs stay
plain inputs: a remade checkpoint or table reruns what is made from it.
"""

import glob
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from workflow_scripts import layout
from workflow_scripts.code_deps import code_fingerprint, combine, cpp_fingerprint, files_fingerprint, project_imports
from workflow_scripts.engine_build import compiler_identity, libenv_header
from workflow_scripts.prepare_assets import BACKGROUNDS, SPRITES, procgen_assets_dir


class RuleInputs:
    """The code and engine inputs of the rules. `ancient` and `checkpoints` are Snakemake's; `guard` is the
    plan's stale-results guard (workflow_scripts/guard.py), which job_code's input functions let repair the
    plan."""

    def __init__(self, basedir: str | Path, config: Mapping[str, Any], guard: Any, ancient: Callable[[Any], Any],
                 checkpoints: Any) -> None:
        self.basedir = basedir
        self.cxx = config["engine"]["cxx"]
        self.guard = guard
        self.ancient = ancient
        self.checkpoints = checkpoints
        # Relative to the working directory, as the rules name them.
        self.engine_sources = sorted(glob.glob("cpp/*.cpp"))
        self.engine_headers = sorted(glob.glob("cpp/*.h"))
        # The files whose meaning is the engine's: both fingerprints below read them.
        self.engine_code = [*self.engine_sources, *self.engine_headers, libenv_header()]
        # The artwork is read from the installed procgen package: by content, wherever the venv lies.
        assets = procgen_assets_dir()
        self.artwork_version = files_fingerprint([assets / rel for rel in [*SPRITES.values(), *BACKGROUNDS]], assets)
        # What the engine computes and draws: its sources and gym3's libenv.h by meaning, its flags, the artwork
        # and the code that converts it. Not the compiler: the engine is bit-exact by construction, so moving a
        # finished run to a machine with another g++ rebuilds the library without rerunning what used it.
        self.engine_version = combine(
            cpp_fingerprint(self.engine_code, config["engine"]["cxxflags"]),
            self.artwork_version,
            self.code_version("prepare_assets"),
        )

    def job_code(self, rule_name: str) -> Callable[[Any], Any]:
        """The project modules that a rule's entry script imports, directly or not, as ancient inputs: the set
        is tracked (Snakemake's input trigger), their content through code_version(rule_name). As an input
        function, it also lets the stale-results guard repair the plan (Guard.repair)."""
        modules = self.ancient(list(project_imports(f"workflow_scripts/jobs/{rule_name}.py", self.basedir)))

        def inputs(wildcards: Any) -> Any:
            self.guard.repair()
            return modules

        return inputs

    def code_version(self, rule_name: str) -> str:
        """A params value: the fingerprint of the rule's entry script and every project module it imports, by
        meaning (comments, docstrings and layout do not count)."""
        return code_fingerprint(f"workflow_scripts/jobs/{rule_name}.py", self.basedir)

    def compiler_build(self, wildcards: Any) -> str:
        """A params function of compile_engine: the sources and libenv.h by meaning, and the compiler by its
        version, so that a new g++ rebuilds the library."""
        return cpp_fingerprint(self.engine_code, [compiler_identity(self.cxx)])

    def engine_inputs(self, wildcards: Any) -> dict[str, Any]:
        """The inputs of a job that loads the engine (`unpack(INPUTS.engine_inputs)`), which also takes
        `engine=INPUTS.engine_version` as a param. Ancient, so that a rebuild of the same engine (another
        compiler, a deleted or moved library) reruns nothing. Behind the checkpoint engine_built: Snakemake does
        not weigh the own params of a job whose only inputs from a job that must run are ancient (it takes them
        as unchanged), so these jobs are planned once the engine is built, and then rerun exactly when
        engine_version changed."""
        self.checkpoints.engine_built.get()
        return {"lib": self.ancient(layout.ENGINE_LIB), "assets": self.ancient(layout.ENGINE_ASSETS)}
