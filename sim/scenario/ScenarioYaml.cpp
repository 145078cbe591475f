#include "sim/scenario/ScenarioYaml.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "scenes/SceneYaml.hpp"
#include "scenes/import/ModelImport.hpp"
#include "scenes/import/ModelScene.hpp"
#include "scenes/YamlReader.hpp"
#include "sim/scenario/GasYaml.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

// Allowed ranges, as documented in Scenario.hpp and docs/FORMAT.md.
const Range kDuration = Range::aboveTo(0.0, 86400.0, "s");
const Range kTimeStep = Range::closed(0.005, 0.1, "s");
const Range kCell = Range::closed(0.05, 0.2, "m");
const Range kRemainingInterval = Range::closed(0.01, 3600.0, "s");
const Range kTrajectoryRate = Range::aboveTo(0.0, 100.0, "1/s");
const Range kSpeed = Range::closed(0.1, 10.0, "m/s");
const Range kRadius = Range::closed(0.1, 0.4, "m");
const Range kPremovement = Range::closed(0.0, 86400.0, "s");
constexpr int64_t kMaxCount = 1'000'000;
// Default stair speeds of a custom profile: Weidmann (1993) stair/level speed ratios.
constexpr double kUpRatio = 0.61 / 1.34, kDownRatio = 0.694 / 1.34;

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
    return s.empty() ? "none" : s;
}

/// " (did you mean 'x'? <kind>: a, b, c)" for an unknown name.
std::string known(const std::string& name, const std::vector<std::string>& names,
                  const std::string& kind) {
    const std::string guess = closestMatch(name, names);
    return " (" + (guess.empty() ? "" : "did you mean '" + guess + "'? ") + kind + ": " +
           joined(names) + ")";
}

std::string withUnit(double v, const Range& r) {
    return formatNumber(v) + (r.unit.empty() ? "" : " " + r.unit);
}

// Distributions ---------------------------------------------------------------------------------

/// A plain number (fixed) or {distribution: fixed|uniform|normal|lognormal, ...}. Every value
/// and the whole support must lie in `allowed`; omitted truncation bounds default to it.
Distribution readDistribution(const YamlReader& r, const YAML::Node& node, const std::string& label,
                              const Range& allowed) {
    if (node.IsScalar()) return Distribution::fixed(r.asNumber(node, label, allowed));
    const std::string kinds = "fixed, uniform, normal or lognormal";
    if (!node.IsMap() || !node["distribution"])
        r.fail(node, "'" + label + "': expected a number, or a map with 'distribution: " +
                         "<kind>' where kind is " + kinds);
    const YAML::Node kindNode = node["distribution"];
    const std::string kind = r.asString(kindNode, label + ".distribution");
    const std::string prefix = label + ".";
    const std::string what = "'" + label + "' (" + kind + " distribution)";
    if (kind == "fixed") {
        const YamlMap m(r, node, what, {"distribution", "value"}, prefix);
        return Distribution::fixed(m.number("value", allowed));
    }
    if (kind == "uniform") {
        const YamlMap m(r, node, what, {"distribution", "min", "max"}, prefix);
        const double lo = m.number("min", allowed), hi = m.number("max", allowed);
        if (!(lo < hi))
            m.fail("max", "'" + prefix + "max' = " + withUnit(hi, allowed) +
                              " must be greater than '" + prefix +
                              "min' = " + withUnit(lo, allowed));
        return Distribution::uniform(lo, hi);
    }
    if (kind == "normal" || kind == "lognormal") {
        const bool logNormal = kind == "lognormal";
        const YamlMap m(r, node, what, {"distribution", "mean", "sd", "min", "max"}, prefix);
        const double mean = m.number("mean", allowed);
        if (logNormal && !(mean > 0.0))
            m.fail("mean", "'" + prefix + "mean' = " + withUnit(mean, allowed) +
                               ": a lognormal distribution needs a mean above 0");
        const double sd = m.number(
            "sd", Range::closed(0.0, allowed.hi - std::max(allowed.lo, 0.0), allowed.unit));
        const double lo =
            m.number("min", allowed, logNormal ? std::max(allowed.lo, 0.0) : allowed.lo);
        const double hi = m.number("max", allowed, allowed.hi);
        if (!(lo < hi))
            m.fail(m.has("max") ? "max" : "min", "'" + prefix + "max' = " + withUnit(hi, allowed) +
                                                     " must be greater than '" + prefix +
                                                     "min' = " + withUnit(lo, allowed));
        if (mean < lo || mean > hi)
            m.fail("mean", "'" + prefix + "mean' = " + withUnit(mean, allowed) +
                               " lies outside the truncation [" + formatNumber(lo) + ", " +
                               formatNumber(hi) + "] " + allowed.unit);
        return logNormal ? Distribution::logNormal(mean, sd, lo, hi)
                         : Distribution::normal(mean, sd, lo, hi);
    }
    const std::string guess = closestMatch(kind, {"fixed", "uniform", "normal", "lognormal"});
    r.fail(kindNode, "'" + label + ".distribution' = '" + kind + "'" +
                         (guess.empty() ? "" : "; did you mean '" + guess + "'?") + " (expected " +
                         kinds + ")");
}

