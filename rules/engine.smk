# The maze engine: the C++ library built from cpp/ and the artwork it reads.


rule compile_engine:
    input:
        sources=sorted(glob.glob("cpp/*.cpp")),
        headers=sorted(glob.glob("cpp/*.h")),
        libenv=f"{LIBENV_HEADER_DIR}/libenv.h",
    output:
        ENGINE_LIB,
    params:
        cxx=config["engine"]["cxx"],
        flags=config["engine"]["cxxflags"],
        include=LIBENV_HEADER_DIR,
    log:
        "results/logs/engine/compile.log",
    shell:
        "{params.cxx} {params.flags} -I{params.include} {input.sources} -o {output}.tmp > {log} 2>&1"
        " && mv {output}.tmp {output} && echo 'built {output} with {params.cxx} {params.flags}' >> {log}"


rule prepare_assets:
    input:
        [PROCGEN_ASSETS / rel for rel in [*SPRITES.values(), *BACKGROUNDS]],
        code=job_code("prepare_assets"),
    output:
        ENGINE_ASSETS,
    params:
        source=str(PROCGEN_ASSETS),
        out_dir=f"{ENGINE_DIR}/assets",
    log:
        "results/logs/engine/prepare_assets.log",
    script:
        "../workflow_scripts/jobs/prepare_assets.py"


rule engine_preview:
    input:
        lib=ENGINE_LIB,
        assets=ENGINE_ASSETS,
        code=job_code("engine_preview"),
    output:
        f"{ENGINE_DIR}/preview.png",
    params:
        colours=config["colours"],
    log:
        "results/logs/engine/preview.log",
    script:
        "../workflow_scripts/jobs/engine_preview.py"


rule engine:
    input:
        ENGINE_LIB,
        ENGINE_ASSETS,
        f"{ENGINE_DIR}/preview.png",
    localrule: True
