// A batch of games behind gym3's libenv buffers, stepped in parallel on a worker pool.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "assets.h"
#include "final_frames.h"
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

    // Read-only access for layout queries; waits for any step in flight. A bad index throws
    // std::out_of_range naming it, here and below.
    const Game &game(int index);
    std::vector<uint8_t> get_state(int index);
    // Restores one env and rewrites its outputs, so observe() shows the restored state.
    void set_state(int index, const std::vector<uint8_t> &bytes);
    // Game::place_agent on one env, then rewrites its outputs, so observe() shows the agent there.
    void set_agent(int index, int x, int y, bool mirrored);
    int num() const { return static_cast<int>(games_.size()); }

    // Envs whose mask entry is non-zero sit out the next act(): their game and outputs stay as they are.
    // Only that act; `count` must be num(), else std::invalid_argument.
    void hold(const uint8_t *mask, int count);
    // Copies env `index`'s last frame of the episode that ended in the latest step (FinalFrames::copy).
    void final_frame(int index, uint8_t *out);

    // The first failure of a call that cannot return one (set_buffers, act, a step on a worker thread)
    // since the last take_error(), or "" when there was none; taking it clears it. It does not wait for a
    // step in flight.
    void record_error(const std::string &message);
    std::string take_error();

  private:
    void write_outputs(int index);
    Game &checked_game(int index);
    // Runs task(i) on the pool for every env, recording instead of throwing from worker threads.
    void run_all(void (VecEnv::*task)(int));
    void reset_one(int index);
    void step_one(int index);

    EnvConfig cfg_;
    Assets assets_;
    Renderer renderer_;
    std::vector<std::unique_ptr<Game>> games_;
    std::vector<int32_t> actions_;
    std::vector<uint8_t> held_;      // set by hold() for the next act()
    std::vector<uint8_t> skipping_;  // what the act in flight skips (held_ as act() found it)
    FinalFrames final_;
    libenv_buffers buffers_{};
    std::mutex error_mutex_;
    std::string error_;
    WorkerPool pool_;  // last: its threads must stop before anything they use is destroyed
};
