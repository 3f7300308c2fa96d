// Parsing and validation of the libenv options into an EnvConfig, before anything is built.
#pragma once

#include <stdexcept>
#include <cstdint>
#include <string>
#include <vector>

#include "background.h"
#include "libenv.h"

enum class GameKind { Single, Duel, ProcgenMaze };

struct EnvConfig {
    GameKind game = GameKind::Single;
    int world_dim = 5;
    Background background = Background::Black;
    std::string goal = "yellow_line_diag";
    std::string obj1 = "red_line_diag";
    std::string obj2 = "yellow_gem";
    std::string colours;  // extra colours, "name=r,g,b;..."
    int num_levels = 0;
    int start_level = 0;
    int rand_seed = 0;
    std::vector<int32_t> level_seeds;  // one fixed level per env; overrides num_levels/start_level
    int num_threads = 0;
    bool final_frames = false;  // keep each ended episode's last frame (FinalFrames)
    std::string resource_root;
};

constexpr int kMaxWorldDim = 63;  // beyond this a cell is narrower than one observation pixel
constexpr int kProcgenMazeWorldDim = 15;  // upstream maze, easy mode

// A value of the wrong dtype; every other problem is a std::invalid_argument.
struct OptionTypeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// `num` is the number of envs, needed to check per-env options.
EnvConfig parse_options(const libenv_options &options, int num);
