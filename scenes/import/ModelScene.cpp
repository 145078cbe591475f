#include "scenes/import/ModelScene.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "scenes/import/ModelImport.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

const Range kCell = Range::closed(0.05, 0.5, "m");
const Range kUnit = Range::aboveTo(0.0, 1000.0, "m");
const Range kBand = Range::closed(0.0, 3.0, "m");
const Range kWithin = Range::aboveTo(0.0, 100.0, "m");
const Range kHeight = Range::aboveTo(0.0, 100.0, "m");

/// Which elements an edit applies to: {id}, {name: pattern}, {near: [x, y], level?, within?}.
struct Match {
    std::string id, name, level;
    bool hasNear = false;
    Vec2 near;
    double within = 1.0;

    static Match read(const YamlReader& r, const YAML::Node& node, const std::string& label) {
        const YamlMap m(r, node, label, {"id", "name", "near", "level", "within"}, label + ".");
        Match q;
        q.id = m.string("id", "");
        q.name = m.string("name", "");
        q.level = m.string("level", "");
        if (m.has("near")) {
            q.hasNear = true;
            q.near = m.point("near");
        }
        q.within = m.number("within", kWithin, 1.0);
        if (q.id.empty() && q.name.empty() && !q.hasNear)
            r.fail(node, "'" + label + "': give 'id', 'name' (a pattern with * and ?) or 'near: [x, y]'");
        return q;
    }
    /// `name` is the element's name; `where` the distance from `near` to the element.
    bool matches(const std::string& elementId, const std::string& elementName, const std::string& levelId, double distance) const {
        if (!id.empty() && id != elementId) return false;
        if (!name.empty() && !globMatch(name, elementName) && !globMatch(name, elementId)) return false;
        if (!level.empty() && level != levelId) return false;
        if (hasNear && distance > within) return false;
        return true;
    }
};

std::map<std::string, std::string> elementNames(const Scene& scene) {
    std::map<std::string, std::string> names;
    if (scene.model)
        for (const ModelElement& e : scene.model->elements)
            if (!e.global_id.empty()) names[e.global_id] = e.name;
    return names;
}

}  // namespace

bool globMatch(const std::string& pattern, const std::string& text) {
    // Iterative matcher with backtracking to the last '*'.
    size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    auto eq = [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); };
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || eq(pattern[p], text[t]))) { ++p; ++t; }
        else if (p < pattern.size() && pattern[p] == '*') { star = p++; mark = t; }
        else if (star != std::string::npos) { p = star + 1; t = ++mark; }
        else return false;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

