#include "objects.h"

#include <cctype>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace {

constexpr int kSize = 128;

// Opaque column span per row of the pure gem mask, rows 40..87 of the 128x128 sprite.
constexpr int kGemFirstRow = 40;
constexpr int kGemSpans[][2] = {
    {42, 85}, {41, 86}, {40, 87}, {39, 88}, {39, 88}, {38, 89}, {37, 90}, {37, 90}, {36, 91}, {35, 92},
    {35, 92}, {34, 93}, {33, 94}, {33, 94}, {32, 95}, {31, 96}, {30, 97}, {30, 97}, {29, 98}, {29, 98},
    {29, 98}, {29, 98}, {29, 98}, {29, 98}, {29, 98}, {29, 98}, {30, 97}, {31, 96}, {33, 94}, {34, 93},
    {36, 91}, {37, 90}, {39, 88}, {40, 87}, {42, 85}, {43, 84}, {45, 82}, {46, 81}, {48, 79}, {49, 78},
    {51, 76}, {52, 75}, {54, 73}, {55, 72}, {57, 70}, {58, 69}, {60, 67}, {61, 66}};
constexpr int kGemRows = sizeof(kGemSpans) / sizeof(kGemSpans[0]);

bool line_diag_mask(int x, int y) { return std::abs(x - y) <= 14 && x + y >= 10 && x + y <= 246; }

bool gem_mask(int x, int y) {
    const int r = y - kGemFirstRow;
    return r >= 0 && r < kGemRows && x >= kGemSpans[r][0] && x <= kGemSpans[r][1];
}

bool valid_colour_name(const std::string &name) {
    if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
    for (char ch : name)
        if (!std::islower(static_cast<unsigned char>(ch)) && !std::isdigit(static_cast<unsigned char>(ch)))
            return false;
    return name != "invisible";
}

}  // namespace

ObjectCatalogue::ObjectCatalogue()
    : colours_{{"black", {0, 0, 0}},     {"blue", {0, 0, 255}},       {"cyan", {0, 255, 255}},
               {"green", {0, 255, 0}},   {"purple", {255, 0, 255}},   {"red", {255, 0, 0}},
               {"white", {255, 255, 255}}, {"yellow", {255, 255, 0}}} {}

void ObjectCatalogue::add_colours(const std::string &spec) {
    std::istringstream entries(spec);
    std::string entry;
    while (std::getline(entries, entry, ';')) {
        if (entry.empty()) continue;
        const size_t eq = entry.find('=');
        const std::string name = entry.substr(0, eq);
        if (eq == std::string::npos || !valid_colour_name(name))
            throw std::invalid_argument("bad colour entry '" + entry +
                                        "': expected name=r,g,b with a lower-case name");
        std::istringstream values(entry.substr(eq + 1));
        Rgb rgb{};
        for (int c = 0; c < 3; c++) {
            std::string v;
            if (!std::getline(values, v, ',') || v.empty() || v.find_first_not_of("0123456789") != std::string::npos ||
                v.size() > 3 || std::stoi(v) > 255)
                throw std::invalid_argument("bad colour entry '" + entry + "': each channel must be 0..255");
            rgb[c] = static_cast<uint8_t>(std::stoi(v));
        }
        std::string rest;
        if (std::getline(values, rest)) throw std::invalid_argument("bad colour entry '" + entry + "': three channels expected");
        const auto known = colours_.find(name);
        if (known != colours_.end() && known->second != rgb)
            throw std::invalid_argument("colour '" + name + "' is already defined with another RGB value");
        colours_[name] = rgb;
    }
}

Image ObjectCatalogue::sprite(const std::string &name) const {
    Image img;
    img.width = img.height = kSize;
    img.rgba.assign(kSize * kSize * 4, 0);
    if (name == "invisible_gem") return img;

    const size_t sep = name.find('_');
    const std::string colour = name.substr(0, sep);
    const std::string shape = sep == std::string::npos ? "" : name.substr(sep + 1);
    bool (*mask)(int, int) = shape == "line_diag" ? line_diag_mask : shape == "gem" ? gem_mask : nullptr;
    const auto rgb = colours_.find(colour);
    if (mask == nullptr || rgb == colours_.end()) {
        std::string known;
        for (const auto &kv : colours_) known += (known.empty() ? "" : ", ") + kv.first;
        throw std::invalid_argument("unknown object '" + name + "': expected <colour>_line_diag, <colour>_gem or "
                                    "invisible_gem, with colour one of " + known);
    }
    for (int y = 0; y < kSize; y++)
        for (int x = 0; x < kSize; x++)
            if (mask(x, y)) {
                uint8_t *p = &img.rgba[(static_cast<size_t>(y) * kSize + x) * 4];
                p[0] = rgb->second[0];
                p[1] = rgb->second[1];
                p[2] = rgb->second[2];
                p[3] = 255;
            }
    return img;
}