/// Stair speeds derived from the level speed: the scaled distribution, kept within kSpeed.
Distribution derivedStairSpeed(const YamlMap& m, const Distribution& flat, double ratio,
                               const std::string& ratioText, const std::string& name) {
    Distribution d = flat.scaled(ratio);
    const bool bounded =
        d.kind == Distribution::Kind::Fixed || d.kind == Distribution::Kind::Uniform;
    // Fixed and uniform speeds must fit whole; a normal's truncation is narrowed to fit,
    // unless nothing of it would be left.
    if ((bounded && (d.min < kSpeed.lo || d.max > kSpeed.hi)) ||
        (!bounded && (d.max <= kSpeed.lo || d.min >= kSpeed.hi)))
        m.fail("speed", "the default '" + name + "' speed (level speed x " + ratioText +
                            ") would leave " + kSpeed.str() + "; give '" + name + "' explicitly");
    d.min = std::clamp(d.min, kSpeed.lo, kSpeed.hi);
    d.max = std::clamp(d.max, kSpeed.lo, kSpeed.hi);
    return d;
}

/// A built-in profile name, or a map {base?, speed, stair_up?, stair_down?, radius?}.
Profile readProfile(const YamlReader& r, const YAML::Node& node, const std::string& population) {
    const std::vector<std::string> names = builtinProfileNames();
    auto builtin = [&](const YAML::Node& n, const std::string& label) {
        const std::string name = r.asString(n, label);
        const Profile* p = builtinProfile(name);
        if (!p)
            r.fail(n, "'" + label + "' = '" + name + "' is not a built-in profile" +
                          known(name, names, "built-in profiles") + "; or give a map with 'speed'");
        return *p;
    };
    if (node.IsScalar()) return builtin(node, "profile");
    const YamlMap m(r, node, "profile", {"base", "speed", "stair_up", "stair_down", "radius"},
                    "profile.");
    Profile p;
    if (auto base = m.find("base")) {
        p = builtin(*base, "profile.base");
        p.name = population;
        p.reference += " (modified in " + m.where().str() + ")";
    } else {
        if (!m.has("speed"))
            m.fail("speed",
                   "missing key 'speed' in profile (or start from a built-in with "
                   "'base: <name>')");
        p.name = population;
        p.reference = "custom profile at " + m.where().str();
    }
    if (auto speed = m.find("speed")) {
        p.flat = readDistribution(r, *speed, "profile.speed", kSpeed);
        if (!m.has("base")) {
            p.stair_up = derivedStairSpeed(m, p.flat, kUpRatio, "0.61/1.34", "stair_up");
            p.stair_down = derivedStairSpeed(m, p.flat, kDownRatio, "0.694/1.34", "stair_down");
        }
    }
    if (auto up = m.find("stair_up"))
        p.stair_up = readDistribution(r, *up, "profile.stair_up", kSpeed);
    if (auto down = m.find("stair_down"))
        p.stair_down = readDistribution(r, *down, "profile.stair_down", kSpeed);
    if (auto radius = m.find("radius"))
        p.radius = readDistribution(r, *radius, "profile.radius", kRadius);
    return p;
}

