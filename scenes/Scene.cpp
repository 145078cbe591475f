#include "scenes/Scene.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace safetwin {

Polygon Stair::footprint() const {
    const Vec2 half = across * (0.5 * width);
    const Vec2 end = from + along * run;
    return {from - half, end - half, end + half, from + half};
}

int Scene::levelIndex(const std::string& id) const {
    for (size_t i = 0; i < levels.size(); ++i)
        if (levels[i].id == id) return static_cast<int>(i);
    return -1;
}

int Scene::exitIndex(const std::string& id) const {
    for (size_t i = 0; i < exits.size(); ++i)
        if (exits[i].id == id) return static_cast<int>(i);
    return -1;
}

std::optional<std::pair<int, int>> Scene::findDoor(const std::string& id) const {
    for (size_t l = 0; l < levels.size(); ++l)
        for (size_t d = 0; d < levels[l].doors.size(); ++d)
            if (levels[l].doors[d].id == id) return std::pair<int, int>(int(l), int(d));
    return std::nullopt;
}

std::optional<std::pair<int, int>> Scene::findSpace(const std::string& id) const {
    for (size_t l = 0; l < levels.size(); ++l)
        for (size_t s = 0; s < levels[l].spaces.size(); ++s)
            if (levels[l].spaces[s].id == id) return std::pair<int, int>(int(l), int(s));
    return std::nullopt;
}

Box2 Scene::levelBounds(int level) const {
    Box2 b;
    const Level& L = levels.at(size_t(level));
    if (!L.raster.empty()) b.expand(L.raster.box());
    for (const Wall& w : L.walls)
        for (Vec2 p : w.points) b.expand(p);
    for (const Obstacle& o : L.obstacles) b.expand(safetwin::bounds(o.polygon));
    for (const Space& s : L.spaces) b.expand(safetwin::bounds(s.polygon));
    for (const Exit& e : exits)
        if (e.level == level) { b.expand(e.a); b.expand(e.b); }
    for (const Stair& s : stairs)
        if (s.lower == level || s.upper == level) b.expand(safetwin::bounds(s.footprint()));
    return b;
}

Box2 Scene::bounds() const {
    Box2 b;
    for (size_t l = 0; l < levels.size(); ++l) b.expand(levelBounds(int(l)));
    return b;
}

namespace {

std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

void placeDoor(const Level& level, Door& door) {
    double best = 1e300;
    for (size_t w = 0; w < level.walls.size(); ++w) {
        const Wall& wall = level.walls[w];
        for (size_t s = 0; s + 1 < wall.points.size(); ++s) {
            double t = 0.0;
            const double d = distanceToSegment(door.at, wall.points[s], wall.points[s + 1], &t);
            if (d < best) {
                best = d;
                door.wall = int(w);
                door.segment = int(s);
            }
        }
    }
    if (door.wall < 0 || best > 0.5 * level.walls[size_t(door.wall)].thickness + 0.05) {
        throw InputError(door.where, "door '" + door.id + "' at (" + fmt(door.at.x) + ", " +
                                         fmt(door.at.y) + ") is not on a wall of level '" +
                                         level.id + "' (expected a point within half a wall "
                                         "thickness of a wall's centre line)");
    }
    const Wall& wall = level.walls[size_t(door.wall)];
    const Vec2 a = wall.points[size_t(door.segment)], b = wall.points[size_t(door.segment) + 1];
    const Vec2 dir = normalized(b - a);
    const double t = dot(door.at - a, dir);
    const double len = norm(b - a);
    if (t - 0.5 * door.width < -1e-6 || t + 0.5 * door.width > len + 1e-6) {
        throw InputError(door.where, "door '" + door.id + "' of width " + fmt(door.width) +
                                         " m does not fit on its wall segment (length " +
                                         fmt(len) + " m, door centre " + fmt(t) +
                                         " m from its start)");
    }
    door.a = a + dir * (t - 0.5 * door.width);
    door.b = a + dir * (t + 0.5 * door.width);
}

}  // namespace

