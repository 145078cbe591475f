// Reading a scenario's `sensors:` list (docs/FORMAT.md "Sensors"), with file:line errors.
#include <cmath>

#include "sim/scenario/SensorSpec.hpp"

namespace safetwin {

namespace {

const Range kHeight = Range::closed(0.0, 100.0, "m");
const Range kDelay = Range::closed(0.0, 3600.0, "s");
const Range kStale = Range::aboveTo(0.0, 86400.0, "s");
const Range kAny = Range::closed(-1e12, 1e12);

const char* const kKinds[] = {"gas", "pressure", "level", "temperature", "flow", "other"};

Vec2 centre(const Polygon& p) {
    const Box2 b = bounds(p);
    return {(b.min.x + b.max.x) / 2, (b.min.y + b.max.y) / 2};
}

/// Level index and a point of the scene object `id`, if there is one.
std::optional<std::pair<int, Vec2>> findObject(const Scene& scene, const std::string& id) {
    if (auto d = scene.findDoor(id)) {
        const Door& door = scene.levels[size_t(d->first)].doors[size_t(d->second)];
        return std::pair{d->first, (door.a + door.b) * 0.5};
    }
    if (auto s = scene.findSpace(id))
        return std::pair{s->first,
                         centre(scene.levels[size_t(s->first)].spaces[size_t(s->second)].polygon)};
    const int e = scene.exitIndex(id);
    if (e >= 0) {
        const Exit& x = scene.exits[size_t(e)];
        return std::pair{x.level, (x.a + x.b) * 0.5};
    }
    for (size_t l = 0; l < scene.levels.size(); ++l)
        for (const Obstacle& o : scene.levels[l].obstacles)
            if (o.id == id) return std::pair{int(l), centre(o.polygon)};
    for (const Stair& s : scene.stairs)
        if (s.id == id) return std::pair{s.lower, s.from};
    return std::nullopt;
}

}  // namespace

std::vector<SensorSpec> readSensorSpecs(const YamlReader& r, const YAML::Node& node,
                                        const Scene& scene) {
    r.expectList(node, "sensors");
    std::vector<SensorSpec> out;
    for (const YAML::Node& n : node) {
        const YamlMap m(r, n, "sensor",
                        {"id", "kind", "unit", "level", "at", "height", "object", "alarm_high",
                         "warning_high", "warning_low", "alarm_low", "deadband", "on_delay",
                         "off_delay", "stale_after", "plausible", "sparkplug"},
                        "sensor.");
        SensorSpec s;
        s.where = m.where();
        s.id = m.string("id");
        if (s.id.empty() || s.id.find_first_of("/+#") != std::string::npos)
            m.fail("id", "'sensor.id' = '" + s.id +
                             "' must be non-empty and free of '/', '+' and '#' (it is an MQTT "
                             "topic level)");
        for (const SensorSpec& o : out)
            if (o.id == s.id)
                m.fail("id",
                       "sensor id '" + s.id + "' is used twice (first at " + o.where.str() + ")");
        s.kind = m.string("kind", "other");
        bool kindOk = false;
        for (const char* k : kKinds) kindOk = kindOk || s.kind == k;
        if (!kindOk)
            m.fail("kind", "'sensor.kind' = '" + s.kind +
                               "' is not one of gas, pressure, level, temperature, flow, other");
        s.unit = m.string("unit");
        s.object = m.string("object", "");
        std::optional<std::pair<int, Vec2>> obj;
        if (!s.object.empty()) {
            obj = findObject(scene, s.object);
            if (!obj)
                m.fail("object", "'sensor.object' = '" + s.object +
                                     "': no door, exit, space, obstacle or stair with this id "
                                     "in the scene");
        }
        if (m.has("level")) {
            s.level_id = m.string("level");
            if (scene.levelIndex(s.level_id) < 0)
                m.fail("level",
                       "'sensor.level' = '" + s.level_id + "': no such level in the scene");
        } else if (obj) {
            s.level_id = scene.levels[size_t(obj->first)].id;
        } else if (scene.levels.size() == 1) {
            s.level_id = scene.levels[0].id;
        } else {
            m.fail("level", "sensor '" + s.id + "' needs 'level' (the scene has several)");
        }
        if (m.has("at"))
            s.at = m.point("at");
        else if (obj)
            s.at = obj->second;
        else
            m.fail("at", "sensor '" + s.id + "' needs 'at' ([x, y] in m) or 'object'");
        s.height = m.number("height", kHeight, 1.5);
        s.alarm_high = m.optionalNumber("alarm_high", kAny);
        s.warning_high = m.optionalNumber("warning_high", kAny);
        s.warning_low = m.optionalNumber("warning_low", kAny);
        s.alarm_low = m.optionalNumber("alarm_low", kAny);
        // Limits must nest: alarm_low <= warning_low < warning_high <= alarm_high.
        const std::pair<const char*, std::optional<double>> order[] = {
            {"alarm_low", s.alarm_low},
            {"warning_low", s.warning_low},
            {"warning_high", s.warning_high},
            {"alarm_high", s.alarm_high}};
        const char* prevKey = nullptr;
        double prev = 0;
        for (const auto& [key, v] : order) {
            if (!v) continue;
            if (prevKey && *v < prev)
                m.fail(key, std::string("'sensor.") + key + "' = " + formatNumber(*v) + " " +
                                s.unit + " is below '" + prevKey + "' = " + formatNumber(prev) +
                                " (limits must nest: alarm_low <= warning_low <= warning_high "
                                "<= alarm_high)");
            prevKey = key;
            prev = *v;
        }
        s.deadband = m.number("deadband", Range::closed(0.0, 1e12, s.unit), 0.0);
        s.on_delay = m.number("on_delay", kDelay, 0.0);
        s.off_delay = m.number("off_delay", kDelay, 0.0);
        s.stale_after = m.number("stale_after", kStale, 60.0);
        if (auto p = m.find("plausible")) {
            const Vec2 range = r.asPoint(*p, "sensor.plausible");
            if (!(range.x < range.y))
                m.fail("plausible", "'sensor.plausible' = [" + formatNumber(range.x) + ", " +
                                        formatNumber(range.y) +
                                        "] must be [min, max] with min < max");
            s.plausible_min = range.x;
            s.plausible_max = range.y;
            for (const auto& [key, v] : order)
                if (v && (*v < s.plausible_min || *v > s.plausible_max))
                    m.fail(key, std::string("'sensor.") + key + "' = " + formatNumber(*v) +
                                    " lies outside 'plausible' [" + formatNumber(range.x) + ", " +
                                    formatNumber(range.y) + "]");
        }
        if (auto sp = m.find("sparkplug")) {
            const YamlMap p(r, *sp, "sparkplug address", {"group", "node", "device", "metric"},
                            "sensor.sparkplug.");
            s.sp_group = p.string("group");
            s.sp_node = p.string("node");
            s.sp_device = p.string("device", "");
            s.sp_metric = p.string("metric", s.id);
        } else {
            s.sp_metric = s.id;
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace safetwin
