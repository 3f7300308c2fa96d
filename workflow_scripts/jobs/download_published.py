"""Rule download_published: the published Zenodo record's chosen files, md5-checked."""

from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.zenodo import fetch


def main(snakemake) -> None:
    configure_logging(snakemake)
    p, r = snakemake.params, snakemake.resources
    chosen = fetch(p.record, p.folder, p.files, r.download_retries, float(r.download_pause_s),
                   float(r.download_timeout_s))
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text("".join(f"{md5}  {name}\n" for name, md5 in sorted(chosen.items())))


main(snakemake)  # noqa: F821
