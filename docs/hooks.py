"""MkDocs hook (mkdocs.yml): the site's home page is README.md itself, so the two cannot drift. Its links into
docs/ (`docs/training.md`) are made relative to the site; every other link stays as written, so one to a file
outside docs/ fails `mkdocs build --strict`. Its picture is drawn by the engine while the site is built, as the
main job draws it: the picture holds procgen's artwork, which the repository never holds."""

import io
import re
import sys
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
INTO_DOCS = re.compile(r"\]\(docs/")
# The README's picture: the path the main job draws it to, and the site's copy.
PICTURE = re.compile(r"\]\(figures/demo-maze-5x5/(?P<name>illustration-[a-z-]+\.png)\)")


def home_page(readme: str) -> str:
    """README's text with its `](docs/...)` links relative to docs/ and its picture taken from the site's img/."""
    return PICTURE.sub(r"](img/\g<name>)", INTO_DOCS.sub("](", readme))


def demo_illustration() -> tuple[str, bytes]:
    """The demo's illustration (config.yaml's figures.illustration entry), drawn now, as a PNG."""
    sys.path.insert(0, str(REPO))
    from workflow_scripts.experiments import pairs
    from workflow_scripts.maze import engine_dir
    from workflow_scripts.media import train_test_illustration

    if not (engine_dir() / "libmaze.so").is_file():
        raise PluginError(f"the home page's picture is drawn by the engine, and there is none in {engine_dir()}: "
                          "build it first (.venv/bin/snakemake --cores 2 engine), or set MAZE_ENGINE_DIR")
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    [entry] = [e for e in config["figures"]["illustration"] if e["experiment"] == "demo-maze-5x5"]
    experiment = config["experiments"]["demo-maze-5x5"]
    obj1, obj2 = pairs(config, "demo-maze-5x5")[entry["pair"]]
    pixels = train_test_illustration(experiment["goal"], obj1, obj2, experiment["background"],
                                     experiment["world_dim"], entry["train_level"], entry["test_level"])
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, format="PNG")
    return f"illustration-{entry['pair']}.png", png.getvalue()


def on_files(files, config):
    files.append(File.generated(config, "index.md", content=home_page((REPO / "README.md").read_text())))
    name, png = demo_illustration()
    files.append(File.generated(config, f"img/{name}", content=png))
    return files
