#include "game.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "background.h"
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

void Game::step(int action, uint8_t *final_frame) {
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
    if (!done_) return;
    if (final_frame != nullptr) render(final_frame);
    reset();
}

namespace {

constexpr uint32_t kStateMagic = 0x3153'5A4D;  // "MZS1"

class Writer {
  public:
    template <typename T>
    void put(T v) {
        const auto *p = reinterpret_cast<const uint8_t *>(&v);
        bytes.insert(bytes.end(), p, p + sizeof v);
    }
    std::vector<uint8_t> bytes;
};

class Reader {
  public:
    explicit Reader(const std::vector<uint8_t> &b) : bytes_(b) {}
    template <typename T>
    T get() {
        if (pos_ + sizeof(T) > bytes_.size()) throw std::invalid_argument("env state is truncated");
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string rest() { return std::string(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), bytes_.end()); }

  private:
    const std::vector<uint8_t> &bytes_;
    size_t pos_ = 0;
};

}  // namespace

std::vector<uint8_t> Game::state() const {
    Writer w;
    for (int32_t v : {static_cast<int32_t>(kStateMagic), static_cast<int32_t>(kind_), world_dim_, level_low_, level_high_,
                      level_seed_, prev_level_seed_, background_index_, agent_x_, agent_y_,
                      static_cast<int32_t>(mirrored_), cur_time_, static_cast<int32_t>(done_),
                      static_cast<int32_t>(level_complete_)})
        w.put(v);
    w.put(reward_);
    for (int cell_type : grid_) w.put(static_cast<int32_t>(cell_type));
    // The game RNG is not saved: levels are built entirely at reset, and a reset reseeds it.
    const std::string seeds = level_seeds_.state();
    w.bytes.insert(w.bytes.end(), seeds.begin(), seeds.end());
    return w.bytes;
}

void Game::set_state(const std::vector<uint8_t> &bytes) {
    Reader r(bytes);
    if (r.get<int32_t>() != static_cast<int32_t>(kStateMagic)) throw std::invalid_argument("not a maze env state");
    if (r.get<int32_t>() != static_cast<int32_t>(kind_) || r.get<int32_t>() != world_dim_)
        throw std::invalid_argument("env state is from another game or world size");
    const int low = r.get<int32_t>(), high = r.get<int32_t>();
    const int level_seed = r.get<int32_t>(), prev_level_seed = r.get<int32_t>();
    const int background_index = r.get<int32_t>(), agent_x = r.get<int32_t>(), agent_y = r.get<int32_t>();
    const bool mirrored = r.get<int32_t>() != 0;
    const int cur_time = r.get<int32_t>();
    const bool done = r.get<int32_t>() != 0, level_complete = r.get<int32_t>() != 0;
    const float reward = r.get<float>();
    std::vector<int> grid(grid_.size());
    for (int &cell_type : grid) cell_type = r.get<int32_t>();
    if (background_index < 0 || background_index >= kNumBackgrounds || agent_x < 0 || agent_y < 0 ||
        agent_x >= world_dim_ || agent_y >= world_dim_ || low < 0 || high <= low)
        throw std::invalid_argument("env state is corrupt");
    RandGen seeds;
    if (!seeds.set_state(r.rest())) throw std::invalid_argument("env state has a corrupt level-seed stream");

    level_low_ = low;
    level_high_ = high;
    level_seeds_ = seeds;
    level_seed_ = level_seed;
    prev_level_seed_ = prev_level_seed;
    background_index_ = background_index;
    agent_x_ = agent_x;
    agent_y_ = agent_y;
    mirrored_ = mirrored;
    cur_time_ = cur_time;
    done_ = done;
    level_complete_ = level_complete;
    reward_ = reward;
    grid_ = grid;
    renderer_.draw_level(grid_, background_index_, level_frame_.data());
}

void Game::place_agent(int x, int y, bool mirrored) {
    const std::string where = "cell (" + std::to_string(x) + ", " + std::to_string(y) + ")";
    if (x < 0 || y < 0 || x >= world_dim_ || y >= world_dim_)
        throw std::invalid_argument(where + " is outside the " + std::to_string(world_dim_) + "x" +
                                    std::to_string(world_dim_) + " world");
    const int here = grid_[y * world_dim_ + x];
    if (here == cell::kWall) throw std::invalid_argument(where + " is a wall");
    if (here != cell::kSpace) throw std::invalid_argument(where + " holds an object");
    agent_x_ = x;
    agent_y_ = y;
    mirrored_ = mirrored;
}

void Game::render(uint8_t *obs) const {
    std::copy(level_frame_.begin(), level_frame_.end(), obs);
    renderer_.draw_agent(agent_x_, agent_y_, mirrored_, obs);
}
