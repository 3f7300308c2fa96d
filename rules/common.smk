# Helpers shared by the rule files.
import glob

import gym3.libenv

from workflow_scripts.objects import all_colours
from workflow_scripts.prepare_assets import ASSET_NAMES, BACKGROUNDS, SPRITES, procgen_assets_dir

ENGINE_DIR = "results/engine"
ENGINE_LIB = f"{ENGINE_DIR}/libmaze.so"
ENGINE_ASSETS = expand(f"{ENGINE_DIR}/assets/{{name}}.pam", name=ASSET_NAMES)
PROCGEN_ASSETS = procgen_assets_dir()
LIBENV_HEADER_DIR = gym3.libenv.get_header_dir()

# Redefining a built-in colour is caught here, before any job runs (the schema checks the shape).
all_colours(config["colours"])
