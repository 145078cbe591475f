#include "scenes/SceneYaml.hpp"

#include <filesystem>

#include "scenes/YamlReader.hpp"

namespace safetwin {

namespace {

// Allowed ranges, as documented in Scene.hpp and docs/FORMAT.md.
const Range kElevation = Range::closed(-1000.0, 1000.0, "m");
const Range kStoreyHeight = Range::aboveTo(0.0, 100.0, "m");
const Range kWallThickness = Range::aboveTo(0.0, 5.0, "m");
const Range kWallHeight = Range::aboveTo(0.0, 100.0, "m");
const Range kDoorWidth = Range::aboveTo(0.3, 20.0, "m");
const Range kObstacleHeight = Range::aboveTo(0.0, 100.0, "m");
const Range kStairWidth = Range::aboveTo(0.5, 10.0, "m");
const Range kRiser = Range::aboveTo(0.05, 0.25, "m");
const Range kTread = Range::aboveTo(0.2, 0.5, "m");

/// An area given either as `rect` or as `polygon` (exactly one of them).
Polygon readArea(const YamlMap& m, const std::string& what) {
    const bool rect = m.has("rect"), poly = m.has("polygon");
    if (rect == poly)
        m.fail(rect ? "polygon" : "id", what + ": give exactly one of 'rect' or 'polygon'" +
                                            (rect ? " (both are given)" : " (neither is given)"));
    if (rect) return m.rect("rect");
    return m.points("polygon", 3);
}

}  // namespace

Wall readWall(const YamlReader& r, const YAML::Node& node) {
    const YamlMap m(r, node, "wall", {"id", "points", "thickness", "height"});
    Wall w;
    w.where = r.where(node);
    w.id = m.string("id", "");
    w.points = m.points("points", 2);
    w.thickness = m.number("thickness", kWallThickness, 0.2);
    w.height = m.number("height", kWallHeight, 3.0);
    return w;
}

Door readDoor(const YamlReader& r, const YAML::Node& node, bool opening) {
    if (opening && node.IsMap() && node["closed"])
        r.fail(node["closed"],
               "an opening has no leaf and cannot be closed (use 'doors' for a "
               "door that can be closed)");
    const YamlMap m = opening ? YamlMap(r, node, "opening", {"id", "at", "width", "exit"})
                              : YamlMap(r, node, "door", {"id", "at", "width", "closed", "exit"});
    Door d;
    d.where = r.where(node);
    d.id = m.string("id");
    d.at = m.point("at");
    d.width = m.number("width", kDoorWidth, 0.9);
    d.closed = opening ? false : m.boolean("closed", false);
    d.closable = !opening;
    d.exit = m.boolean("exit", false);
    return d;
}

Obstacle readObstacle(const YamlReader& r, const YAML::Node& node) {
    const YamlMap m(r, node, "obstacle", {"id", "rect", "polygon", "height"});
    Obstacle o;
    o.where = r.where(node);
    o.id = m.string("id", "");
    o.polygon = readArea(m, "obstacle");
    o.height = m.number("height", kObstacleHeight, 1.0);
    return o;
}

Space readSpace(const YamlReader& r, const YAML::Node& node) {
    const YamlMap m(r, node, "space", {"id", "name", "rect", "polygon"});
    Space s;
    s.where = r.where(node);
    s.id = m.string("id");
    s.name = m.string("name", s.id);
    s.polygon = readArea(m, "space");
    return s;
}

Exit readExit(const YamlReader& r, const YAML::Node& node, const std::string& levelId) {
    const YamlMap m(r, node, "exit", {"id", "from", "to"});
    Exit e;
    e.where = r.where(node);
    e.id = m.string("id");
    e.level_id = levelId;
    e.a = m.point("from");
    e.b = m.point("to");
    return e;
}

namespace {

Level readLevel(const YamlReader& r, const YAML::Node& node, std::vector<Exit>& exits) {
    const YamlMap m(r, node, "level",
                    {"id", "name", "elevation", "height", "walls", "doors", "openings", "obstacles",
                     "spaces", "exits"});
    Level level;
    level.where = r.where(node);
    level.id = m.string("id");
    level.name = m.string("name", level.id);
    level.elevation = m.number("elevation", kElevation, 0.0);
    level.height = m.number("height", kStoreyHeight, 3.0);
    for (const YAML::Node& n : m.list("walls")) level.walls.push_back(readWall(r, n));
    for (const YAML::Node& n : m.list("doors")) level.doors.push_back(readDoor(r, n, false));
    for (const YAML::Node& n : m.list("openings")) level.doors.push_back(readDoor(r, n, true));
    for (const YAML::Node& n : m.list("obstacles")) level.obstacles.push_back(readObstacle(r, n));
    for (const YAML::Node& n : m.list("spaces")) level.spaces.push_back(readSpace(r, n));
    for (const YAML::Node& n : m.list("exits")) exits.push_back(readExit(r, n, level.id));
    if (level.walls.empty() && !level.doors.empty())
        m.fail("doors", "level '" + level.id + "' has doors but no walls to put them in");
    return level;
}

Stair readStair(const YamlReader& r, const YAML::Node& node) {
    const YamlMap m(r, node, "stair",
                    {"id", "lower", "upper", "from", "to", "width", "riser", "tread"});
    Stair s;
    s.where = r.where(node);
    s.id = m.string("id");
    s.lower_id = m.string("lower");
    s.upper_id = m.string("upper");
    s.from = m.point("from");
    s.to = m.point("to");
    s.width = m.number("width", kStairWidth, 1.2);
    s.riser = m.number("riser", kRiser, 0.17);
    s.tread = m.number("tread", kTread, 0.29);
    return s;
}

}  // namespace

Scene parseScene(const YAML::Node& node, const std::string& file) {
    const YamlReader r(file);
    if (node.IsNull() || !node.IsDefined())
        throw InputError(SourceRef{file, 1, 1},
                         "the scene is empty (expected 'name', 'levels' and optionally 'stairs')");
    const YamlMap m(r, node, "scene", {"name", "levels", "stairs"});
    Scene scene;
    scene.where = r.where(node);
    scene.name = m.string("name", std::filesystem::path(file).stem().string());
    const std::vector<YAML::Node> levels = m.list("levels");
    if (levels.empty())
        m.fail("levels", "the scene has no levels (expected at least one under 'levels')");
    std::vector<Exit> exits;
    for (const YAML::Node& n : levels) scene.levels.push_back(readLevel(r, n, exits));
    scene.exits = std::move(exits);
    for (const YAML::Node& n : m.list("stairs")) scene.stairs.push_back(readStair(r, n));
    resolveScene(scene);
    return scene;
}

Scene loadSceneFile(const std::string& path) {
    return parseScene(YamlReader::loadFile(path), path);
}

}  // namespace safetwin
