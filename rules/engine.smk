# The maze engine: the C++ library built from cpp/ and the artwork it reads.


rule compile_engine:
    input:
        sources=ancient(INPUTS.engine_sources),
        headers=ancient(INPUTS.engine_headers),
        code=INPUTS.job_code("compile_engine"),
    output:
        layout.ENGINE_LIB,
    params:
        cxx=config["engine"]["cxx"],
        flags=config["engine"]["cxxflags"],
        # The sources and libenv.h by meaning, and the compiler by its version: a new g++ rebuilds the library.
        build=INPUTS.compiler_build,
        code=INPUTS.code_version("compile_engine"),
    log:
        "results/logs/engine/compile.log",
    script:
        "../workflow_scripts/jobs/compile_engine.py"


rule prepare_assets:
    input:
        code=INPUTS.job_code("prepare_assets"),
    output:
        layout.ENGINE_ASSETS,
    params:
        artwork=INPUTS.artwork_version,
        out_dir=f"{layout.ENGINE_DIR}/assets",
        code=INPUTS.code_version("prepare_assets"),
    log:
        "results/logs/engine/prepare_assets.log",
    script:
        "../workflow_scripts/jobs/prepare_assets.py"


# The gate between the engine and the jobs that load it (RuleInputs.engine_inputs, workflow_scripts/rule_inputs.py):
# records what was built.
checkpoint engine_built:
    input:
        lib=layout.ENGINE_LIB,
        assets=layout.ENGINE_ASSETS,
        code=INPUTS.job_code("engine_built"),
    output:
        layout.ENGINE_RECORD,
    params:
        engine=INPUTS.engine_version,
        cxx=config["engine"]["cxx"],
        code=INPUTS.code_version("engine_built"),
    localrule: True
    log:
        "results/logs/engine/built.log",
    script:
        "../workflow_scripts/jobs/engine_built.py"


rule engine_preview:
    input:
        unpack(INPUTS.engine_inputs),
        code=INPUTS.job_code("engine_preview"),
    output:
        layout.ENGINE_PREVIEW,
    params:
        engine=INPUTS.engine_version,
        code=INPUTS.code_version("engine_preview"),
    log:
        "results/logs/engine/preview.log",
    script:
        "../workflow_scripts/jobs/engine_preview.py"