// Populations ------------------------------------------------------------------------------------

std::vector<std::string> spaceIds(const Scene& scene) {
    std::vector<std::string> ids;
    for (const Level& l : scene.levels)
        for (const Space& s : l.spaces) ids.push_back(s.id);
    return ids;
}

/// Fails unless p lies within the level's extent (walls, spaces, obstacles, stairs).
void checkOnLevel(const YamlReader& r, const YAML::Node& at, Vec2 p, const Scene& scene,
                  int level) {
    const Box2 box = scene.levelBounds(level);
    const double tol = 1e-6;
    if (!box.valid() || p.x < box.min.x - tol || p.x > box.max.x + tol || p.y < box.min.y - tol ||
        p.y > box.max.y + tol)
        r.fail(at, "point (" + formatNumber(p.x) + ", " + formatNumber(p.y) +
                       ") lies outside level '" + scene.levels[size_t(level)].id +
                       "' (its plan extends over x [" + formatNumber(box.min.x) + ", " +
                       formatNumber(box.max.x) + "] m, y [" + formatNumber(box.min.y) + ", " +
                       formatNumber(box.max.y) + "] m)");
}

/// where: {space} | {level, polygon} | {level, rect} | {level, points}.
void readWhere(const YamlReader& r, const YAML::Node& node, const Scene& scene, Population& pop) {
    const YamlMap m(r, node, "where", {"space", "level", "polygon", "rect", "points"}, "where.");
    const int given =
        int(m.has("space")) + int(m.has("polygon")) + int(m.has("rect")) + int(m.has("points"));
    if (given != 1)
        r.fail(node, "'where': give exactly one of 'space', 'polygon', 'rect' or 'points'" +
                         std::string(given == 0 ? " (none is given)" : " (several are given)"));
    if (m.has("space")) {
        if (m.has("level"))
            m.fail("level",
                   "'where.level' is not used with 'space' (a space belongs to one level)");
        pop.space = m.string("space");
        if (!scene.findSpace(pop.space))
            m.fail("space", "'where.space' = '" + pop.space + "' is not a space of the scene" +
                                known(pop.space, spaceIds(scene), "spaces"));
        return;
    }
    pop.level_id = m.string("level");
    const int level = scene.levelIndex(pop.level_id);
    if (level < 0) {
        std::vector<std::string> ids;
        for (const Level& l : scene.levels) ids.push_back(l.id);
        m.fail("level", "'where.level' = '" + pop.level_id + "' is not a level of the scene" +
                            known(pop.level_id, ids, "levels"));
    }
    const std::string key = m.has("polygon") ? "polygon" : m.has("rect") ? "rect" : "points";
    if (key == "points") {
        pop.positions = m.points("points", 1);
        for (size_t i = 0; i < pop.positions.size(); ++i)
            checkOnLevel(r, m.require("points")[i], pop.positions[i], scene, level);
        return;
    }
    pop.polygon = key == "rect" ? m.rect("rect") : m.points("polygon", 3);
    if (std::abs(signedArea(pop.polygon)) < 1e-9) m.fail(key, "'where." + key + "' has no area");
    for (Vec2 p : pop.polygon) checkOnLevel(r, m.require(key), p, scene, level);
}

ExitChoice readExitChoice(const YamlMap& m) {
    const std::string choice = m.string("exit_choice", "nearest");
    if (choice == "nearest") return ExitChoice::Nearest;
    if (choice == "quickest") return ExitChoice::Quickest;
    if (choice == "assigned") return ExitChoice::Assigned;
    m.fail("exit_choice",
           "'exit_choice' = '" + choice + "'" +
               known(choice, {"nearest", "quickest", "assigned"}, "expected one of"));
}

