"""One entry script per rule: each reads its job's inputs, parameters and outputs, calls library code and
logs to the job's log. Only these look at the `snakemake` object Snakemake hands a script."""
