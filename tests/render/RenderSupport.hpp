// Helpers of the render tests: a small scenario written inline, an offscreen context that
// skips the test (or fails it in CI) when the machine has no OpenGL, and image comparisons.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "render/gl/Offscreen.hpp"

namespace safetwin::test {

/// Two rooms side by side (12 m x 8 m each) joined by a door D1 in the middle wall; exits
/// E_w on the west wall and E_e on the east wall; 24 people in the west room who start at
/// once. Small enough that a run to 10 s takes a fraction of a second.
inline std::string twoRoomScenario(int people = 24, uint64_t seed = 7) {
    return "name: two rooms\nduration: 120\nseed: " + std::to_string(seed) + R"(
scene:
  levels:
    - id: L0
      walls:
        - {points: [[0,0],[24,0],[24,8],[0,8],[0,0]]}
        - {points: [[12,0],[12,8]]}
      doors:
        - {id: D1, at: [12, 4], width: 1.2}
        - {id: E_w, at: [0, 2], width: 1.0, exit: true}
        - {id: E_e, at: [24, 4], width: 1.2, exit: true}
      spaces:
        - {id: west, polygon: [[0.3,0.3],[11.7,0.3],[11.7,7.7],[0.3,7.7]]}
populations:
  - {name: staff, count: )" + std::to_string(people) + R"(, where: {space: west}, premovement: 0}
)";
}

/// A current offscreen OpenGL context, or null after a WARN (FAIL when CI is set).
inline std::unique_ptr<render::OffscreenContext> offscreenOrSkip() {
    try {
        return render::OffscreenContext::create();
    } catch (const std::exception& e) {
        if (std::getenv("CI")) FAIL("CI is set but there is no offscreen OpenGL: " << e.what());
        WARN("skipped: no offscreen OpenGL here (" << e.what() << ")");
        return nullptr;
    }
}

/// RGB at pixel (x, y) of a width-wide image.
inline std::array<int, 3> pixel(const std::vector<uint8_t>& rgb, int width, int x, int y) {
    const size_t k = (size_t(y) * size_t(width) + size_t(x)) * 3;
    return {rgb[k], rgb[k + 1], rgb[k + 2]};
}

inline int colourDistance(std::array<int, 3> a, std::array<int, 3> b) {
    return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
}

}  // namespace safetwin::test
