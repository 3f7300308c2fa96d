#include "memory_budget.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "game.h"

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

int64_t physical_memory() {
    const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    // Unknown on this system: only a real allocation failure can stop the build then.
    if (pages <= 0 || page_size <= 0) return INT64_MAX;
    return static_cast<int64_t>(pages) * page_size;
}

std::string gib(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", bytes / kGiB);
    return text;
}

int64_t bytes_per_env(const EnvConfig &cfg) {
    const int64_t grid = static_cast<int64_t>(cfg.world_dim) * cfg.world_dim * static_cast<int64_t>(sizeof(int));
    const int64_t final_frame = cfg.final_frames ? kObsBytes + 1 : 0;
    const int64_t engine = static_cast<int64_t>(sizeof(Game)) + kObsBytes + grid + final_frame;
    return engine + 2 * kObsBytes;
}

}  // namespace

void check_memory(int num, const EnvConfig &cfg) {
    const int64_t needed = static_cast<int64_t>(num) * bytes_per_env(cfg), available = physical_memory();
    if (needed > available)
        throw OutOfMemoryError(std::to_string(num) + " envs need about " + gib(static_cast<double>(needed)) +
                               " GiB of memory, more than this machine's " + gib(static_cast<double>(available)) +
                               " GiB");
}
