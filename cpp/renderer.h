// The 64x64 observation renderer: Qt 5's float32 geometry and fixed-point nearest blit.
#pragma once

#include <cstdint>
#include <vector>

#include "background.h"
#include "image.h"

constexpr int kObsSize = 64;
constexpr int kObsBytes = kObsSize * kObsSize * 3;

// Declared, not included: the renderer only holds a reference, and assets.h brings in the options.
struct Assets;

struct Rect {
    double left, top, width, height;
};

class Renderer {
  public:
    Renderer(const Assets &assets, int world_dim, Background background);

    // Everything below the agent: fill, background image and non-empty cells (grid[y * W + x], y = 0 at the
    // bottom). Objects only disappear when an episode ends, so this layer is drawn once per level.
    void draw_level(const std::vector<int> &grid, int background_index, uint8_t *frame) const;
    void draw_agent(int cell_x, int cell_y, bool mirrored, uint8_t *frame) const;

  private:
    // Every operation is a separately rounded float op, as in the original (hence -ffp-contract=off).
    Rect screen_rect(float x, float y, float dx, float dy, float eps) const;

    const Assets &assets_;
    int world_dim_;
    Background background_;
    float unit_, view_dim_, x_off_, y_off_;
};

// Scales the whole source image into the rect with Qt's fast fixed-point nearest-neighbour blit and
// premultiplied source-over blending, onto an opaque packed-RGB frame of size x size.
void draw_scaled(uint8_t *frame, int size, const Image &src, const Rect &rect);
