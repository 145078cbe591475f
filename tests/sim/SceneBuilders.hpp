// Small scenes written inline for tests (as MuJoCo's tests write inline models).
#pragma once

#include "scenes/Scene.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin::test {

/// Closed rectangular room [0, w] x [0, d] on level "L0" with 0.2 m walls.
inline Level roomLevel(double w, double d, const std::string& id = "L0", double elevation = 0.0) {
    Level L;
    L.id = id;
    L.elevation = elevation;
    L.walls.push_back(Wall{"", {{0, 0}, {w, 0}, {w, d}, {0, d}, {0, 0}}, 0.2, 3.0, {}});
    return L;
}

/// A door in a wall of the level.
inline Door door(const std::string& id, Vec2 at, double width, bool exit = false) {
    Door d;
    d.id = id;
    d.at = at;
    d.width = width;
    d.exit = exit;
    return d;
}

inline Exit exitLine(const std::string& id, const std::string& level, Vec2 a, Vec2 b) {
    Exit e;
    e.id = id;
    e.level_id = level;
    e.a = a;
    e.b = b;
    return e;
}

/// A population at explicit points with a fixed free speed.
inline Population fixedWalkers(const std::string& level, std::vector<Vec2> points, double speed, double premovement = 0.0) {
    Population p;
    p.name = "walkers";
    p.level_id = level;
    p.positions = std::move(points);
    p.count = int(p.positions.size());
    p.profile.name = "fixed";
    p.profile.flat = Distribution::fixed(speed);
    p.profile.stair_up = Distribution::fixed(speed * 0.61 / 1.34);
    p.profile.stair_down = Distribution::fixed(speed * 0.694 / 1.34);
    p.profile.radius = Distribution::fixed(0.18);
    p.premovement = Distribution::fixed(premovement);
    return p;
}

}  // namespace safetwin::test
