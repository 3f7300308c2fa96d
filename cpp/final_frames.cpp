#include "final_frames.h"

#include <algorithm>
#include <stdexcept>
#include <string>

FinalFrames::FinalFrames(int num, bool enabled) {
    if (!enabled) return;
    frames_.resize(static_cast<size_t>(num) * kObsBytes);
    ended_.resize(static_cast<size_t>(num), 0);
}

void FinalFrames::copy(int i, uint8_t *out) const {
    if (!enabled()) throw std::invalid_argument("final frames are not captured: make the env with option final_frames");
    if (!ended_[static_cast<size_t>(i)])
        throw std::invalid_argument("env " + std::to_string(i) + "'s episode did not end in the latest step");
    const uint8_t *first = frames_.data() + static_cast<size_t>(i) * kObsBytes;
    std::copy(first, first + kObsBytes, out);
}
