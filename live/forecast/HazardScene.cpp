#include "live/forecast/HazardScene.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "live/register/HazardEffect.hpp"
#include "scenes/SceneEdit.hpp"

namespace safetwin {

namespace {

Vec2 centroid(const Polygon& poly) {
    Vec2 c;
    for (Vec2 p : poly) c += p;
    return poly.empty() ? c : c / double(poly.size());
}

std::vector<std::string> doorIds(const Scene& s, bool closableOnly) {
    std::vector<std::string> ids;
    for (const Level& l : s.levels)
        for (const Door& d : l.doors)
            if (!closableOnly || d.closable) ids.push_back(d.id);
    return ids;
}

}  // namespace

// Markers ----------------------------------------------------------------------------------------

bool locateHazard(const Scene& scene, const Hazard& h, int& level, Vec2& at) {
    const std::string& o = h.location_object;
    if (!o.empty()) {
        for (size_t li = 0; li < scene.levels.size(); ++li) {
            const Level& l = scene.levels[li];
            level = int(li);
            for (const Door& d : l.doors)
                if (d.id == o) { at = (d.a + d.b) * 0.5; return true; }
            for (const Space& s : l.spaces)
                if (s.id == o || (!s.name.empty() && s.name == o)) { at = centroid(s.polygon); return true; }
            for (const Obstacle& b : l.obstacles)
                if (b.id == o) { at = centroid(b.polygon); return true; }
        }
        for (const Exit& x : scene.exits)
            if (x.id == o) { level = x.level; at = (x.a + x.b) * 0.5; return true; }
        for (const Stair& s : scene.stairs)
            if (s.id == o) { level = s.lower; at = (s.from + s.to) * 0.5; return true; }
    }
    if (h.x && h.y) {
        level = scene.levelIndex(h.location_level);
        at = {*h.x, *h.y};
        return level >= 0;
    }
    return false;
}

HazardMarkerData hazardMarker(const Scene& scene, const Hazard& h, bool overdue) {
    HazardMarkerData m;
    m.id = h.id;
    m.title = h.title;
    m.owner = h.responsible_person.empty() ? h.responsible_unit : h.responsible_person;
    m.status = h.status;
    m.deadline = h.deadline;
    m.domain = h.domain;
    m.major = h.level == "major";
    m.overdue = overdue;
    m.effect = h.effect;
    Vec2 at;
    m.located = locateHazard(scene, h, m.level, at);
    if (m.located) {
        m.x = at.x;
        m.y = at.y;
        m.z = scene.levels[size_t(m.level)].elevation;
    }
    return m;
}

std::vector<HazardMarkerData> hazardMarkers(const Scene& scene, const HazardRegister& reg,
                                            const std::string& now) {
    std::map<std::string, HazardImpactRecord> impact;
    for (const HazardImpactRecord& i : reg.impacts()) impact[i.hazard_id] = i;
    std::vector<HazardMarkerData> out;
    for (const Hazard& h : reg.openHazards(now)) {
        HazardMarkerData m = hazardMarker(scene, h, h.overdue);
        if (auto it = impact.find(h.id); it != impact.end()) {
            m.evacuation_cost_s = it->second.added_s;
            m.trapped = it->second.trapped;
        }
        out.push_back(m);
    }
    return out;
}

bool HazardMarkerSource::poll(const std::string& now) {
    if (!reg_) {
        std::error_code ec;
        if (!std::filesystem::exists(path_, ec)) return false;
        reg_ = HazardRegister::open(path_, false);
    }
    const std::string t = now.empty() ? utcNow() : now;
    const int64_t v = reg_->dataVersion();
    if (v == version_ && t.substr(0, 10) == day_) return false;
    version_ = v;
    day_ = t.substr(0, 10);
    markers_ = hazardMarkers(scene_, *reg_, t);
    stats_ = reg_->stats(t);
    return true;
}

// Effects ----------------------------------------------------------------------------------------

std::vector<Hazard> withEffect(const std::vector<Hazard>& hazards) {
    std::vector<Hazard> out;
    for (const Hazard& h : hazards)
        if (!parseHazardEffects(h.effect, "hazard " + h.id).empty()) out.push_back(h);
    return out;
}

Scenario applyHazardEffects(const Scenario& scenario, const std::vector<Hazard>& hazards) {
    Scenario s = scenario;
    std::vector<SceneEdit> edits;
    for (const Hazard& h : hazards) {
        for (const HazardEffect& e : parseHazardEffects(h.effect, "hazard " + h.id)) {
            const std::string where = "hazard " + h.id + " (effect '" + e.text + "')";
            auto fail = [&](const std::string& why) { throw InputError(where + ": " + why); };
            SceneEdit edit;
            edit.where = SourceRef{where, 0, 0};
            auto needLevel = [&] {
                if (s.scene.levelIndex(e.target) >= 0) return;
                std::vector<std::string> ids;
                for (const Level& l : s.scene.levels) ids.push_back(l.id);
                fail("'" + e.target + "' is not a level of the scene" + closeMatches(e.target, ids, "levels"));
            };
            switch (e.kind) {
                case HazardEffect::Kind::CloseDoor: {
                    const auto d = s.scene.findDoor(e.target);
                    if (!d) fail("no door '" + e.target + "'" + closeMatches(e.target, doorIds(s.scene, true), "doors"));
                    const Door& door = s.scene.levels[size_t(d->first)].doors[size_t(d->second)];
                    if (!door.closable) {
                        // An opening has no leaf: blocking it is an obstacle across it.
                        const Vec2 u = normalized(door.b - door.a), n = perp(u) * 0.4;
                        Obstacle o;
                        o.id = "hazard_" + h.id + "_" + e.target;
                        o.polygon = {door.a - n, door.b - n, door.b + n, door.a + n};
                        edit.kind = SceneEdit::Kind::Add;
                        edit.level = s.scene.levels[size_t(d->first)].id;
                        edit.obstacles.push_back(o);
                    } else {
                        edit.kind = SceneEdit::Kind::Close;
                        edit.id = e.target;
                    }
                    break;
                }
                case HazardEffect::Kind::CloseExit: {
                    const int x = s.scene.exitIndex(e.target);
                    if (x < 0) {
                        std::vector<std::string> ids;
                        for (const Exit& ex : s.scene.exits) ids.push_back(ex.id);
                        fail("no exit '" + e.target + "'" + closeMatches(e.target, ids, "exits"));
                    }
                    const Exit& ex = s.scene.exits[size_t(x)];
                    edit.kind = ex.door.empty() ? SceneEdit::Kind::Remove : SceneEdit::Kind::Close;
                    edit.id = ex.door.empty() ? ex.id : ex.door;
                    break;
                }
                case HazardEffect::Kind::Block: {
                    needLevel();
                    Obstacle o;
                    o.id = "hazard_" + h.id + "_block" + std::to_string(edits.size());
                    o.polygon = rectangle(e.min, e.max);
                    edit.kind = SceneEdit::Kind::Add;
                    edit.level = e.target;
                    edit.obstacles.push_back(o);
                    break;
                }
                case HazardEffect::Kind::Slow: {
                    SpeedZone z;
                    z.id = "hazard " + h.id;
                    z.factor = e.factor;
                    if (e.rect) {
                        needLevel();
                        z.level_id = e.target;
                        z.polygon = rectangle(e.min, e.max);
                    } else {
                        const auto sp = s.scene.findSpace(e.target);
                        if (!sp) {
                            std::vector<std::string> ids;
                            for (const Level& l : s.scene.levels)
                                for (const Space& x : l.spaces) ids.push_back(x.id);
                            fail("no space '" + e.target + "'" + closeMatches(e.target, ids, "spaces"));
                        }
                        z.level_id = s.scene.levels[size_t(sp->first)].id;
                        z.polygon = s.scene.levels[size_t(sp->first)].spaces[size_t(sp->second)].polygon;
                    }
                    s.speed_zones.push_back(z);
                    continue;
                }
                case HazardEffect::Kind::DisableDetector: {
                    std::vector<std::string> ids;
                    if (s.gas)
                        for (const GasDetectorSpec& d : s.gas->detectors) ids.push_back(d.id);
                    const auto it = std::find(ids.begin(), ids.end(), e.target);
                    if (it == ids.end())
                        fail("no gas detector '" + e.target + "' in the scenario's 'gas:' section" +
                             closeMatches(e.target, ids, "detectors"));
                    s.gas->detectors.erase(s.gas->detectors.begin() + (it - ids.begin()));
                    continue;
                }
            }
            edits.push_back(edit);
        }
    }
    if (!edits.empty()) applySceneEdits(s.scene, edits);
    return s;
}

}  // namespace safetwin
