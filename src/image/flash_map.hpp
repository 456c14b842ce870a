// SPDX-License-Identifier: MIT
// The picture of an inspected flash: a one-line map (fixed number of cells, one kind each:
// boot, env, kernel, rootfs, data, blank, zero, problem, missing) for the terminal, and the
// same map as a standalone SVG with offsets and sizes labelled (`camdump inspect --svg`).
#pragma once
#include <string>
#include <vector>

#include "image/inspect.hpp"

namespace camdump::image {

enum class MapKind { Boot, Env, Kernel, Rootfs, Data, Other, Blank, Zero, Problem, Missing };

/// Letter shown for a kind without colour: B E K R D o . 0 ! (space for missing).
char map_letter(MapKind k);
/// Legend word ("boot", "blank", ...).
const char* map_name(MapKind k);

/// `cells` cells covering the flash (the layout's span when it is larger than the image, so a
/// truncated image shows its missing tail). A problem anywhere in a cell marks the cell.
std::vector<MapKind> flash_map_cells(const InspectReport& r, size_t cells);

/// An SVG document of the map, labelled with part names, offsets and sizes and the verdict.
std::string flash_map_svg(const InspectReport& r, const std::string& title);

}  // namespace camdump::image
