"""Rule unpack_published: every archive of the fetched record unpacked, nested ones too."""

from pathlib import Path

from workflow_scripts.atomic import atomic_path
from workflow_scripts.jobs.shared.job import configure_logging
from workflow_scripts.zenodo import check_against_listing, read_checksums, unpack_all


def main(snakemake) -> None:
    configure_logging(snakemake)
    names = read_checksums(Path(snakemake.input[0]))
    checksums = check_against_listing(snakemake.params.folder, names)
    folders = unpack_all(snakemake.params.folder, names, checksums)
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text("".join(f"{f}\n" for f in folders))


main(snakemake)  # noqa: F821
