// Picking in the viewer: the floor point under a pixel ("start a leak at a clicked point"), by
// unprojecting the pixel through the inverse of the camera's projection x view matrix and
// intersecting the ray with a horizontal plane. The inverse of render::Camera::project.
#pragma once

#include <array>
#include <optional>

#include "render/Camera.hpp"

namespace safetwin::viewer {

/// The point on the plane z = planeZ seen at pixel (px, py) of a w x h image (from the top-left
/// corner, as Camera::project), or nullopt when the ray misses it (parallel, or behind the eye).
std::optional<std::array<double, 3>> pickPlane(const render::Camera& cam, double px, double py, int w, int h, double planeZ);

}  // namespace safetwin::viewer
