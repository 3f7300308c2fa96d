#include "image.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

Image Image::mirrored() const {
    Image out = *this;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            for (int c = 0; c < 4; c++)
                out.rgba[(static_cast<size_t>(y) * width + x) * 4 + c] = pixel(width - 1 - x, y)[c];
    return out;
}

Image load_pam(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open asset " + path);
    std::string line;
    std::getline(in, line);
    if (line != "P7") throw std::runtime_error(path + " is not a PAM file");
    int width = 0, height = 0, depth = 0, maxval = 0;
    while (std::getline(in, line) && line != "ENDHDR") {
        std::istringstream fields(line);
        std::string key;
        fields >> key;
        if (key == "WIDTH") fields >> width;
        else if (key == "HEIGHT") fields >> height;
        else if (key == "DEPTH") fields >> depth;
        else if (key == "MAXVAL") fields >> maxval;
    }
    if (width <= 0 || height <= 0 || maxval != 255 || (depth != 3 && depth != 4))
        throw std::runtime_error(path + ": unsupported PAM header");

    std::vector<uint8_t> raw(static_cast<size_t>(width) * height * depth);
    if (!in.read(reinterpret_cast<char *>(raw.data()), static_cast<std::streamsize>(raw.size())))
        throw std::runtime_error(path + ": truncated pixel data");

    Image img;
    img.width = width;
    img.height = height;
    img.rgba.resize(static_cast<size_t>(width) * height * 4);
    for (size_t p = 0; p < static_cast<size_t>(width) * height; p++) {
        const uint8_t *s = &raw[p * depth];
        const uint32_t a = depth == 4 ? s[3] : 255;
        for (int c = 0; c < 3; c++) img.rgba[p * 4 + c] = static_cast<uint8_t>(qt_byte_mul(s[c], a));
        img.rgba[p * 4 + 3] = static_cast<uint8_t>(a);
    }
    return img;
}
