// Object names ("<colour>_line_diag", "<colour>_gem", "invisible_gem") and their generated sprites.
#pragma once

#include <array>
#include <map>
#include <string>

#include "image.h"

using Rgb = std::array<uint8_t, 3>;

class ObjectCatalogue {
  public:
    // Starts with the original's eight colours; add_colours extends it with "name=r,g,b;..." entries.
    ObjectCatalogue();
    void add_colours(const std::string &spec);

    // Throws std::invalid_argument naming the problem when the name is not a known object.
    Image sprite(const std::string &name) const;

  private:
    std::map<std::string, Rgb> colours_;
};
