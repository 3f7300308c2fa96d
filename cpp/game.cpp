#include "game.h"

#include <algorithm>

#include "maze_gen.h"

Game::Game(const EnvConfig &cfg, const Renderer &renderer, uint32_t level_seed_generator_seed, int level_low,
           int level_high)
    : kind_(cfg.game),
      world_dim_(cfg.world_dim),
      level_low_(level_low),
      level_high_(level_high),
      renderer_(renderer),
      level_seeds_(level_seed_generator_seed),
      level_frame_(kObsBytes) {}

void Game::reset() {
    level_seed_ = level_seeds_.randint(level_low_, level_high_);
    rng_.seed(static_cast<uint32_t>(level_seed_));
    rng_.rand01();  // horizontal background offset: unused for square images, but it consumes a draw
    background_index_ = rng_.randn(kNumBackgrounds);  // drawn even without backgrounds

    const int maze_dim = kind_ == GameKind::ProcgenMaze ? rng_.randn((world_dim_ - 1) / 2) * 2 + 3 : world_dim_;
    const int margin = (world_dim_ - maze_dim) / 2;
    MazeGen maze(rng_, maze_dim);
    maze.generate_kruskal();
    if (kind_ != GameKind::ProcgenMaze) maze.remove_dead_ends();
    maze.place_object(cell::kObj1);
    if (kind_ == GameKind::Duel) maze.place_object(cell::kObj2);

    grid_.assign(static_cast<size_t>(world_dim_) * world_dim_, cell::kWall);
    for (int x = 0; x < maze_dim; x++)
        for (int y = 0; y < maze_dim; y++) grid_[(margin + y) * world_dim_ + margin + x] = maze.at(x, y);
    agent_x_ = agent_y_ = margin;
    mirrored_ = false;
    cur_time_ = 0;
    renderer_.draw_level(grid_, background_index_, level_frame_.data());
}

void Game::step(int action) {
    cur_time_++;
    reward_ = 0.0f;
    level_complete_ = false;

    // Actions 9..14 (and anything out of range) stand still; horizontal input overrides vertical.
    const int move = action >= 0 && action < 9 ? action : 4;
    const int vx = move / 3 - 1;
    const int vy = vx != 0 ? 0 : move % 3 - 1;
    const int nx = agent_x_ + vx, ny = agent_y_ + vy;
    if (nx >= 0 && ny >= 0 && nx < world_dim_ && ny < world_dim_ && grid_[ny * world_dim_ + nx] != cell::kWall) {
        agent_x_ = nx;
        agent_y_ = ny;
    }
    // Facing follows the key, not whether the move succeeded.
    if (vx > 0) mirrored_ = true;
    if (vx < 0) mirrored_ = false;

    int &here = grid_[agent_y_ * world_dim_ + agent_x_];
    if (here == cell::kObj1) {
        reward_ = 10.0f;
    } else if (here == cell::kObj2) {
        reward_ = -10.0f;
    }
    if (reward_ != 0.0f) {
        here = cell::kSpace;
        level_complete_ = true;
    }
    done_ = reward_ != 0.0f || cur_time_ >= kTimeout;
    prev_level_seed_ = level_seed_;
    if (done_) reset();
}

void Game::render(uint8_t *obs) const {
    std::copy(level_frame_.begin(), level_frame_.end(), obs);
    renderer_.draw_agent(agent_x_, agent_y_, mirrored_, obs);
}
