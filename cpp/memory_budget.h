// Whether a batch of envs fits in this machine's memory, checked before anything is allocated.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "options.h"

// Not enough memory for the envs asked for; every other problem is a std::invalid_argument.
struct OutOfMemoryError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws OutOfMemoryError when `num` envs need more than the machine's physical memory: allocating them
// would not fail cleanly but page the machine to a halt or wake the kernel's OOM killer. An env needs the
// engine's own memory (game, level layer, grid, final frame when captured) and the caller's libenv
// observation buffer with one copy of it, as gym3 makes on every observe.
void check_memory(int num, const EnvConfig &cfg);