Scene loadModelScene(const YamlReader& r, const YAML::Node& node, const std::string& baseDir) {
    const bool plain = node.IsScalar();
    std::optional<YamlMap> mm;
    if (!plain)
        mm.emplace(r, node, "scene (model)",
                   std::initializer_list<const char*>{"model", "name", "cell", "unit", "up", "body_band", "auto_exits", "ground", "doors",
                                                      "exits", "obstacles", "spaces"},
                   "scene.");
    const YAML::Node modelNode = plain ? node : mm->require("model");
    const std::string given = r.asString(modelNode, "scene.model");
    fs::path path(given);
    if (path.is_relative()) path = fs::path(baseDir) / path;
    path = path.lexically_normal();

    ImportOptions opt;
    if (mm) {
        opt.cell = mm->number("cell", kCell, opt.cell);
        opt.unit = mm->number("unit", kUnit, 0.0);
        if (auto up = mm->find("up")) {
            const std::string u = r.asString(*up, "scene.up");
            if (u == "y") opt.up = ImportOptions::Up::Y;
            else if (u == "z") opt.up = ImportOptions::Up::Z;
            else r.fail(*up, "'scene.up' = '" + u + "' (expected y or z: the axis that points up in the model file)");
        }
        if (auto band = mm->find("body_band")) {
            const std::vector<Vec2> one = {r.asPoint(*band, "scene.body_band")};
            opt.body_low = one[0].x;
            opt.body_high = one[0].y;
            if (!kBand.contains(opt.body_low) || !kBand.contains(opt.body_high) || opt.body_low >= opt.body_high)
                r.fail(*band, "'scene.body_band' = [" + formatNumber(opt.body_low) + ", " + formatNumber(opt.body_high) +
                                  "] m: expected [low, high] with 0 <= low < high <= 3 m");
        }
        opt.exits_auto = mm->boolean("auto_exits", true);
        if (auto ground = mm->find("ground")) {
            const std::string g = r.asString(*ground, "scene.ground");
            if (g == "auto") opt.ground = ImportOptions::Ground::Auto;
            else if (g == "yes") opt.ground = ImportOptions::Ground::On;
            else if (g == "no") opt.ground = ImportOptions::Ground::Off;
            else r.fail(*ground, "'scene.ground' = '" + g + "' (expected auto, yes or no)");
        }
    }
    Scene scene;
    try {
        scene = importModel(path.string(), opt);
    } catch (const InputError& e) {
        r.fail(modelNode, "'scene.model' = '" + given + "': " + e.what());
    }
    scene.name = mm ? mm->string("name", fs::path(given).stem().string()) : fs::path(given).stem().string();
    scene.where = r.where(node);
    if (!mm) {
        if (scene.exits.empty() && std::none_of(scene.levels.begin(), scene.levels.end(), [](const Level& l) {
                return std::any_of(l.doors.begin(), l.doors.end(), [](const Door& d) { return d.exit; });
            }))
            r.fail(node, "'scene' = '" + given + "': no exit was found in the model; write the scene as a map with "
                         "'model:' and mark doors as exits ('doors: [{match: {...}, exit: true}]') or add 'exits'");
        resolveScene(scene);
        return scene;
    }
    const std::map<std::string, std::string> names = elementNames(scene);
    auto nameOf = [&](const std::string& sourceId) {
        const auto it = names.find(sourceId);
        return it == names.end() ? std::string() : it->second;
    };

    // Doors: {match, exit?, closed?}
    for (const YAML::Node& n : mm->list("doors")) {
        const YamlMap d(r, n, "door edit", {"match", "exit", "closed"}, "doors.");
        const Match q = Match::read(r, d.require("match"), "match");
        int hits = 0;
        for (Level& lv : scene.levels)
            for (Door& door : lv.doors) {
                if (!q.matches(door.id, nameOf(door.source_id), lv.id, norm(door.at - q.near))) continue;
                ++hits;
                if (d.has("exit")) door.exit = d.boolean("exit", door.exit);
                if (d.has("closed")) door.closed = d.boolean("closed", door.closed);
            }
        if (hits == 0) r.fail(n, "this door edit matches no door of the model (run 'safetwin inspect " + given + "' to list them)");
    }
    // Exits: extra lines {id, level, from, to}
    for (const YAML::Node& n : mm->list("exits")) {
        const YamlMap m(r, n, "exit", {"id", "level", "from", "to"}, "exits.");
        Exit e;
        e.id = m.string("id");
        e.level_id = m.string("level");
        e.a = m.point("from");
        e.b = m.point("to");
        e.where = r.where(n);
        scene.exits.push_back(e);
    }
    // Obstacles: {add: [...], remove: [{match}], move: [{match, by}]}
    if (auto obs = mm->find("obstacles")) {
        const YamlMap o(r, *obs, "obstacles", {"add", "remove", "move"}, "obstacles.");
        for (const YAML::Node& n : o.list("remove")) {
            const YamlMap m(r, n, "obstacle removal", {"match"}, "obstacles.remove.");
            const Match q = Match::read(r, m.require("match"), "match");
            int hits = 0;
            for (Level& lv : scene.levels) {
                const size_t before = lv.obstacles.size();
                std::erase_if(lv.obstacles, [&](const Obstacle& ob) {
                    return q.matches(ob.id, nameOf(ob.source_id), lv.id, distanceToPolygonBoundary(q.near, ob.polygon) *
                                                                             (pointInPolygon(q.near, ob.polygon) ? 0.0 : 1.0));
                });
                hits += int(before - lv.obstacles.size());
            }
            if (hits == 0) r.fail(n, "this removal matches no obstacle of the model");
        }
        for (const YAML::Node& n : o.list("move")) {
            const YamlMap m(r, n, "obstacle move", {"match", "by"}, "obstacles.move.");
            const Match q = Match::read(r, m.require("match"), "match");
            const Vec2 by = m.point("by");
            int hits = 0;
            for (Level& lv : scene.levels)
                for (Obstacle& ob : lv.obstacles)
                    if (q.matches(ob.id, nameOf(ob.source_id), lv.id,
                                  pointInPolygon(q.near, ob.polygon) ? 0.0 : distanceToPolygonBoundary(q.near, ob.polygon))) {
                        for (Vec2& p : ob.polygon) p += by;
                        ++hits;
                    }
            if (hits == 0) r.fail(n, "this move matches no obstacle of the model");
        }
        for (const YAML::Node& n : o.list("add")) {
            const YamlMap m(r, n, "obstacle", {"id", "level", "rect", "polygon", "height"}, "obstacles.add.");
            Obstacle ob;
            ob.where = r.where(n);
            ob.id = m.string("id", "");
            const std::string level = m.string("level");
            const int l = scene.levelIndex(level);
            if (l < 0) m.fail("level", "'level' = '" + level + "' is not a level of the model");
            if (m.has("rect") == m.has("polygon")) r.fail(n, "an obstacle needs exactly one of 'rect' or 'polygon'");
            ob.polygon = m.has("rect") ? m.rect("rect") : m.points("polygon", 3);
            ob.height = m.number("height", kHeight, 1.0);
            scene.levels[size_t(l)].obstacles.push_back(ob);
        }
    }
    // Spaces: {match, id?, name?}
    for (const YAML::Node& n : mm->list("spaces")) {
        const YamlMap m(r, n, "space edit", {"match", "id", "name"}, "spaces.");
        const Match q = Match::read(r, m.require("match"), "match");
        int hits = 0;
        for (Level& lv : scene.levels)
            for (Space& s : lv.spaces)
                if (q.matches(s.id, s.name, lv.id, pointInPolygon(q.near, s.polygon) ? 0.0 : distanceToPolygonBoundary(q.near, s.polygon))) {
                    ++hits;
                    if (m.has("id")) s.id = m.string("id");
                    if (m.has("name")) s.name = m.string("name");
                }
        if (hits == 0) r.fail(n, "this space edit matches no space of the model");
        if (hits > 1 && m.has("id")) r.fail(n, "this space edit gives a new 'id' but matches " + std::to_string(hits) + " spaces (ids must be unique)");
    }
    bool anyExit = !scene.exits.empty();
    for (const Level& lv : scene.levels)
        for (const Door& d : lv.doors) anyExit |= d.exit;
    if (!anyExit)
        r.fail(node, "the model '" + given + "' has no exit: none was found automatically" + std::string(opt.exits_auto ? "" : " (auto_exits is off)") +
                         "; mark doors as exits ('doors: [{match: {...}, exit: true}]') or add 'exits'");
    resolveScene(scene);
    return scene;
}

}  // namespace safetwin
