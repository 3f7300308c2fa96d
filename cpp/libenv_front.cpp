// gym3's libenv C ABI (libenv.h) plus the engine's own queries. No C++ exception crosses this boundary:
// problems are reported as messages, never by aborting the host process.
#include <cstdio>
#include <cstring>
#include <exception>

#include "libenv.h"
#include "objects.h"
#include "vec_env.h"

namespace {

enum CheckResult { kOk = 0, kValueError = 1, kTypeError = 2 };

void copy_message(const char *text, char *out, int len) {
    if (out == nullptr || len <= 0) return;
    std::strncpy(out, text, static_cast<size_t>(len) - 1);
    out[len - 1] = '\0';
}

VecEnv *as_env(libenv_env *handle) { return static_cast<VecEnv *>(handle); }

}  // namespace

extern "C" {

LIBENV_API int libenv_version() { return LIBENV_VERSION; }

LIBENV_API libenv_env *libenv_make(int num, const struct libenv_options options) {
    try {
        if (num < 1) throw std::invalid_argument("the number of envs must be at least 1");
        return new VecEnv(num, parse_options(options, num));
    } catch (const std::exception &e) {
        std::fprintf(stderr, "maze engine: %s\n", e.what());
        return nullptr;
    }
}

LIBENV_API int libenv_get_tensortypes(libenv_env *handle, enum libenv_space_name name, struct libenv_tensortype *types) {
    return as_env(handle)->tensortypes(name, types);
}

LIBENV_API void libenv_set_buffers(libenv_env *handle, struct libenv_buffers *bufs) { as_env(handle)->set_buffers(*bufs); }

LIBENV_API void libenv_observe(libenv_env *handle) { as_env(handle)->observe(); }

LIBENV_API void libenv_act(libenv_env *handle) { as_env(handle)->act(); }

LIBENV_API void libenv_close(libenv_env *handle) { delete as_env(handle); }

// Builds everything libenv_make would (options, artwork, sprites) and reports the first problem.
LIBENV_API int maze_check_options(int num, const struct libenv_options options, char *message, int message_len) {
    try {
        if (num < 1) throw std::invalid_argument("the number of envs must be at least 1");
        load_assets(parse_options(options, num));
        return kOk;
    } catch (const OptionTypeError &e) {
        copy_message(e.what(), message, message_len);
        return kTypeError;
    } catch (const std::exception &e) {
        copy_message(e.what(), message, message_len);
        return kValueError;
    }
}

// Writes the 128x128 premultiplied RGBA sprite of an object (128 * 128 * 4 bytes, rows from the top);
// `colours` declares extra colours as "name=r,g,b;...". Returns 0, or kValueError with a message.
LIBENV_API int maze_object_sprite(const char *name, const char *colours, uint8_t *out, char *message, int message_len) {
    try {
        ObjectCatalogue catalogue;
        catalogue.add_colours(colours);
        const Image sprite = catalogue.sprite(name);
        std::memcpy(out, sprite.rgba.data(), sprite.rgba.size());
        return kOk;
    } catch (const std::exception &e) {
        copy_message(e.what(), message, message_len);
        return kValueError;
    }
}

// Writes env `index`'s grid (W * W cells, grid[y * W + x], y = 0 at the bottom) if it fits; returns W * W.
LIBENV_API int maze_get_grid(libenv_env *handle, int index, int32_t *out, int capacity) {
    const auto &grid = as_env(handle)->game(index).grid();
    const int n = static_cast<int>(grid.size());
    if (out != nullptr && capacity >= n)
        for (int i = 0; i < n; i++) out[i] = grid[i];
    return n;
}

// Writes every env's agent cell x, y and whether it faces right: out[3 * i .. 3 * i + 2].
LIBENV_API void maze_get_agents(libenv_env *handle, int32_t *out) {
    VecEnv *env = as_env(handle);
    for (int i = 0; i < env->num(); i++) {
        const Game &g = env->game(i);
        out[3 * i] = g.agent_x();
        out[3 * i + 1] = g.agent_y();
        out[3 * i + 2] = g.mirrored() ? 1 : 0;
    }
}

// Writes env `index`'s state into buf when it fits and returns its size in bytes (so a call with a
// NULL buffer asks for the size), or -1 for a bad index.
LIBENV_API int get_state(libenv_env *handle, int index, char *buf, int len) {
    VecEnv *env = as_env(handle);
    if (index < 0 || index >= env->num()) return -1;
    const std::vector<uint8_t> state = env->get_state(index);
    if (buf != nullptr && len >= static_cast<int>(state.size())) std::memcpy(buf, state.data(), state.size());
    return static_cast<int>(state.size());
}

// Restores env `index` from get_state's bytes; returns 0, or -1 with a message on stderr when the state
// does not fit this env (the env is then unchanged).
LIBENV_API int set_state(libenv_env *handle, int index, char *buf, int len) {
    VecEnv *env = as_env(handle);
    try {
        if (index < 0 || index >= env->num() || len < 0) throw std::invalid_argument("bad env index or length");
        env->set_state(index, std::vector<uint8_t>(buf, buf + len));
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "maze engine: set_state: %s\n", e.what());
        return -1;
    }
}

}  // extern "C"
