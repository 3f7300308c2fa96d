#include "renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "assets.h"
#include "maze_gen.h"

namespace {

constexpr float kRenderEps = 0.02f;  // grid cells overlap their neighbours by this much

int qt_round(double v) {
    return v >= 0 ? static_cast<int>(std::floor(v + 0.5)) : -static_cast<int>(std::floor(-v + 0.5));
}

// 16.16 start offset of the first drawn pixel, wrapped to uint32 like Qt's integer arithmetic.
uint32_t fixed_start(int first_pixel, double edge, int step) {
    return static_cast<uint32_t>(static_cast<int64_t>(std::ceil((first_pixel + 0.5 - edge) * step)) - 1);
}

}  // namespace

void draw_scaled(uint8_t *frame, int size, const Image &src, const Rect &rect) {
    const int step_x = static_cast<int>(65536.0 / (rect.width / src.width));
    const int step_y = static_cast<int>(65536.0 / (rect.height / src.height));
    const int x1 = std::max(qt_round(rect.left), 0), x2 = std::min(qt_round(rect.left + rect.width), size);
    const int y1 = std::max(qt_round(rect.top), 0), y2 = std::min(qt_round(rect.top + rect.height), size);
    if (x1 >= x2 || y1 >= y2) return;
    int w = x2 - x1, h = y2 - y1;
    const uint32_t sx0 = fixed_start(x1, rect.left, step_x);
    uint32_t sy = fixed_start(y1, rect.top, step_y);
    if (((sy + static_cast<uint32_t>(step_y) * (h - 1)) >> 16) >= static_cast<uint32_t>(src.height)) h--;
    if (((sx0 + static_cast<uint32_t>(step_x) * (w - 1)) >> 16) >= static_cast<uint32_t>(src.width)) w--;

    for (int r = 0; r < h; r++, sy += static_cast<uint32_t>(step_y)) {
        const uint8_t *src_row = src.pixel(0, static_cast<int>(sy >> 16));
        uint8_t *dst = frame + (static_cast<size_t>(y1 + r) * size + x1) * 3;
        uint32_t sx = sx0;
        for (int c = 0; c < w; c++, sx += static_cast<uint32_t>(step_x), dst += 3) {
            const uint8_t *p = src_row + (sx >> 16) * 4;
            const uint32_t a = p[3];
            if (a == 255) {
                std::memcpy(dst, p, 3);
            } else if (a != 0) {  // a == 0 with premultiplied colour leaves the pixel as it is
                for (int k = 0; k < 3; k++) dst[k] = static_cast<uint8_t>(p[k] + qt_byte_mul(dst[k], 255 - a));
            }
        }
    }
}

Renderer::Renderer(const Assets &assets, int world_dim, Background background)
    : assets_(assets), world_dim_(world_dim), background_(background) {
    const float visibility = static_cast<float>(world_dim);
    const float raw_unit = 64.0f / visibility;
    unit_ = static_cast<float>(static_cast<double>(raw_unit) * (kObsSize / 64.0));
    view_dim_ = static_cast<float>(64.0 / static_cast<double>(raw_unit));
    const float centre = static_cast<float>(world_dim * 0.5);
    // Tiny but non-zero for some world sizes (7, 13, 15, ...); kept because it moves pixel edges.
    x_off_ = y_off_ = unit_ * (centre - view_dim_ / 2.0f);
}

Rect Renderer::screen_rect(float x, float y, float dx, float dy, float eps) const {
    const float left = (x - eps) * unit_ - x_off_;
    const float top = (view_dim_ - y - eps) * unit_ + y_off_;
    const float width = (dx + 2.0f * eps) * unit_;
    const float height = (dy + 2.0f * eps) * unit_;
    return {left, top, width, height};
}

void Renderer::draw_level(const std::vector<int> &grid, int background_index, uint8_t *frame) const {
    std::memset(frame, background_ == Background::Grey ? 127 : 0, kObsBytes);
    const float w = static_cast<float>(world_dim_);
    if (background_ == Background::Textured)
        draw_scaled(frame, kObsSize, assets_.backgrounds[background_index], screen_rect(0.0f, w, w, w, 0.0f));
    // x-major order matters: overlapping cells drawn later win.
    for (int x = 0; x < world_dim_; x++) {
        for (int y = 0; y < world_dim_; y++) {
            const int type = grid[y * world_dim_ + x];
            const Image *sprite = type == cell::kWall ? &assets_.wall
                                  : type == cell::kObj1 ? &assets_.obj1
                                  : type == cell::kObj2 ? &assets_.obj2
                                                        : nullptr;
            if (sprite != nullptr)
                draw_scaled(frame, kObsSize, *sprite,
                            screen_rect(static_cast<float>(x), static_cast<float>(y + 1), 1.0f, 1.0f, kRenderEps));
        }
    }
}

void Renderer::draw_agent(int cell_x, int cell_y, bool mirrored, uint8_t *frame) const {
    draw_scaled(frame, kObsSize, mirrored ? assets_.agent_mirrored : assets_.agent,
                screen_rect(static_cast<float>(cell_x), static_cast<float>(cell_y + 1), 1.0f, 1.0f, 0.0f));
}