Population readPopulation(const YamlReader& r, const YAML::Node& node, const Scene& scene) {
    const YamlMap m(r, node, "population",
                    {"name", "count", "where", "profile", "premovement", "exit_choice", "exit"});
    Population pop;
    pop.where = r.where(node);
    pop.name = m.string("name");
    readWhere(r, m.require("where"), scene, pop);
    if (!pop.positions.empty()) {
        const auto count = m.optionalInteger("count", 1, kMaxCount);
        pop.count = int(pop.positions.size());
        if (count && *count != pop.count)
            m.fail("count", "'count' = " + std::to_string(*count) + " but 'where.points' lists " +
                                std::to_string(pop.count) +
                                " positions (omit 'count', or make them equal)");
        if (pop.positions.size() > size_t(kMaxCount))
            m.fail("where",
                   "'where.points' lists more than " + std::to_string(kMaxCount) + " positions");
    } else {
        pop.count = int(m.integer("count", 1, kMaxCount));
    }
    pop.profile = m.has("profile") ? readProfile(r, m.require("profile"), pop.name)
                                   : *builtinProfile("weidmann");
    if (auto pre = m.find("premovement"))
        pop.premovement = readDistribution(r, *pre, "premovement", kPremovement);
    pop.exit_choice = readExitChoice(m);
    if (pop.exit_choice == ExitChoice::Assigned) {
        if (!m.has("exit"))
            m.fail(
                "exit_choice",
                "'exit_choice: assigned' needs 'exit: <exit id>' in population '" + pop.name + "'");
        pop.exit = m.string("exit");
        if (scene.exitIndex(pop.exit) < 0) {
            std::vector<std::string> ids;
            for (const Exit& e : scene.exits) ids.push_back(e.id);
            m.fail("exit", "'exit' = '" + pop.exit + "' is not an exit of the scene" +
                               known(pop.exit, ids, "exits"));
        }
    } else if (m.has("exit")) {
        m.fail("exit", "'exit' is only used with 'exit_choice: assigned'");
    }
    return pop;
}

// Events and scene ------------------------------------------------------------------------------

Event readEvent(const YamlReader& r, const YAML::Node& node, const Scene& scene, double duration) {
    const YamlMap m(r, node, "event", {"time", "close_door", "open_door"});
    Event e;
    e.where = r.where(node);
    e.time = m.number("time", Range::closed(0.0, duration, "s"));
    const bool close = m.has("close_door"), open = m.has("open_door");
    if (close == open)
        r.fail(node,
               "an event needs exactly one action: 'close_door: <door id>' or "
               "'open_door: <door id>'");
    const std::string key = close ? "close_door" : "open_door";
    e.action = close ? Event::Action::CloseDoor : Event::Action::OpenDoor;
    e.target = m.string(key);
    const auto door = scene.findDoor(e.target);
    if (!door) {
        std::vector<std::string> ids;
        for (const Level& l : scene.levels)
            for (const Door& d : l.doors)
                if (d.closable) ids.push_back(d.id);
        m.fail(key, "'" + key + "' = '" + e.target + "' is not a door of the scene" +
                        known(e.target, ids, "doors"));
    }
    if (!scene.levels[size_t(door->first)].doors[size_t(door->second)].closable)
        m.fail(key, "'" + key + "' = '" + e.target +
                        "' is an opening (no leaf): it cannot be closed or opened");
    return e;
}

