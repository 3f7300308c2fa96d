// Loads the artwork prepared by the workflow (PAM files read from the procgen package) and builds the
// object sprites named in the config.
#pragma once

#include "options.h"
#include "renderer.h"

// File names inside resource_root, written by workflow_scripts/prepare_assets.py.
constexpr const char *kWallFile = "wall.pam";
constexpr const char *kAgentFile = "agent.pam";
constexpr const char *kCheeseFile = "cheese.pam";
constexpr const char *kBackgroundPattern = "background_%d.pam";

// Throws with the path and the reason when a file is missing or malformed, or an object name is unknown.
Assets load_assets(const EnvConfig &cfg);
