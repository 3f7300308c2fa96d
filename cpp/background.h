// What is drawn behind the maze. A header of its own so that options.h can name it without the renderer.
#pragma once

constexpr int kNumBackgrounds = 9;

enum class Background { Black, Grey, Textured };
