// gym3's libenv C ABI (libenv.h) plus the engine's own queries. No C++ exception crosses this boundary:
// every entry point checks its arguments and catches everything, and problems are reported as return codes
// with messages (or, for libenv's void functions, on stderr and through maze_last_error), never by aborting
// the host process. A handle must come from libenv_make and not be closed; that alone cannot be checked.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "libenv.h"
#include "memory_budget.h"
#include "objects.h"
#include "vec_env.h"

namespace {

enum CheckResult { kOk = 0, kValueError = 1, kTypeError = 2, kMemoryError = 3 };
constexpr int kFailed = -1;

void copy_message(const char *text, char *out, int len) {
    if (out == nullptr || len <= 0) return;
    std::strncpy(out, text, static_cast<size_t>(len) - 1);
    out[len - 1] = '\0';
}

VecEnv *as_env(libenv_env *handle) {
    if (handle == nullptr) throw std::invalid_argument("null env handle");
    return static_cast<VecEnv *>(handle);
}

// Runs body(), which returns the entry point's result; any exception becomes `failure`, with its message
// copied out, or printed with the entry point's name when there is no message buffer.
template <typename Body>
int guarded(const char *name, char *message, int message_len, int failure, Body body) {
    std::string text;
    try {
        return body();
    } catch (const std::exception &e) {
        text = e.what();
    } catch (...) {
        text = "unknown error";
    }
    if (message != nullptr && message_len > 0) {
        copy_message(text.c_str(), message, message_len);
    } else {
        std::fprintf(stderr, "maze engine: %s: %s\n", name, text.c_str());
    }
    return failure;
}

// For libenv's void functions: the error goes to stderr and, when the env exists, to maze_last_error.
template <typename Body>
void guarded_void(const char *name, libenv_env *handle, Body body) {
    std::string text;
    try {
        body();
        return;
    } catch (const std::exception &e) {
        text = e.what();
    } catch (...) {
        text = "unknown error";
    }
    std::fprintf(stderr, "maze engine: %s: %s\n", name, text.c_str());
    if (handle == nullptr) return;
    try {
        as_env(handle)->record_error(std::string(name) + ": " + text);
    } catch (...) {
        // Recording needs memory; with none left, stderr has the message already.
    }
}

void check_buffer(const void *out, int capacity, int needed, const char *what) {
    if (out == nullptr) throw std::invalid_argument(std::string("null ") + what + " buffer");
    if (capacity < needed)
        throw std::invalid_argument(std::string(what) + " buffer holds " + std::to_string(capacity) + ", needs " +
                                    std::to_string(needed));
}

}  // namespace

