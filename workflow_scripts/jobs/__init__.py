"""One entry script per rule: each reads its job's inputs, parameters and outputs, calls library code and
logs to the job's log. Only these, and what they share in shared/ (logging set-up, device, identity
record; the evaluation, GIF and vector-field bodies), look at the `snakemake` object Snakemake hands a script."""
