// One maze environment: level seeding, level building, grid steps and episode bookkeeping.
#pragma once

#include <cstdint>
#include <vector>

#include "options.h"
#include "renderer.h"
#include "rng.h"

constexpr int kTimeout = 500;
constexpr int kNumActions = 15;

class Game {
  public:
    // Every episode plays a level seed drawn from [level_low, level_high), as procgen does.
    Game(const EnvConfig &cfg, const Renderer &renderer, uint32_t level_seed_generator_seed, int level_low,
         int level_high);

    // Starts the next episode: draws its level seed and builds the level from that seed alone.
    void reset();
    // One action; resets at once when the episode ends, keeping this step's reward and completion. When it
    // ends and `final_frame` is not null, the episode's last frame is drawn there before the reset.
    void step(int action, uint8_t *final_frame = nullptr);
    void render(uint8_t *obs) const;
    // Puts the agent on cell (x, y), facing right when `mirrored`, without a step: the episode, its clock
    // and the level are unchanged. Throws std::invalid_argument for a cell outside the world, a wall or an
    // object (standing on an object ends the episode, so that frame never exists).
    void place_agent(int x, int y, bool mirrored);

    // Everything an episode in progress depends on, as bytes; restoring it continues the same stream of
    // episodes. set_state throws std::invalid_argument on a state from another game or world size.
    std::vector<uint8_t> state() const;
    void set_state(const std::vector<uint8_t> &bytes);

    float reward() const { return reward_; }
    bool done() const { return done_; }
    bool level_complete() const { return level_complete_; }
    int32_t level_seed() const { return level_seed_; }
    int32_t prev_level_seed() const { return prev_level_seed_; }
    const std::vector<int> &grid() const { return grid_; }  // grid[y * W + x], y = 0 at the bottom
    int agent_x() const { return agent_x_; }
    int agent_y() const { return agent_y_; }
    bool mirrored() const { return mirrored_; }

  private:
    GameKind kind_;
    int world_dim_;
    int level_low_, level_high_;
    const Renderer &renderer_;
    RandGen level_seeds_;
    RandGen rng_;

    std::vector<int> grid_;
    std::vector<uint8_t> level_frame_;
    int background_index_ = 0;
    int agent_x_ = 0, agent_y_ = 0;
    bool mirrored_ = false;
    int cur_time_ = 0;

    // Construction state: the first observation reports first = 1, reward 0, prev_level_seed 0.
    float reward_ = 0.0f;
    bool done_ = true;
    bool level_complete_ = false;
    int32_t level_seed_ = 0;
    int32_t prev_level_seed_ = 0;
};
