// Internal to scenes/import: rasterising triangles into a level's masks, components and
// outlines of masks.
#pragma once

#include <cstdint>
#include <vector>

#include "scenes/Scene.hpp"

namespace safetwin::import {

struct P3 {
    double x, y, z;
};

/// Marks cells whose centre lies inside the plan projection of triangle (a, b, c).
void fillTriangle(LevelRaster& R, std::vector<uint8_t>& mask, P3 a, P3 b, P3 c);
/// Marks every cell that the part of triangle (a, b, c) between heights lo and hi touches
/// in plan (conservative: a vertical face marks the cells along its trace).
void fillTriangleBand(LevelRaster& R, std::vector<uint8_t>& mask, P3 a, P3 b, P3 c, double lo, double hi);

/// 4-connected components of cells with mask != 0: label per cell (-1 outside), and sizes.
int components(const std::vector<uint8_t>& mask, int nx, int ny, std::vector<int>& label, std::vector<int>& size);

/// Outline of the cells with mask != 0 that have label `which` (counter-clockwise, cell
/// corners, collinear corners dropped): the longest boundary loop.
Polygon outline(const LevelRaster& R, const std::vector<int>& label, int which);

/// Plan convex hull (counter-clockwise).
Polygon convexHull(std::vector<Vec2> pts);

/// Smallest-area rectangle around a convex polygon: centre, unit axis u (the other is
/// perp(u)), and half extents along u and perp(u).
struct Rect2 {
    Vec2 centre, u;
    double hu = 0.0, hv = 0.0;
};
Rect2 minAreaRect(const Polygon& hull);

}  // namespace safetwin::import
