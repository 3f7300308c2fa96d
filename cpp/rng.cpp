#include "rng.h"

#include <sstream>

std::string RandGen::state() const {
    std::ostringstream out;
    out << engine_;
    return out.str();
}

bool RandGen::set_state(const std::string &text) {
    std::istringstream in(text);
    std::mt19937 engine;
    in >> engine;
    if (in.fail()) return false;
    engine_ = engine;
    return true;
}
