#include "maze_gen.h"

#include <numeric>
#include <stdexcept>

namespace {

constexpr int kInvalid = -1;

struct Candidate {
    int x1, y1, x2, y2;
};

// Union-find over maze cells; only "same component?" matters for the carving decisions.
class DisjointSets {
  public:
    explicit DisjointSets(int n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
    int find(int a) {
        while (parent_[a] != a) a = parent_[a] = parent_[parent_[a]];
        return a;
    }
    void unite(int a, int b) { parent_[find(a)] = find(b); }

  private:
    std::vector<int> parent_;
};

}  // namespace

MazeGen::MazeGen(RandGen &rng, int maze_dim)
    : rng_(rng),
      dim_(maze_dim),
      stride_(maze_dim + 2),
      grid_(static_cast<size_t>(stride_ * stride_), cell::kWall),
      carved_(static_cast<size_t>(maze_dim * maze_dim), false) {
    if (maze_dim < 3) throw std::invalid_argument("maze dimension must be at least 3");
    // The original marks the start cell 0 ("not a wall") before carving; it is always carved later.
    grid_[stride_ + 1] = 0;
}

int MazeGen::get(int idx) const {
    const int x = idx % stride_, y = idx / stride_;
    if (x <= 0 || x >= stride_ - 1 || y <= 0 || y >= stride_ - 1) return kInvalid;
    return grid_[idx];
}

void MazeGen::carve(int x, int y) {
    grid_[(y + 1) * stride_ + (x + 1)] = cell::kSpace;
    const int c = dim_ * y + x;
    if (!carved_[c]) {
        carved_[c] = true;
        free_cells_.push_back(c);
    }
}

void MazeGen::generate_kruskal() {
    std::vector<Candidate> walls;
    for (int i = 1; i < dim_ - 1; i += 2)
        for (int j = 0; j < dim_; j += 2) walls.push_back({i - 1, j, i + 1, j});
    for (int i = 0; i < dim_; i += 2)
        for (int j = 1; j < dim_ - 1; j += 2) walls.push_back({i, j - 1, i, j + 1});

    DisjointSets sets(dim_ * dim_);
    while (!walls.empty()) {
        const int n = rng_.randn(static_cast<int>(walls.size()));
        const Candidate w = walls[n];
        const int a = dim_ * w.y1 + w.x1, b = dim_ * w.y2 + w.x2;
        if (sets.find(a) != sets.find(b)) {
            carve(w.x1, w.y1);
            carve((w.x1 + w.x2) / 2, (w.y1 + w.y2) / 2);
            carve(w.x2, w.y2);
            sets.unite(a, b);
        }
        // An order-preserving erase: a swap-remove would change every maze.
        walls.erase(walls.begin() + n);
    }
}

void MazeGen::remove_dead_ends() {
    const int offsets[4] = {-1, -stride_, stride_, 1};  // left, below, above, right
    for (int i = 0; i < stride_ * stride_; i++) {
        if (get(i) != cell::kSpace) continue;
        int open = 0, walls[4], n_walls = 0;
        for (int off : offsets) {
            const int v = get(i + off);
            if (v == cell::kSpace) open++;
            if (v == cell::kWall) walls[n_walls++] = i + off;
        }
        if (open == 1 && n_walls > 0) grid_[walls[rng_.randn(n_walls)]] = cell::kSpace;
    }
}

void MazeGen::place_object(int type) {
    const int n = static_cast<int>(free_cells_.size());
    int m = rng_.randn(n);
    // Entry 0 holds the start cell, so a real cell index of 0 is rejected too.
    while (free_cells_[m] == -1 || free_cells_[m] == 0) m = rng_.randn(n);
    const int c = free_cells_[m];
    free_cells_[m] = -1;
    grid_[(c / dim_ + 1) * stride_ + (c % dim_ + 1)] = type;
}