extern "C" {

LIBENV_API int libenv_version() { return LIBENV_VERSION; }

LIBENV_API libenv_env *libenv_make(int num, const struct libenv_options options) {
    libenv_env *made = nullptr;
    guarded("libenv_make", nullptr, 0, kFailed, [&] {
        if (num < 1) throw std::invalid_argument("the number of envs must be at least 1");
        const EnvConfig cfg = parse_options(options, num);
        check_memory(num, cfg);
        made = new VecEnv(num, cfg);
        return kOk;
    });
    return made;
}

LIBENV_API int libenv_get_tensortypes(libenv_env *handle, enum libenv_space_name name, struct libenv_tensortype *types) {
    // gym3 allocates what the first call returns: 0 (an empty space) is the only safe answer to a bad call.
    return guarded("libenv_get_tensortypes", nullptr, 0, 0, [&] { return as_env(handle)->tensortypes(name, types); });
}

LIBENV_API void libenv_set_buffers(libenv_env *handle, struct libenv_buffers *bufs) {
    guarded_void("libenv_set_buffers", handle, [&] {
        if (bufs == nullptr || bufs->ob == nullptr || bufs->rew == nullptr || bufs->first == nullptr ||
            bufs->info == nullptr || bufs->ac == nullptr)
            throw std::invalid_argument("null buffers");
        as_env(handle)->set_buffers(*bufs);
    });
}

LIBENV_API void libenv_observe(libenv_env *handle) {
    guarded_void("libenv_observe", handle, [&] { as_env(handle)->observe(); });
}

LIBENV_API void libenv_act(libenv_env *handle) {
    guarded_void("libenv_act", handle, [&] { as_env(handle)->act(); });
}

LIBENV_API void libenv_close(libenv_env *handle) {
    guarded_void("libenv_close", nullptr, [&] { delete static_cast<VecEnv *>(handle); });
}

// Builds everything libenv_make would (options, artwork, sprites) and reports the first problem.
LIBENV_API int maze_check_options(int num, const struct libenv_options options, char *message, int message_len) {
    try {
        if (num < 1) throw std::invalid_argument("the number of envs must be at least 1");
        const EnvConfig cfg = parse_options(options, num);
        check_memory(num, cfg);
        load_assets(cfg);
        return kOk;
    } catch (const OptionTypeError &e) {
        copy_message(e.what(), message, message_len);
        return kTypeError;
    } catch (const OutOfMemoryError &e) {
        copy_message(e.what(), message, message_len);
        return kMemoryError;
    } catch (const std::bad_alloc &) {
        copy_message("out of memory while checking the options", message, message_len);
        return kMemoryError;
    } catch (const std::exception &e) {
        copy_message(e.what(), message, message_len);
        return kValueError;
    } catch (...) {
        copy_message("unknown error", message, message_len);
        return kValueError;
    }
}

// Writes the 128x128 premultiplied RGBA sprite of an object (128 * 128 * 4 bytes, rows from the top);
// `colours` declares extra colours as "name=r,g,b;..." (NULL for none). Returns 0, or kValueError with a message.
LIBENV_API int maze_object_sprite(const char *name, const char *colours, uint8_t *out, char *message, int message_len) {
    return guarded("maze_object_sprite", message, message_len, kValueError, [&] {
        if (name == nullptr) throw std::invalid_argument("null object name");
        if (out == nullptr) throw std::invalid_argument("null sprite buffer");
        ObjectCatalogue catalogue;
        catalogue.add_colours(colours == nullptr ? "" : colours);
        const Image sprite = catalogue.sprite(name);
        std::memcpy(out, sprite.rgba.data(), sprite.rgba.size());
        return kOk;
    });
}

// Writes env `index`'s grid (W * W cells, grid[y * W + x], y = 0 at the bottom) and returns W * W; a NULL
// `out` only asks for the size. Returns -1 with a message for a bad index or a buffer that is too short.
LIBENV_API int maze_get_grid(libenv_env *handle, int index, int32_t *out, int capacity, char *message,
                             int message_len) {
    return guarded("maze_get_grid", message, message_len, kFailed, [&] {
        const auto &grid = as_env(handle)->game(index).grid();
        const int n = static_cast<int>(grid.size());
        if (out == nullptr) return n;
        check_buffer(out, capacity, n, "grid");
        for (int i = 0; i < n; i++) out[i] = grid[i];
        return n;
    });
}

// Writes every env's agent cell x, y and whether it faces right, out[3 * i .. 3 * i + 2], and returns
// 3 * num; -1 with a message when `out` holds fewer than 3 * num ints.
LIBENV_API int maze_get_agents(libenv_env *handle, int32_t *out, int capacity, char *message, int message_len) {
    return guarded("maze_get_agents", message, message_len, kFailed, [&] {
        VecEnv *env = as_env(handle);
        check_buffer(out, capacity, 3 * env->num(), "agents");
        for (int i = 0; i < env->num(); i++) {
            const Game &g = env->game(i);
            out[3 * i] = g.agent_x();
            out[3 * i + 1] = g.agent_y();
            out[3 * i + 2] = g.mirrored() ? 1 : 0;
        }
        return 3 * env->num();
    });
}

// Puts env `index`'s agent on cell (x, y) (y = 0 at the bottom), facing right when facing_right != 0, without
// a step (Game::place_agent). Returns 0, or kValueError with a message: bad index, cell outside the world, a
// wall or an object.
LIBENV_API int maze_set_agent(libenv_env *handle, int index, int x, int y, int facing_right, char *message,
                              int message_len) {
    return guarded("maze_set_agent", message, message_len, kValueError, [&] {
        as_env(handle)->set_agent(index, x, y, facing_right != 0);
        return kOk;
    });
}

// Envs whose mask[i] != 0 sit out the next libenv_act: their game and every output (frame, reward, first,
// infos) stay as the previous step left them. `count` must be the number of envs. Returns 0, or kValueError
// with a message.
LIBENV_API int maze_hold(libenv_env *handle, const uint8_t *mask, int count, char *message, int message_len) {
    return guarded("maze_hold", message, message_len, kValueError, [&] {
        as_env(handle)->hold(mask, count);
        return kOk;
    });
}

// For each of the `count` env indices, writes the last frame of the episode that env ended in the latest step
// (drawn before the engine's in-step reset; 64 * 64 * 3 bytes each, in order) and returns count. Needs the
// option final_frames. Returns -1 with a message for a bad index, an env whose episode did not end in the
// latest step, capture off, or a buffer holding fewer than count frames (`capacity` in bytes).
LIBENV_API int maze_get_final_frames(libenv_env *handle, const int32_t *indices, int count, uint8_t *out,
                                     int capacity, char *message, int message_len) {
    return guarded("maze_get_final_frames", message, message_len, kFailed, [&] {
        VecEnv *env = as_env(handle);
        if (count < 0) throw std::invalid_argument("negative count of env indices");
        if (count > 0 && indices == nullptr) throw std::invalid_argument("null env indices");
        if (static_cast<int64_t>(count) * kObsBytes > INT32_MAX) throw std::invalid_argument("too many env indices");
        check_buffer(out, capacity, count * kObsBytes, "final frames");
        for (int k = 0; k < count; k++) env->final_frame(indices[k], out + static_cast<size_t>(k) * kObsBytes);
        return count;
    });
}

// The first failure of a void libenv call (or of a step on a worker thread) since the last call: returns 1
// and copies its message, or 0 when there was none.
LIBENV_API int maze_last_error(libenv_env *handle, char *message, int message_len) {
    return guarded("maze_last_error", message, message_len, 1, [&] {
        const std::string error = as_env(handle)->take_error();
        if (error.empty()) return 0;
        copy_message(error.c_str(), message, message_len);
        return 1;
    });
}

// Writes env `index`'s state into buf and returns its size in bytes; a NULL buffer only asks for the size.
// Returns -1 (message on stderr) for a bad index or a buffer too short for the state.
LIBENV_API int get_state(libenv_env *handle, int index, char *buf, int len) {
    return guarded("get_state", nullptr, 0, kFailed, [&] {
        const std::vector<uint8_t> state = as_env(handle)->get_state(index);
        const int size = static_cast<int>(state.size());
        if (buf == nullptr) return size;
        check_buffer(buf, len, size, "state");
        std::memcpy(buf, state.data(), state.size());
        return size;
    });
}

// Restores env `index` from get_state's bytes; returns 0, or -1 with a message on stderr when the state
// does not fit this env (the env is then unchanged).
LIBENV_API int set_state(libenv_env *handle, int index, char *buf, int len) {
    return guarded("set_state", nullptr, 0, kFailed, [&] {
        if (len < 0 || (buf == nullptr && len > 0)) throw std::invalid_argument("bad state buffer or length");
        const std::vector<uint8_t> bytes = buf == nullptr ? std::vector<uint8_t>() : std::vector<uint8_t>(buf, buf + len);
        as_env(handle)->set_state(index, bytes);
        return 0;
    });
}

}  // extern "C"
