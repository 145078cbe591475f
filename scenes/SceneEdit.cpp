#include "scenes/SceneEdit.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "scenes/SceneYaml.hpp"
#include "scenes/YamlReader.hpp"

namespace safetwin {

namespace {

const Range kDoorWidth = Range::aboveTo(0.3, 20.0, "m");
const Range kStairWidth = Range::aboveTo(0.5, 10.0, "m");
const Range kExitWidth = Range::closed(0.3, 1000.0, "m");

std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

/// A list of ids (`[a, b]`) or one id.
std::vector<std::pair<std::string, SourceRef>> readIds(const YamlMap& m, const std::string& key) {
    std::vector<std::pair<std::string, SourceRef>> ids;
    const YAML::Node node = m.require(key);
    const YamlReader& r = m.reader();
    if (node.IsScalar()) {
        ids.push_back({r.asString(node, key), r.where(node)});
        return ids;
    }
    r.expectList(node, key);
    for (const YAML::Node& n : node) ids.push_back({r.asString(n, key), r.where(n)});
    return ids;
}

std::vector<YAML::Node> listOf(const YamlMap& m, const std::string& key) {
    const YAML::Node node = m.require(key);
    if (node.IsMap()) return {node};  // a single entry written without a list
    m.reader().expectList(node, key);
    return m.list(key);
}

Vec2 centre(const Polygon& poly) {
    const Box2 b = bounds(poly);
    return (b.min + b.max) * 0.5;
}

/// Every named object of the scene with its kind, for messages.
struct Named {
    std::string id;
    const char* kind;
};

std::vector<Named> namedObjects(const Scene& scene) {
    std::vector<Named> all;
    for (const Level& l : scene.levels) {
        for (const Wall& w : l.walls)
            if (!w.id.empty()) all.push_back({w.id, "wall"});
        for (const Door& d : l.doors) all.push_back({d.id, d.closable ? "door" : "opening"});
        for (const Obstacle& o : l.obstacles)
            if (!o.id.empty()) all.push_back({o.id, "obstacle"});
        for (const Space& s : l.spaces) all.push_back({s.id, "space"});
    }
    for (const Exit& e : scene.exits)
        if (e.door.empty()) all.push_back({e.id, "exit"});
    for (const Stair& s : scene.stairs) all.push_back({s.id, "stair"});
    return all;
}

/// Fails: `id` names nothing of the allowed kinds; lists the close matches among them.
[[noreturn]] void unknown(const Scene& scene, const SceneEdit& e, const std::string& verb,
                          const std::vector<std::string>& kinds) {
    std::vector<std::string> ids;
    std::string what;
    for (size_t k = 0; k < kinds.size(); ++k)
        what += (k == 0 ? "" : k + 1 == kinds.size() ? " or " : ", ") + kinds[k];
    std::string wrongKind;
    for (const Named& n : namedObjects(scene)) {
        const bool allowed = std::find(kinds.begin(), kinds.end(), n.kind) != kinds.end();
        if (allowed)
            ids.push_back(n.id);
        else if (n.id == e.id)
            wrongKind = n.kind;
    }
    if (!wrongKind.empty())
        throw InputError(
            e.where,
            "cannot " + verb + " '" + e.id + "': it is " +
                (wrongKind == "obstacle" || wrongKind == "opening" || wrongKind == "exit" ? "an "
                                                                                          : "a ") +
                wrongKind + " (this edit applies to: " + what + ")");
    throw InputError(e.where, "cannot " + verb + " '" + e.id + "': the scene has no " + what +
                                  " of that name" + closeMatches(e.id, ids, what));
}

template <class T>
T* findIn(std::vector<T>& items, const std::string& id, int* index = nullptr) {
    for (size_t k = 0; k < items.size(); ++k)
        if (!id.empty() && items[k].id == id) {
            if (index) *index = int(k);
            return &items[k];
        }
    return nullptr;
}

void applyOne(Scene& scene, const SceneEdit& e) {
    switch (e.kind) {
        case SceneEdit::Kind::Remove: {
            for (Level& l : scene.levels) {
                int k = -1;
                if (findIn(l.walls, e.id, &k)) {
                    l.walls.erase(l.walls.begin() + k);
                    return;
                }
                if (findIn(l.doors, e.id, &k)) {
                    l.doors.erase(l.doors.begin() + k);
                    return;
                }
                if (findIn(l.obstacles, e.id, &k)) {
                    l.obstacles.erase(l.obstacles.begin() + k);
                    return;
                }
                if (findIn(l.spaces, e.id, &k)) {
                    l.spaces.erase(l.spaces.begin() + k);
                    return;
                }
            }
            int k = -1;
            if (findIn(scene.stairs, e.id, &k)) {
                scene.stairs.erase(scene.stairs.begin() + k);
                return;
            }
            for (size_t x = 0; x < scene.exits.size(); ++x)
                if (scene.exits[x].door.empty() && scene.exits[x].id == e.id) {
                    scene.exits.erase(scene.exits.begin() + long(x));
                    return;
                }
            unknown(scene, e, "remove",
                    {"wall", "door", "opening", "obstacle", "space", "exit", "stair"});
        }
        case SceneEdit::Kind::Move: {
            auto shift = [&](Polygon& poly) {
                const Vec2 d = e.by ? *e.by : *e.to - centre(poly);
                for (Vec2& p : poly) p += d;
            };
            for (Level& l : scene.levels) {
                if (Obstacle* o = findIn(l.obstacles, e.id)) {
                    shift(o->polygon);
                    return;
                }
                if (Space* s = findIn(l.spaces, e.id)) {
                    shift(s->polygon);
                    return;
                }
                if (Door* d = findIn(l.doors, e.id)) {
                    d->at = e.by ? d->at + *e.by : *e.to;
                    d->where = e.where;  // "not on a wall" is then reported at the edit
                    return;
                }
            }
            for (Exit& x : scene.exits)
                if (x.door.empty() && x.id == e.id) {
                    const Vec2 d = e.by ? *e.by : *e.to - (x.a + x.b) * 0.5;
                    x.a += d;
                    x.b += d;
                    return;
                }
            unknown(scene, e, "move", {"obstacle", "space", "door", "opening", "exit"});
        }
        case SceneEdit::Kind::Resize: {
            for (Level& l : scene.levels)
                if (Door* d = findIn(l.doors, e.id)) {
                    if (!kDoorWidth.contains(e.width))
                        throw InputError(e.where,
                                         "'width' = " + fmt(e.width) + " m is out of range " +
                                             kDoorWidth.str() + " for " +
                                             (d->closable ? "door '" : "opening '") + e.id + "'");
                    d->width = e.width;
                    d->where = e.where;  // "does not fit on its wall" is then reported at the edit
                    return;
                }
            if (Stair* s = findIn(scene.stairs, e.id)) {
                if (!kStairWidth.contains(e.width))
                    throw InputError(e.where, "'width' = " + fmt(e.width) + " m is out of range " +
                                                  kStairWidth.str() + " for stair '" + e.id + "'");
                s->width = e.width;
                return;
            }
            for (Exit& x : scene.exits)
                if (x.door.empty() && x.id == e.id) {
                    const Vec2 c = (x.a + x.b) * 0.5, u = normalized(x.b - x.a);
                    x.a = c - u * (0.5 * e.width);
                    x.b = c + u * (0.5 * e.width);
                    return;
                }
            unknown(scene, e, "resize", {"door", "opening", "exit", "stair"});
        }
        case SceneEdit::Kind::Close:
        case SceneEdit::Kind::Open: {
            const bool close = e.kind == SceneEdit::Kind::Close;
            for (Level& l : scene.levels)
                if (Door* d = findIn(l.doors, e.id)) {
                    if (!d->closable)
                        throw InputError(e.where,
                                         "cannot " + std::string(close ? "close" : "open") + " '" +
                                             e.id +
                                             "': it is an opening (no leaf); use 'remove' to "
                                             "wall it up");
                    d->closed = close;
                    return;
                }
            unknown(scene, e, close ? "close" : "open", {"door"});
        }
        case SceneEdit::Kind::Add: {
            const int li = scene.levelIndex(e.level);
            if (li < 0) {
                std::vector<std::string> ids;
                for (const Level& l : scene.levels) ids.push_back(l.id);
                throw InputError(e.where, "cannot add to level '" + e.level +
                                              "': the scene has no level of that name" +
                                              closeMatches(e.level, ids, "levels"));
            }
            Level& l = scene.levels[size_t(li)];
            l.walls.insert(l.walls.end(), e.walls.begin(), e.walls.end());
            l.doors.insert(l.doors.end(), e.doors.begin(), e.doors.end());
            l.obstacles.insert(l.obstacles.end(), e.obstacles.begin(), e.obstacles.end());
            l.spaces.insert(l.spaces.end(), e.spaces.begin(), e.spaces.end());
            for (Exit x : e.exits) {
                x.level_id = l.id;
                scene.exits.push_back(x);
            }
            return;
        }
    }
}

}  // namespace

std::string closeMatches(const std::string& name, const std::vector<std::string>& candidates,
                         const std::string& kind) {
    // Close: within a third of the name's length (at least 2) edits, or one contains the other.
    const int limit = std::max<int>(2, int(name.size()) / 3);
    std::vector<std::pair<int, std::string>> close;
    auto lower = [](std::string s) {
        for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    const std::string lname = lower(name);
    for (const std::string& c : candidates) {
        const std::string lc = lower(c);
        int d = editDistance(lname, lc);
        const bool contains = !lname.empty() && (lc.find(lname) != std::string::npos ||
                                                 lname.find(lc) != std::string::npos);
        if (d <= limit || contains) close.push_back({contains ? std::min(d, limit) : d, c});
    }
    std::stable_sort(close.begin(), close.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    if (!close.empty()) {
        out = " (did you mean '" + close.front().second + "'? close matches: ";
        for (size_t k = 0; k < close.size() && k < 8; ++k) out += (k ? ", " : "") + close[k].second;
        return out + ")";
    }
    out = " (no close match; " + kind + ": ";
    if (candidates.empty()) return out + "none)";
    for (size_t k = 0; k < candidates.size() && k < 20; ++k) out += (k ? ", " : "") + candidates[k];
    if (candidates.size() > 20) out += ", ... " + std::to_string(candidates.size() - 20) + " more";
    return out + ")";
}

std::vector<SceneEdit> readSceneEdits(const YamlMap& m) {
    const YamlReader& r = m.reader();
    std::vector<SceneEdit> edits;
    // In the order written in docs/FORMAT.md: remove, move, resize, close, open, add. Removals
    // come first so that an added object may reuse a removed one's id.
    if (m.has("remove"))
        for (const auto& [id, where] : readIds(m, "remove")) {
            SceneEdit e;
            e.kind = SceneEdit::Kind::Remove;
            e.id = id;
            e.where = where;
            edits.push_back(e);
        }
    if (m.has("move"))
        for (const YAML::Node& n : listOf(m, "move")) {
            const YamlMap mm(r, n, "move", {"id", "by", "to"}, "move.");
            SceneEdit e;
            e.kind = SceneEdit::Kind::Move;
            e.id = mm.string("id");
            e.where = r.where(mm.require("id"));
            if (mm.has("by") == mm.has("to"))
                r.fail(n,
                       "'move': give exactly one of 'by: [dx, dy]' (a shift) or 'to: [x, y]' "
                       "(the new centre)");
            if (mm.has("by"))
                e.by = mm.point("by");
            else
                e.to = mm.point("to");
            edits.push_back(e);
        }
    if (m.has("resize"))
        for (const YAML::Node& n : listOf(m, "resize")) {
            const YamlMap mm(r, n, "resize", {"id", "width"}, "resize.");
            SceneEdit e;
            e.kind = SceneEdit::Kind::Resize;
            e.id = mm.string("id");
            e.where = r.where(mm.require("id"));
            e.width = mm.number("width", kExitWidth);
            edits.push_back(e);
        }
    for (const char* key : {"close", "open"})
        if (m.has(key))
            for (const auto& [id, where] : readIds(m, key)) {
                SceneEdit e;
                e.kind =
                    std::string(key) == "close" ? SceneEdit::Kind::Close : SceneEdit::Kind::Open;
                e.id = id;
                e.where = where;
                edits.push_back(e);
            }
    if (m.has("add"))
        for (const YAML::Node& n : listOf(m, "add")) {
            const YamlMap mm(
                r, n, "add",
                {"level", "walls", "doors", "openings", "obstacles", "spaces", "exits"}, "add.");
            SceneEdit e;
            e.kind = SceneEdit::Kind::Add;
            e.level = mm.string("level");
            e.where = r.where(mm.require("level"));
            for (const YAML::Node& x : mm.list("walls")) e.walls.push_back(readWall(r, x));
            for (const YAML::Node& x : mm.list("doors")) e.doors.push_back(readDoor(r, x, false));
            for (const YAML::Node& x : mm.list("openings")) e.doors.push_back(readDoor(r, x, true));
            for (const YAML::Node& x : mm.list("obstacles"))
                e.obstacles.push_back(readObstacle(r, x));
            for (const YAML::Node& x : mm.list("spaces")) e.spaces.push_back(readSpace(r, x));
            for (const YAML::Node& x : mm.list("exits")) e.exits.push_back(readExit(r, x, e.level));
            edits.push_back(e);
        }
    return edits;
}

void applySceneEdits(Scene& scene, const std::vector<SceneEdit>& edits) {
    // resolveScene() rebuilds the door exits from the doors; keep only the exit lines.
    std::vector<Exit> lines;
    for (const Exit& x : scene.exits)
        if (x.door.empty()) lines.push_back(x);
    scene.exits = std::move(lines);
    for (const SceneEdit& e : edits) applyOne(scene, e);
    resolveScene(scene);
}

}  // namespace safetwin
