// A batch of games behind gym3's libenv buffers, stepped in parallel on a worker pool.
#pragma once

#include <memory>
#include <vector>

#include "assets.h"
#include "game.h"
#include "libenv.h"
#include "worker_pool.h"

class VecEnv {
  public:
    VecEnv(int num, const EnvConfig &cfg);

    int tensortypes(libenv_space_name space, libenv_tensortype *out) const;
    void set_buffers(const libenv_buffers &buffers);
    void observe();
    void act();

    // Read-only access for layout queries; waits for any step in flight.
    const Game &game(int index);
    std::vector<uint8_t> get_state(int index);
    // Restores one env and rewrites its outputs, so observe() shows the restored state.
    void set_state(int index, const std::vector<uint8_t> &bytes);
    int num() const { return static_cast<int>(games_.size()); }

  private:
    void write_outputs(int index);

    EnvConfig cfg_;
    Assets assets_;
    Renderer renderer_;
    std::vector<std::unique_ptr<Game>> games_;
    std::vector<int32_t> actions_;
    libenv_buffers buffers_{};
    WorkerPool pool_;
};
