"""Object names of the maze games and their colours, validated in Python before any engine is built.

The engine (cpp/objects.cpp) knows the same names; tests check that both sides accept exactly the same ones.
"""

import re
from collections.abc import Iterable, Mapping, Sequence

# The original fork's eight pure colours.
BUILTIN_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "blue": (0, 0, 255),
    "cyan": (0, 255, 255),
    "green": (0, 255, 0),
    "purple": (255, 0, 255),
    "red": (255, 0, 0),
    "white": (255, 255, 255),
    "yellow": (255, 255, 0),
}
SHAPES = ("line_diag", "gem")
INVISIBLE = "invisible_gem"
_COLOUR_NAME = re.compile(r"[a-z][a-z0-9]*")


def all_colours(extra: Mapping[str, Sequence[int]] | None = None) -> dict[str, tuple[int, int, int]]:
    """The built-in colours plus user-declared ones, checked: lower-case names, channels 0..255, no redefinition."""
    if extra is not None and not isinstance(extra, Mapping):
        raise TypeError(f"colours must be a mapping of colour name to [r, g, b], "
                        f"got {type(extra).__name__} {extra!r}")
    colours = dict(BUILTIN_COLOURS)
    for name, rgb in (extra or {}).items():
        if not isinstance(name, str) or not _COLOUR_NAME.fullmatch(name) or name == "invisible":
            raise ValueError(f"colour name {name!r} must be lower-case letters and digits, starting with a letter")
        values = tuple(rgb)
        if len(values) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in values):
            raise ValueError(f"colour {name!r} = {rgb!r} must be three integers in 0..255")
        if name in colours and colours[name] != values:
            raise ValueError(f"colour {name!r} is already defined as {colours[name]}")
        colours[name] = values  # type: ignore[assignment]
    return colours


def parse_object(name: str, colours: Mapping[str, Sequence[int]] | None = None) -> tuple[str, tuple[int, int, int] | None]:
    """Split an object name into (shape, rgb); rgb is None for the invisible gem. Raises ValueError if unknown."""
    known = all_colours(colours)
    if name == INVISIBLE:
        return "gem", None
    colour, _, shape = name.partition("_")
    if shape not in SHAPES or colour not in known:
        raise ValueError(
            f"unknown object {name!r}: expected <colour>_line_diag, <colour>_gem or {INVISIBLE}, "
            f"with colour one of {', '.join(sorted(known))}"
        )
    return shape, known[colour]


def colours_option(extra: Mapping[str, Sequence[int]] | None) -> str:
    """The engine's `colours` option string ("name=r,g,b;...") for user-declared colours."""
    return ";".join(f"{name}={','.join(str(v) for v in rgb)}" for name, rgb in sorted(all_colours(extra).items())
                    if name not in BUILTIN_COLOURS)


def colours_used(objects: Iterable[str], extra: Mapping[str, Sequence[int]] | None) -> dict[str, Sequence[int]]:
    """The user-declared colours that the objects use, e.g. {'orange': [255, 128, 0]} for orange_gem: what a
    job that draws or plays those objects needs of `colours`, so that declaring another colour changes nothing."""
    used = {name.partition("_")[0] for name in objects}
    return {name: rgb for name, rgb in (extra or {}).items() if name in used}


def short_name(name: str, separator: str = "-") -> str:
    """The original's folder spelling of an object: red_line_diag -> red-line, yellow_gem -> yellow-gem."""
    return name.replace("_diag", "").replace("_", separator)


def object_label(name: str) -> str:
    """An object's name in figures: yellow_line_diag -> 'yellow line', invisible_gem -> 'invisible gem'."""
    return short_name(name, " ")


# The paper's channel analysis: the built-in colours as the 2x2x2 design of the R, G and B bits. Here, light
# and torch-free, because the workflow needs it while it is parsed.
def channel_bits() -> dict[str, tuple[int, int, int]]:
    """{'<colour>_line_diag': (R, G, B) bits} of the 8 built-in colours, from their RGB (black 000 ... white 111),
    ordered by the bits read as a binary number."""
    bits = {f"{name}_line_diag": tuple(int(v == 255) for v in rgb) for name, rgb in BUILTIN_COLOURS.items()
            if all(v in (0, 255) for v in rgb)}
    if sorted(bits.values()) != [tuple(int(c) for c in f"{i:03b}") for i in range(8)]:
        raise ValueError("the built-in colours no longer form the 2x2x2 design of the R, G and B bits")
    return dict(sorted(bits.items(), key=lambda item: item[1]))


def channel_reference(pairs: Mapping[str, Sequence[str]]) -> str | None:
    """The first obj2 (in config order) that an experiment's pairs {name: (obj1, obj2)} oppose to all 8 line
    colours, or None when no obj2 is: the channel analysis needs the full design."""
    lines = set(channel_bits())
    for _, obj2 in pairs.values():
        if lines <= {a for a, b in pairs.values() if b == obj2}:
            return obj2
    return None