/// `scene:` is a path relative to the scenario's folder, or an inline scene map.
Scene readScene(const YamlReader& r, const YAML::Node& node, const std::string& baseDir) {
    if (node.IsMap() && node["model"]) return loadModelScene(r, node, baseDir);  // an imported model
    if (node.IsMap()) return parseScene(node, r.file());
    const std::string given = r.asString(node, "scene");
    if (isModelFile(given)) return loadModelScene(r, node, baseDir);
    fs::path path(given);
    if (path.is_relative()) path = fs::path(baseDir) / path;
    path = path.lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        r.fail(node, "'scene' = '" + given + "': scene file not found (looked for '" +
                         path.string() + "'; paths are relative to the scenario's folder)");
    return loadSceneFile(path.string());
}

/// hazards: {register: FILE, gas_sources: [source ids]}.
void readHazards(const YamlReader& r, const YAML::Node& node, const std::string& baseDir,
                 Scenario& s) {
    const YamlMap m(r, node, "hazards", {"register", "gas_sources"}, "hazards.");
    if (m.has("register")) {
        fs::path path(m.string("register"));
        if (path.is_relative()) path = fs::path(baseDir) / path;
        s.hazard_register = path.lexically_normal().string();
    }
    if (!m.has("gas_sources")) return;
    std::vector<std::string> ids;
    if (s.gas)
        for (const GasSourceSpec& g : s.gas->sources) ids.push_back(g.id);
    for (const YAML::Node& n : m.list("gas_sources")) {
        const std::string id = r.asString(n, "hazards.gas_sources");
        if (!s.gas)
            r.fail(n, "'hazards.gas_sources' names '" + id +
                          "' but the scenario has no 'gas:' section to take it from");
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            r.fail(n, "'hazards.gas_sources': '" + id + "' is not a source of 'gas.sources'" +
                          known(id, ids, "sources"));
        s.hazard_gas_sources.push_back(id);
    }
}

