#include "options.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <set>

namespace {

const char *dtype_name(int dtype) {
    switch (dtype) {
        case LIBENV_DTYPE_UINT8: return "uint8 (bool or str)";
        case LIBENV_DTYPE_INT32: return "int32";
        case LIBENV_DTYPE_FLOAT32: return "float32";
        default: return "unknown dtype";
    }
}

void expect(const libenv_option &opt, int dtype, bool scalar, const char *what) {
    if (opt.dtype != dtype || (scalar && opt.count != 1))
        throw OptionTypeError(std::string("option '") + opt.name + "' must be " + what + ", got " +
                              dtype_name(opt.dtype) + " with " + std::to_string(opt.count) + " element(s)");
}

int as_int(const libenv_option &opt) {
    expect(opt, LIBENV_DTYPE_INT32, true, "an int");
    int32_t v;
    std::memcpy(&v, opt.data, sizeof v);
    return v;
}

std::vector<int32_t> as_int_array(const libenv_option &opt) {
    expect(opt, LIBENV_DTYPE_INT32, false, "an int32 array");
    std::vector<int32_t> v(static_cast<size_t>(opt.count));
    std::memcpy(v.data(), opt.data, v.size() * sizeof(int32_t));
    return v;
}

bool as_bool(const libenv_option &opt) {
    expect(opt, LIBENV_DTYPE_UINT8, true, "a bool");
    const uint8_t v = *static_cast<const uint8_t *>(opt.data);
    if (v > 1) throw OptionTypeError(std::string("option '") + opt.name + "' must be a bool, got a str or bytes");
    return v == 1;
}

std::string as_string(const libenv_option &opt) {
    expect(opt, LIBENV_DTYPE_UINT8, false, "a str");
    std::string value(static_cast<const char *>(opt.data), static_cast<size_t>(opt.count));
    // gym3 sends a bool as one uint8 byte 0 or 1, which only control characters can tell from text.
    for (unsigned char ch : value)
        if (ch < 0x20) throw OptionTypeError(std::string("option '") + opt.name + "' must be a str, got a bool or bytes");
    return value;
}

void require(bool ok, const std::string &message) {
    if (!ok) throw std::invalid_argument(message);
}

const std::map<std::string, GameKind> kGames = {
    {"single", GameKind::Single}, {"duel", GameKind::Duel}, {"procgen_maze", GameKind::ProcgenMaze}};
const std::map<std::string, Background> kBackgrounds = {
    {"black", Background::Black}, {"grey", Background::Grey}, {"textured", Background::Textured}};

template <typename T>
T lookup(const std::map<std::string, T> &table, const std::string &value, const char *option) {
    const auto it = table.find(value);
    if (it != table.end()) return it->second;
    std::string known;
    for (const auto &kv : table) known += (known.empty() ? "" : ", ") + kv.first;
    throw std::invalid_argument(std::string("option '") + option + "' = '" + value + "' is not one of " + known);
}

}  // namespace

EnvConfig parse_options(const libenv_options &options, int num) {
    EnvConfig cfg;
    using Setter = std::function<void(const libenv_option &)>;
    const std::map<std::string, Setter> setters = {
        {"game", [&](const libenv_option &o) { cfg.game = lookup(kGames, as_string(o), "game"); }},
        {"background", [&](const libenv_option &o) { cfg.background = lookup(kBackgrounds, as_string(o), "background"); }},
        {"world_dim", [&](const libenv_option &o) { cfg.world_dim = as_int(o); }},
        {"goal", [&](const libenv_option &o) { cfg.goal = as_string(o); }},
        {"obj1", [&](const libenv_option &o) { cfg.obj1 = as_string(o); }},
        {"obj2", [&](const libenv_option &o) { cfg.obj2 = as_string(o); }},
        {"colours", [&](const libenv_option &o) { cfg.colours = as_string(o); }},
        {"num_levels", [&](const libenv_option &o) { cfg.num_levels = as_int(o); }},
        {"start_level", [&](const libenv_option &o) { cfg.start_level = as_int(o); }},
        {"rand_seed", [&](const libenv_option &o) { cfg.rand_seed = as_int(o); }},
        {"level_seeds", [&](const libenv_option &o) { cfg.level_seeds = as_int_array(o); }},
        {"num_threads", [&](const libenv_option &o) { cfg.num_threads = as_int(o); }},
        {"resource_root", [&](const libenv_option &o) { cfg.resource_root = as_string(o); }},
        {"final_frames", [&](const libenv_option &o) { cfg.final_frames = as_bool(o); }},
    };

    std::set<std::string> given;
    for (int i = 0; i < options.count; i++) {
        const libenv_option &opt = options.items[i];
        const std::string name(opt.name, strnlen(opt.name, LIBENV_MAX_NAME_LEN));
        const auto setter = setters.find(name);
        if (setter == setters.end()) {
            std::string known;
            for (const auto &kv : setters) known += (known.empty() ? "" : ", ") + kv.first;
            throw std::invalid_argument("unknown option '" + name + "'; known options: " + known);
        }
        require(given.insert(name).second, "option '" + name + "' given twice");
        setter->second(opt);
    }

    // Options that a game would silently ignore are rejected, so a typo'd experiment cannot run.
    const bool duel = cfg.game == GameKind::Duel, single = cfg.game == GameKind::Single;
    require(duel || (!given.count("obj1") && !given.count("obj2")), "options 'obj1'/'obj2' only apply to game 'duel'");
    require(single || !given.count("goal"), "option 'goal' only applies to game 'single'");
    if (cfg.game == GameKind::ProcgenMaze) {
        require(!given.count("world_dim"), "option 'world_dim' does not apply to game 'procgen_maze' (always 15)");
        cfg.world_dim = kProcgenMazeWorldDim;
    }
    require(cfg.world_dim >= 3 && cfg.world_dim <= kMaxWorldDim && cfg.world_dim % 2 == 1,
            "option 'world_dim' = " + std::to_string(cfg.world_dim) + " must be odd and between 3 and " +
                std::to_string(kMaxWorldDim));
    require(cfg.num_levels >= 0, "option 'num_levels' must be >= 0 (0 means all levels)");
    require(cfg.start_level >= 0, "option 'start_level' must be >= 0");
    require(static_cast<int64_t>(cfg.start_level) + cfg.num_levels <= INT32_MAX,
            "options 'start_level' + 'num_levels' must not exceed 2147483647");
    if (given.count("level_seeds")) {
        require(!given.count("num_levels") && !given.count("start_level"),
                "option 'level_seeds' cannot be combined with 'num_levels' or 'start_level'");
        require(static_cast<int>(cfg.level_seeds.size()) == num,
                "option 'level_seeds' needs one seed per env: got " + std::to_string(cfg.level_seeds.size()) +
                    " for " + std::to_string(num) + " envs");
        for (int32_t s : cfg.level_seeds) require(s >= 0 && s < INT32_MAX, "level seeds must be in 0..2147483646");
    }
    require(cfg.rand_seed >= 0, "option 'rand_seed' must be >= 0");
    require(cfg.num_threads >= 0 && cfg.num_threads <= 256, "option 'num_threads' must be between 0 and 256");
    require(!cfg.resource_root.empty(), "option 'resource_root' (the prepared artwork folder) is required");
    return cfg;
}
