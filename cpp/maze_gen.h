// Level layout generation: randomised Kruskal, dead-end removal and object placement.
#pragma once

#include <cstdint>
#include <vector>

#include "rng.h"

namespace cell {
constexpr int kWall = 51;
constexpr int kSpace = 100;
constexpr int kObj1 = 2;  // the goal in single-object games
constexpr int kObj2 = 3;
}  // namespace cell

// A d x d maze stored with a one-cell padding ring, index y * (d + 2) + x, y = 0 at the bottom.
class MazeGen {
  public:
    MazeGen(RandGen &rng, int maze_dim);

    void generate_kruskal();
    void remove_dead_ends();
    void place_object(int type);

    // Maze cell (x, y) without the padding offset.
    int at(int x, int y) const { return grid_[(y + 1) * stride_ + (x + 1)]; }

  private:
    int get(int idx) const;
    void carve(int x, int y);

    RandGen &rng_;
    int dim_;
    int stride_;
    std::vector<int> grid_;
    std::vector<int> free_cells_;  // maze-cell indices in first-carve order, -1 once used
    std::vector<bool> carved_;
};
