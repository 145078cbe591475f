#pragma once
// The route stage's common case for many people at once: the desired direction read from a
// route field's direction table by bilinear interpolation, sampleDirection's common case in
// float (Simulation::desiredDirections; sampleDirection itself handles the rest).
#include <cstdint>

#include "sim/nav/NavGrid.hpp"

namespace safetwin {

/// People ids[0, n) on layer L, whose route field's direction table for that layer is `table`
/// (4 floats a node: direction x, y, weight, unused). Where the position (x, y) lies at least
/// a node inside the layer and a route passes one of the four nodes round it, sets ok[k] = 1
/// and the unit direction (ox[k], oy[k]); else ok[k] = 0 (the caller samples those the long
/// way). (fx0, fy0) and invH turn a plan point into lattice coordinates: (x, y) invH - (fx0, fy0).
/// Built for AVX-512, AVX2 and plain x86-64 like the crowd kernel (the same choice); every
/// build gives the same bits.
void sampleRouteDirections(const NavLayer& L, const float* table, float fx0, float fy0, float invH, const double* x, const double* y,
                           const int32_t* ids, int n, float* ox, float* oy, uint8_t* ok);

}  // namespace safetwin
