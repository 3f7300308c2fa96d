// The last frame of each episode that ends in a step, drawn before the engine's in-step reset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "renderer.h"

// Opt-in (option final_frames): with capture off it holds nothing and every call is a no-op or an error,
// so the stepping path pays one branch per step.
class FinalFrames {
  public:
    FinalFrames(int num, bool enabled);

    bool enabled() const { return !ended_.empty(); }
    // Where env i's last frame is drawn when its episode ends in this step; null when capture is off.
    uint8_t *slot(int i) { return enabled() ? frames_.data() + static_cast<size_t>(i) * kObsBytes : nullptr; }
    // Records whether env i's episode ended in the latest step, which makes its slot readable.
    void mark(int i, bool ended) {
        if (enabled()) ended_[static_cast<size_t>(i)] = ended ? 1 : 0;
    }
    // Copies env i's last frame to out; std::invalid_argument when capture is off or its episode did not
    // end in the latest step (the slot then holds an older episode's frame, or nothing).
    void copy(int i, uint8_t *out) const;

  private:
    std::vector<uint8_t> frames_;
    std::vector<uint8_t> ended_;
};
