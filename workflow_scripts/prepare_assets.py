"""Converts the procgen package's artwork (mouse, sand wall, cheese, 9 top-down backgrounds) to PAM files
the engine reads. Nothing of it is committed: it is read from the installed package at build time."""

import importlib.util
from pathlib import Path

import numpy as np
from PIL import Image

from workflow_scripts.atomic import atomic_path

# Engine file name -> path under procgen/data/assets (the original fork's). Order of backgrounds is the
# original's background index order.
SPRITES = {
    "wall": "kenney/Ground/Sand/sandCenter.png",
    "agent": "kenney/Enemies/mouse_move.png",
    "cheese": "misc_assets/cheese.png",
}
BACKGROUNDS = ["topdown_backgrounds/floortiles.png"] + [
    f"topdown_backgrounds/backgrounddetailed{i}.png" for i in range(1, 9)
]
ASSET_NAMES = list(SPRITES) + [f"background_{i}" for i in range(len(BACKGROUNDS))]


def procgen_assets_dir() -> Path:
    """The `data/assets` folder of the installed procgen package."""
    spec = importlib.util.find_spec("procgen")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the procgen package is not installed (pip install procgen-mirror==0.10.7)")
    return Path(spec.origin).parent / "data" / "assets"


def write_pam(path: Path, pixels: np.ndarray) -> None:
    """Binary PAM (netpbm P7), RGB or RGB_ALPHA, rows from the top."""
    height, width, depth = pixels.shape
    tupltype = {3: "RGB", 4: "RGB_ALPHA"}[depth]
    header = f"P7\nWIDTH {width}\nHEIGHT {height}\nDEPTH {depth}\nMAXVAL 255\nTUPLTYPE {tupltype}\nENDHDR\n"
    with atomic_path(path) as tmp:
        tmp.write_bytes(header.encode("ascii") + np.ascontiguousarray(pixels, dtype=np.uint8).tobytes())


def read_pam(path: Path) -> np.ndarray:
    """Inverse of write_pam, for tests and figures."""
    data = Path(path).read_bytes()
    end = data.index(b"ENDHDR\n") + len(b"ENDHDR\n")
    fields = dict(line.split(" ", 1) for line in data[:end].decode("ascii").splitlines()[1:-1])
    shape = (int(fields["HEIGHT"]), int(fields["WIDTH"]), int(fields["DEPTH"]))
    return np.frombuffer(data[end:], dtype=np.uint8).reshape(shape)


def prepare(source: Path, out_dir: Path) -> list[Path]:
    """Write every engine asset into out_dir. Sprites keep straight RGBA (the engine premultiplies like Qt);
    backgrounds are opaque RGB, as Qt loads them."""
    written = []
    for name, rel in SPRITES.items():
        written.append(out_dir / f"{name}.pam")
        write_pam(written[-1], np.asarray(Image.open(source / rel).convert("RGBA")))
    for i, rel in enumerate(BACKGROUNDS):
        img = Image.open(source / rel)
        if img.width != img.height:
            raise ValueError(f"{rel}: the engine only supports square backgrounds, got {img.size}")
        written.append(out_dir / f"background_{i}.pam")
        write_pam(written[-1], np.asarray(img.convert("RGB")))
    return written