/// cameras: [{name, eye: [x, y, z], look_at: [x, y, z], level, fov | orthographic + height}].
std::vector<CameraSpec> readCameras(const YamlReader& r, const YAML::Node& node, const Scene& scene) {
    static const Range kFov = Range::closed(10.0, 120.0, "deg");
    static const Range kViewHeight = Range::aboveTo(0.0, 100000.0, "m");
    r.expectList(node, "cameras");
    std::vector<CameraSpec> out;
    for (const YAML::Node& n : node) {
        const YamlMap m(r, n, "camera", {"name", "eye", "look_at", "level", "fov", "orthographic", "height"},
                        "camera.");
        CameraSpec c;
        c.where = m.where();
        c.name = m.string("name");
        if (c.name.empty() || c.name.find_first_of(" \t") != std::string::npos)
            m.fail("name", "'camera.name' = '" + c.name + "' must be non-empty and without spaces (it is typed after --camera)");
        for (const CameraSpec& o : out)
            if (o.name == c.name)
                m.fail("name", "camera name '" + c.name + "' is used twice (first at " + o.where.str() + ")");
        c.eye = r.asPoint3(m.require("eye"), "camera.eye");
        c.look_at = r.asPoint3(m.require("look_at"), "camera.look_at");
        if (m.has("level")) {
            const std::string id = m.string("level");
            const int l = scene.levelIndex(id);
            if (l < 0) m.fail("level", "'camera.level' = '" + id + "' is not a level of the scene");
            c.eye[2] += scene.levels[size_t(l)].elevation;
            c.look_at[2] += scene.levels[size_t(l)].elevation;
        }
        const double dx = c.eye[0] - c.look_at[0], dy = c.eye[1] - c.look_at[1], dz = c.eye[2] - c.look_at[2];
        if (std::sqrt(dx * dx + dy * dy + dz * dz) < 0.1)
            m.fail("look_at", "camera '" + c.name + "': 'eye' and 'look_at' are less than 0.1 m apart (the camera needs a direction)");
        c.orthographic = m.boolean("orthographic", false);
        if (c.orthographic) {
            if (m.has("fov")) m.fail("fov", "camera '" + c.name + "': 'fov' is for perspective cameras; an orthographic one takes 'height'");
            c.height = m.number("height", kViewHeight);
        } else {
            if (m.has("height")) m.fail("height", "camera '" + c.name + "': 'height' (visible height) needs 'orthographic: true'");
            c.fov = m.number("fov", kFov, c.fov);
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

Scenario parseScenario(const YAML::Node& node, const std::string& file,
                       const std::string& baseDir) {
    return parseScenario(node, file, baseDir, nullptr);
}

Scenario parseScenario(const YAML::Node& node, const std::string& file, const std::string& baseDir,
                       const Scene* scene) {
    const YamlReader r(file);
    if (!node.IsDefined() || node.IsNull())
        throw InputError(SourceRef{file, 1, 1},
                         "the scenario is empty (expected at least "
                         "'scene' and 'populations')");
    const YamlMap m(r, node, "scenario",
                    {"name", "scene", "duration", "time_step", "seed", "grid", "output",
                     "populations", "events", "variants", "gas", "hazards", "sensors", "cameras"});
    Scenario s;
    s.file = file;
    s.name = m.string("name", fs::path(file).stem().string());
    s.duration = m.number("duration", kDuration, s.duration);
    s.time_step = m.number("time_step", kTimeStep, s.time_step);
    if (s.duration < s.time_step)
        m.fail("duration", "'duration' = " + withUnit(s.duration, kDuration) +
                               " is shorter than one time step (" +
                               withUnit(s.time_step, kTimeStep) + ")");
    s.seed = m.unsignedInteger("seed", s.seed);
    if (auto grid = m.find("grid")) {
        const YamlMap g(r, *grid, "grid", {"cell"}, "grid.");
        s.cell_size = g.number("cell", kCell, s.cell_size);
    }
    if (auto output = m.find("output")) {
        const YamlMap o(r, *output, "output", {"remaining_interval", "trajectory_rate"}, "output.");
        s.record_interval = o.number("remaining_interval", kRemainingInterval, s.record_interval);
        s.trajectory_rate = o.number("trajectory_rate", kTrajectoryRate, s.trajectory_rate);
    }
    // `variants` are read by ScenarioFamily (sim/scenario/Variant.hpp), which passes `scene`.
    s.scene = scene ? *scene : readScene(r, m.require("scene"), baseDir);

    const std::vector<YAML::Node> populations = m.list("populations");
    if (populations.empty())
        m.fail("populations",
               "the scenario has no populations (expected at least one under "
               "'populations')");
    for (const YAML::Node& n : populations) {
        Population pop = readPopulation(r, n, s.scene);
        for (const Population& other : s.populations)
            if (other.name == pop.name)
                r.fail(n, "population name '" + pop.name + "' is used twice (first at " +
                              other.where.str() + ")");
        s.populations.push_back(std::move(pop));
    }
    for (const YAML::Node& n : m.list("events")) {
        Event e = readEvent(r, n, s.scene, s.duration);
        if (!s.events.empty() && e.time < s.events.back().time)
            r.fail(n, "event at " + formatNumber(e.time) + " s comes after one at " +
                          formatNumber(s.events.back().time) + " s (list events in time order)");
        s.events.push_back(std::move(e));
    }
    if (auto gas = m.find("gas")) s.gas = readGasSpec(r, *gas, s.scene, s.duration);
    if (auto hazards = m.find("hazards")) readHazards(r, *hazards, baseDir, s);
    if (auto sensors = m.find("sensors")) s.sensors = readSensorSpecs(r, *sensors, s.scene);
    if (auto cameras = m.find("cameras")) s.cameras = readCameras(r, *cameras, s.scene);
    return s;
}

Scenario parseScenarioText(const std::string& yaml, const std::string& file,
                           const std::string& baseDir) {
    return parseScenario(YamlReader::loadText(yaml, file), file, baseDir);
}

Scenario loadScenarioFile(const std::string& path) {
    const std::string dir = fs::path(path).parent_path().string();
    return parseScenario(YamlReader::loadFile(path), path, dir.empty() ? "." : dir);
}

}  // namespace safetwin
