// Procgen's RandGen: std::mt19937 with the original's draw helpers.
#pragma once

#include <cstdint>
#include <random>
#include <string>

class RandGen {
  public:
    explicit RandGen(uint32_t seed = 5489u) : engine_(seed) {}

    void seed(uint32_t s) { engine_.seed(s); }
    uint32_t raw() { return static_cast<uint32_t>(engine_()); }

    // Unsigned modulus on purpose: the original never rejects, so the bias is part of the behaviour.
    int randn(int n) { return static_cast<int>(raw() % static_cast<uint32_t>(n)); }
    int randint(int lo, int hi) {
        return lo + static_cast<int>(raw() % static_cast<uint32_t>(hi - lo));
    }
    int32_t randint_signed() { return static_cast<int32_t>(raw()); }
    // Rounded to float, so it can return exactly 1.0f; kept because it consumes a draw.
    float rand01() { return static_cast<float>(static_cast<double>(raw()) / 4294967296.0); }

    // The engine's full state as text (the standard library's own serialisation).
    std::string state() const;
    bool set_state(const std::string &text);

  private:
    std::mt19937 engine_;
};