void resolveScene(Scene& scene) {
    if (scene.levels.empty()) throw InputError(scene.where, "the scene has no levels (expected at least one under 'levels')");
    std::set<std::string> ids;
    auto unique = [&](const std::string& id, const SourceRef& where, const char* what) {
        if (id.empty()) return;
        if (!ids.insert(id).second)
            throw InputError(where, std::string(what) + " id '" + id + "' is used twice (ids must be unique in a scene)");
    };
    for (Level& level : scene.levels) {
        unique(level.id, level.where, "level");
        for (const Wall& w : level.walls) {
            if (w.points.size() < 2) throw InputError(w.where, "a wall needs at least 2 points");
            unique(w.id, w.where, "wall");
        }
        for (Door& d : level.doors) {
            unique(d.id, d.where, "door");
            if (!d.placed) placeDoor(level, d);
        }
        for (const Obstacle& o : level.obstacles) {
            unique(o.id, o.where, "obstacle");
            if (o.polygon.size() < 3 || std::abs(signedArea(o.polygon)) < 1e-9)
                throw InputError(o.where, "obstacle '" + o.id + "' has no area (expected a rectangle or a polygon of at least 3 points)");
        }
        for (const Space& s : level.spaces) {
            unique(s.id, s.where, "space");
            if (s.polygon.size() < 3 || std::abs(signedArea(s.polygon)) < 1e-9)
                throw InputError(s.where, "space '" + s.id + "' has no area (expected a polygon of at least 3 points)");
        }
    }
    // Door exits first, so that their ids read naturally in results.
    std::vector<Exit> exits;
    for (size_t l = 0; l < scene.levels.size(); ++l)
        for (const Door& d : scene.levels[l].doors)
            if (d.exit) exits.push_back(Exit{d.id, scene.levels[l].id, d.a, d.b, d.id, d.where, int(l)});
    for (Exit& e : scene.exits) {
        unique(e.id, e.where, "exit");
        e.level = scene.levelIndex(e.level_id);
        if (e.level < 0) throw InputError(e.where, "exit '" + e.id + "' names unknown level '" + e.level_id + "'");
        if (e.width() < 0.3) throw InputError(e.where, "exit '" + e.id + "' is " + fmt(e.width()) + " m wide (expected at least 0.3 m)");
        exits.push_back(e);
    }
    scene.exits = std::move(exits);
    if (scene.exits.empty())
        throw InputError(scene.where, "the scene has no exit (mark a door with 'exit: true' or add an 'exits' entry)");

    for (Stair& s : scene.stairs) {
        unique(s.id, s.where, "stair");
        s.lower = scene.levelIndex(s.lower_id);
        s.upper = scene.levelIndex(s.upper_id);
        if (s.lower < 0) throw InputError(s.where, "stair '" + s.id + "' names unknown lower level '" + s.lower_id + "'");
        if (s.upper < 0) throw InputError(s.where, "stair '" + s.id + "' names unknown upper level '" + s.upper_id + "'");
        s.rise = scene.levels[size_t(s.upper)].elevation - scene.levels[size_t(s.lower)].elevation;
        if (s.rise <= 0.0)
            throw InputError(s.where, "stair '" + s.id + "': upper level '" + s.upper_id + "' must be higher than lower level '" + s.lower_id + "'");
        s.run = norm(s.to - s.from);
        if (s.run < 0.5) throw InputError(s.where, "stair '" + s.id + "' is " + fmt(s.run) + " m long in plan (expected 'from' and 'to' at least 0.5 m apart)");
        s.along = normalized(s.to - s.from);
        s.across = perp(s.along);
        s.slope_length = std::hypot(s.run, s.rise);
        // The flight must be buildable: rise/riser steps of depth tread give the run (within
        // one tread, since the top step is the landing).
        const double steps = s.rise / s.riser;
        const double expectedRun = (std::ceil(steps - 1e-9) - 1.0) * s.tread;
        if (std::abs(expectedRun - s.run) > 2.0 * s.tread + 0.05 * expectedRun)
            throw InputError(s.where, "stair '" + s.id + "': a rise of " + fmt(s.rise) + " m with risers of " + fmt(s.riser) +
                                          " m and treads of " + fmt(s.tread) + " m needs a run of about " + fmt(expectedRun) +
                                          " m, but 'from' and 'to' are " + fmt(s.run) + " m apart");
    }
}

}  // namespace safetwin
