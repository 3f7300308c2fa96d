// Premultiplied RGBA images, loaded from the prepared artwork (PAM files) or generated object sprites.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct Image {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgba;  // premultiplied, row 0 at the top

    const uint8_t *pixel(int x, int y) const { return &rgba[(static_cast<size_t>(y) * width + x) * 4]; }
    Image mirrored() const;
};

// Qt's byte multiply, used both for premultiplying at load time and for blending.
inline uint32_t qt_byte_mul(uint32_t c, uint32_t k) {
    const uint32_t t = c * k;
    return (t + (t >> 8) + 0x80) >> 8;
}

// Reads a binary PAM (P7, RGB or RGB_ALPHA, maxval 255). RGB images become opaque.
Image load_pam(const std::string &path);
