# The maze engine: the C++ library built from cpp/ and the artwork it reads.


rule compile_engine:
    input:
        sources=ancient(ENGINE_SOURCES),
        headers=ancient(ENGINE_HEADERS),
        code=job_code("compile_engine"),
    output:
        ENGINE_LIB,
    params:
        cxx=config["engine"]["cxx"],
        flags=config["engine"]["cxxflags"],
        # The sources and libenv.h by meaning, and the compiler by its version: a new g++ rebuilds the library.
        build=lambda wc: cpp_fingerprint([*ENGINE_SOURCES, *ENGINE_HEADERS, libenv_header()],
                                         [compiler_identity(config["engine"]["cxx"])]),
        code=code_version("compile_engine"),
    log:
        "results/logs/engine/compile.log",
    script:
        "../workflow_scripts/jobs/compile_engine.py"


rule prepare_assets:
    input:
        code=job_code("prepare_assets"),
    output:
        ENGINE_ASSETS,
    params:
        artwork=ARTWORK_VERSION,
        out_dir=f"{ENGINE_DIR}/assets",
        code=code_version("prepare_assets"),
    log:
        "results/logs/engine/prepare_assets.log",
    script:
        "../workflow_scripts/jobs/prepare_assets.py"


# The gate between the engine and the jobs that load it (common.smk, engine_inputs): records what was built.
checkpoint engine_built:
    input:
        lib=ENGINE_LIB,
        assets=ENGINE_ASSETS,
        code=job_code("engine_built"),
    output:
        ENGINE_RECORD,
    params:
        engine=ENGINE_VERSION,
        cxx=config["engine"]["cxx"],
        code=code_version("engine_built"),
    localrule: True
    log:
        "results/logs/engine/built.log",
    script:
        "../workflow_scripts/jobs/engine_built.py"


rule engine_preview:
    input:
        unpack(engine_inputs),
        code=job_code("engine_preview"),
    output:
        f"{ENGINE_DIR}/preview.png",
    params:
        engine=ENGINE_VERSION,
        code=code_version("engine_preview"),
    log:
        "results/logs/engine/preview.log",
    script:
        "../workflow_scripts/jobs/engine_preview.py"
