// Picking in the viewer: the floor point under a pixel ("start a leak at a clicked point"), by
// unprojecting the pixel through the inverse of the camera's projection x view matrix and
// intersecting the ray with a horizontal plane. The inverse of render::Camera::project.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <vector>

#include "render/Camera.hpp"
#include "render/Frame.hpp"

namespace safetwin::viewer {

/// The point on the plane z = planeZ seen at pixel (px, py) of a w x h image (from the top-left
/// corner, as Camera::project), or nullopt when the ray misses it (parallel, or behind the eye).
std::optional<std::array<double, 3>> pickPlane(const render::Camera& cam, double px, double py, int w, int h, double planeZ);

/// The person under pixel (px, py) ("click someone to follow them"): of the people still inside,
/// the one whose body, from the feet to 1.7 m up, passes nearest the pixel on screen, within
/// `radiusPx`; between bodies equally near, the one nearer the eye. `lift(agent)` is added to
/// the heights (levels pulled apart). Returns the agent's id, or -1 when nobody is that near.
int pickAgent(const render::Camera& cam, const std::vector<render::AgentSample>& agents, double px, double py, int w, int h,
              double radiusPx, const std::function<double(const render::AgentSample&)>& lift = {});

}  // namespace safetwin::viewer
