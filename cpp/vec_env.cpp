#include "vec_env.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace {

enum InfoIndex { kPrevLevelSeed, kPrevLevelComplete, kLevelSeed, kNumInfos };

libenv_tensortype scalar(const char *name, libenv_dtype dtype, int high) {
    libenv_tensortype t{};
    std::strncpy(t.name, name, LIBENV_MAX_NAME_LEN - 1);
    t.scalar_type = LIBENV_SCALAR_TYPE_DISCRETE;
    t.dtype = dtype;
    t.ndim = 0;
    if (dtype == LIBENV_DTYPE_UINT8) {
        t.high.uint8 = static_cast<uint8_t>(high);
    } else {
        t.high.int32 = high;
    }
    return t;
}

}  // namespace

VecEnv::VecEnv(int num, const EnvConfig &cfg)
    : cfg_(cfg), assets_(load_assets(cfg)), renderer_(assets_, cfg.world_dim, cfg.background),
      actions_(static_cast<size_t>(num), 4), held_(static_cast<size_t>(num), 0), skipping_(static_cast<size_t>(num), 0),
      final_(num, cfg.final_frames), pool_(cfg.num_threads) {
    // Each env's level-seed stream is seeded from consecutive draws of one master stream.
    RandGen master(static_cast<uint32_t>(cfg.rand_seed));
    for (int i = 0; i < num; i++) {
        const uint32_t stream = static_cast<uint32_t>(master.randint_signed());
        // A fixed level is the range [s, s + 1), exactly procgen's num_levels = 1, start_level = s.
        int low = cfg.num_levels == 0 ? 0 : cfg.start_level;
        int high = cfg.num_levels == 0 ? INT32_MAX : cfg.start_level + cfg.num_levels;
        if (!cfg.level_seeds.empty()) {
            low = cfg.level_seeds[i];
            high = low + 1;
        }
        games_.push_back(std::make_unique<Game>(cfg_, renderer_, stream, low, high));
    }
}

int VecEnv::tensortypes(libenv_space_name space, libenv_tensortype *out) const {
    std::vector<libenv_tensortype> types;
    if (space == LIBENV_SPACE_OBSERVATION) {
        libenv_tensortype rgb = scalar("rgb", LIBENV_DTYPE_UINT8, 255);
        rgb.ndim = 3;
        rgb.shape[0] = kObsSize;
        rgb.shape[1] = kObsSize;
        rgb.shape[2] = 3;
        types.push_back(rgb);
    } else if (space == LIBENV_SPACE_ACTION) {
        types.push_back(scalar("action", LIBENV_DTYPE_INT32, kNumActions - 1));
    } else if (space == LIBENV_SPACE_INFO) {
        types.push_back(scalar("prev_level_seed", LIBENV_DTYPE_INT32, INT32_MAX));
        types.push_back(scalar("prev_level_complete", LIBENV_DTYPE_UINT8, 1));
        types.push_back(scalar("level_seed", LIBENV_DTYPE_INT32, INT32_MAX));
    }
    if (out != nullptr) std::copy(types.begin(), types.end(), out);
    return static_cast<int>(types.size());
}

void VecEnv::write_outputs(int i) {
    if (buffers_.ob == nullptr) return;  // before set_buffers there is nowhere to write
    const Game &g = *games_[i];
    const int n = num();
    g.render(static_cast<uint8_t *>(buffers_.ob[i]));
    buffers_.rew[i] = g.reward();
    buffers_.first[i] = g.done() ? 1 : 0;
    *static_cast<int32_t *>(buffers_.info[kPrevLevelSeed * n + i]) = g.prev_level_seed();
    *static_cast<uint8_t *>(buffers_.info[kPrevLevelComplete * n + i]) = g.level_complete() ? 1 : 0;
    *static_cast<int32_t *>(buffers_.info[kLevelSeed * n + i]) = g.level_seed();
}

void VecEnv::reset_one(int i) {
    games_[i]->reset();
    write_outputs(i);
}

void VecEnv::step_one(int i) {
    if (skipping_[i]) {
        final_.mark(i, false);
        return;
    }
    uint8_t *slot = final_.slot(i);
    games_[i]->step(actions_[i], slot);
    final_.mark(i, games_[i]->done());
    write_outputs(i);
}

void VecEnv::run_all(void (VecEnv::*task)(int)) {
    pool_.start(num(), [this, task](int i) {
        try {
            (this->*task)(i);
        } catch (const std::exception &e) {
            record_error("env " + std::to_string(i) + ": " + e.what());
        }
    });
}

void VecEnv::set_buffers(const libenv_buffers &buffers) {
    buffers_ = buffers;
    run_all(&VecEnv::reset_one);
}

void VecEnv::observe() { pool_.wait(); }

void VecEnv::act() {
    pool_.wait();
    // The action buffer is only ours during this call, so copy before stepping asynchronously.
    for (int i = 0; i < num(); i++) actions_[i] = *static_cast<const int32_t *>(buffers_.ac[i]);
    // The workers read skipping_ while hold() may already fill held_ for the act after this one.
    skipping_.swap(held_);
    std::fill(held_.begin(), held_.end(), 0);
    run_all(&VecEnv::step_one);
}

void VecEnv::hold(const uint8_t *mask, int count) {
    if (mask == nullptr) throw std::invalid_argument("null hold mask");
    if (count != num())
        throw std::invalid_argument("hold mask has " + std::to_string(count) + " entries for " + std::to_string(num()) +
                                    " env(s)");
    for (int i = 0; i < count; i++) held_[static_cast<size_t>(i)] = mask[i] != 0 ? 1 : 0;
}

void VecEnv::final_frame(int index, uint8_t *out) {
    checked_game(index);
    final_.copy(index, out);
}

Game &VecEnv::checked_game(int index) {
    if (index < 0 || index >= num())
        throw std::out_of_range("env index " + std::to_string(index) + " is out of range for " +
                                std::to_string(num()) + " env(s)");
    pool_.wait();
    return *games_[static_cast<size_t>(index)];
}

std::vector<uint8_t> VecEnv::get_state(int index) { return checked_game(index).state(); }

void VecEnv::set_state(int index, const std::vector<uint8_t> &bytes) {
    checked_game(index).set_state(bytes);
    final_.mark(index, false);  // the episode that ended belonged to the state replaced
    write_outputs(index);
}

void VecEnv::set_agent(int index, int x, int y, bool mirrored) {
    checked_game(index).place_agent(x, y, mirrored);
    write_outputs(index);
}

const Game &VecEnv::game(int index) { return checked_game(index); }

void VecEnv::record_error(const std::string &message) {
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (error_.empty()) error_ = message;
}

std::string VecEnv::take_error() {
    // No wait: a step in flight reports at the next call after observe(), which waits for it.
    std::lock_guard<std::mutex> lock(error_mutex_);
    std::string message;
    message.swap(error_);
    return message;
}
