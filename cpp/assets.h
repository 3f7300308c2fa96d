// The artwork the renderer draws: loaded from the files prepared by the workflow (PAM files read from the
// procgen package), with the object sprites named in the config built on the fly.
#pragma once

#include <vector>

#include "image.h"
#include "options.h"

// Artwork shared read-only by every env of a vector env.
struct Assets {
    Image wall;
    Image agent;
    Image agent_mirrored;
    Image obj1;  // the goal in single-object games
    Image obj2;
    std::vector<Image> backgrounds;  // empty unless the background is textured
};

// File names inside resource_root, written by workflow_scripts/prepare_assets.py.
constexpr const char *kWallFile = "wall.pam";
constexpr const char *kAgentFile = "agent.pam";
constexpr const char *kCheeseFile = "cheese.pam";
constexpr const char *kBackgroundPattern = "background_%d.pam";

// Throws with the path and the reason when a file is missing or malformed, or an object name is unknown.
Assets load_assets(const EnvConfig &cfg);
