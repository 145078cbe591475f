#include "sim/scenario/GasYaml.hpp"

#include <cmath>
#include <cstdlib>

#include "sim/gas/Gases.hpp"

namespace safetwin {

namespace {

const Range kWindSpeed = Range::closed(0.0, 50.0, "m/s");
const Range kDirection = Range::closed(0.0, 360.0, "deg");
const Range kRefHeight = Range::aboveTo(0.0, 200.0, "m");
const Range kCell = Range::closed(0.5, 5.0, "m");
const Range kMargin = Range::closed(0.0, 1000.0, "m");
const Range kMemory = Range::closed(1.0, 1e6, "MB");
const Range kDiffusivity = Range::closed(0.0, 100.0, "m^2/s");
const Range kHeight = Range::closed(0.0, 100.0, "m");
const Range kRate = Range::aboveTo(0.0, 1e5, "kg/s");
const Range kMass = Range::aboveTo(0.0, 1e7, "kg");
const Range kPressure = Range::closed(1e3, 1e8, "Pa");
const Range kTemperature = Range::closed(100.0, 1500.0, "K");
const Range kDiameter = Range::aboveTo(0.0, 2.0, "m");
const Range kCd = Range::aboveTo(0.0, 1.0);
const Range kResponse = Range::closed(0.0, 600.0, "s");
const Range kInterval = Range::closed(0.1, 3600.0, "s");
const Range kPenalty = Range::closed(1.0, 1e6);
const Range kBreathing = Range::closed(0.5, 2.5, "m");
const Range kFed = Range::aboveTo(0.0, 10.0);

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

int checkLevel(const YamlMap& m, const Scene& scene, std::string& id) {
    id = m.string("level");
    const int l = scene.levelIndex(id);
    if (l < 0) {
        std::vector<std::string> ids;
        for (const Level& L : scene.levels) ids.push_back(L.id);
        const std::string guess = closestMatch(id, ids);
        m.fail("level", "'" + m.label("level") + "' = '" + id + "' is not a level of the scene (" +
                            (guess.empty() ? "" : "did you mean '" + guess + "'? ") + "levels: " + joined(ids) + ")");
    }
    return l;
}

}  // namespace

double readConcentration(const YamlReader& r, const YAML::Node& node, const std::string& label, const std::string& gasId) {
    const GasProperties& gas = *findGas(gasId);
    const std::string units = "ppm, mg/m3, kg/m3, %LEL or %vol";
    if (!node.IsScalar()) r.fail(node, "'" + label + "': expected a concentration with its unit, e.g. '25 ppm' (units: " + units + ")");
    const std::string text = node.Scalar();
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(v)) r.fail(node, "'" + label + "' = '" + text + "': expected a number and a unit, e.g. '25 ppm' (units: " + units + ")");
    std::string unit(end);
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    while (!unit.empty() && unit.back() == ' ') unit.pop_back();
    if (unit.empty())
        r.fail(node, "'" + label + "' = " + text + " has no unit (write e.g. '" + text + " ppm'; units: " + units + ")");
    if (v < 0.0) r.fail(node, "'" + label + "' = '" + text + "' must not be negative");
    double kg = 0.0;
    if (unit == "ppm") kg = gas.ppmToKgM3(v);
    else if (unit == "mg/m3" || unit == "mg/m^3") kg = v * 1e-6;
    else if (unit == "kg/m3" || unit == "kg/m^3") kg = v;
    else if (unit == "%vol" || unit == "% vol") kg = gas.ppmToKgM3(v * 1e4);
    else if (unit == "%LEL" || unit == "% LEL" || unit == "%lel") {
        if (!gas.lel_percent) r.fail(node, "'" + label + "' = '" + text + "': " + gas.id + " has no lower explosive limit; use ppm or mg/m3");
        kg = gas.ppmToKgM3(v * 0.01 * *gas.lel_percent * 1e4);
    } else {
        const std::string guess = closestMatch(unit, {"ppm", "mg/m3", "kg/m3", "%LEL", "%vol"});
        r.fail(node, "'" + label + "' = '" + text + "': unknown concentration unit '" + unit + "'" + (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                         "; expected " + units);
    }
    if (gas.kgM3ToPpm(kg) > 1e6 * (1.0 + 1e-9)) r.fail(node, "'" + label + "' = '" + text + "' is more than 100 % by volume");
    return kg;
}

GasSpec readGasSpec(const YamlReader& r, const YAML::Node& node, const Scene& scene, double duration) {
    const YamlMap m(r, node, "gas",
                    {"gas", "model", "wind", "grid", "diffusivity", "sources", "detectors", "alarm_starts_evacuation", "tenability", "route_penalty",
                     "reroute_interval", "record_interval", "breathing_height", "incapacitation_fed"},
                    "gas.");
    GasSpec g;
    g.where = m.where();
    g.gas = m.string("gas");
    const GasProperties* gas = findGas(g.gas);
    if (!gas) {
        const std::string guess = closestMatch(g.gas, gasNames());
        m.fail("gas", "'gas.gas' = '" + g.gas + "' is not a known gas (" + (guess.empty() ? "" : "did you mean '" + guess + "'? ") + "known: " + joined(gasNames()) + ")");
    }
    g.gas = gas->id;
    const std::string model = m.string("model", "grid");
    if (model != "grid" && model != "plume") m.fail("model", "'gas.model' = '" + model + "': expected 'grid' (3D solver around the buildings) or 'plume' (Gaussian, open terrain)");
    g.plume_model = model == "plume";

    const YamlMap w(r, m.require("wind"), "wind", {"speed", "direction", "reference_height", "stability"}, "gas.wind.");
    g.wind.speed = w.number("speed", kWindSpeed);
    g.wind.direction = w.number("direction", kDirection, 270.0);
    g.wind.reference_height = w.number("reference_height", kRefHeight, 10.0);
    const std::string cls = w.string("stability", "D");
    if (cls.size() != 1 || !parseStabilityClass(cls[0], g.wind.stability))
        w.fail("stability", "'gas.wind.stability' = '" + cls + "': expected a Pasquill-Gifford class A, B, C, D, E or F");
    if (g.plume_model && g.wind.speed < 0.5)
        w.fail("speed", "'gas.wind.speed' = " + formatNumber(g.wind.speed) + " m/s: the Gaussian plume model needs wind of at least 0.5 m/s (it divides by the speed); use 'model: grid' for calm air");

    if (auto grid = m.find("grid")) {
        const YamlMap gm(r, *grid, "grid", {"cell", "margin", "height_above", "roof", "max_memory"}, "gas.grid.");
        g.grid.cell = gm.number("cell", kCell, g.grid.cell);
        g.grid.margin = gm.number("margin", kMargin, g.grid.margin);
        g.grid.height_above = gm.number("height_above", kMargin, g.grid.height_above);
        g.grid.roof = gm.boolean("roof", g.grid.roof);
        g.max_memory_mb = gm.number("max_memory", kMemory, g.max_memory_mb);
    }
    {
        int nx, ny, nz;
        gasGridDimensions(scene, g.grid, nx, ny, nz);
        const double cells = double(nx) * double(ny) * double(nz);
        const double mb = gasMemoryEstimate(size_t(cells)) / 1e6;
        if (!g.plume_model && mb > g.max_memory_mb)
            r.fail(m.has("grid") ? m.require("grid") : node,
                   "the gas grid would be " + std::to_string(nx) + " x " + std::to_string(ny) + " x " + std::to_string(nz) + " cells of " + formatNumber(g.grid.cell) +
                       " m, needing about " + formatNumber(std::round(mb)) + " MB, more than 'gas.grid.max_memory' = " + formatNumber(g.max_memory_mb) +
                       " MB (use a larger 'cell', a smaller 'margin', or raise 'max_memory')");
    }
    if (auto d = m.find("diffusivity")) {
        const YamlMap dm(r, *d, "diffusivity", {"horizontal", "vertical"}, "gas.diffusivity.");
        g.horizontal_diffusivity = dm.optionalNumber("horizontal", kDiffusivity);
        g.vertical_diffusivity = dm.optionalNumber("vertical", kDiffusivity);
    }

    const std::vector<YAML::Node> sources = m.list("sources");
    if (sources.empty()) m.fail("sources", "the gas section has no sources (expected at least one under 'gas.sources')");
    for (const YAML::Node& n : sources) {
        const YamlMap s(r, n, "gas source", {"id", "level", "at", "height", "rate", "mass", "hole", "start", "stop", "duration"}, "source.");
        GasSourceSpec src;
        src.where = r.where(n);
        src.id = s.string("id", "source" + std::to_string(g.sources.size() + 1));
        const int level = checkLevel(s, scene, src.level_id);
        src.at = s.point("at");
        const Box2 box = scene.levelBounds(level);
        const double slack = g.grid.margin;
        if (src.at.x < box.min.x - slack || src.at.x > box.max.x + slack || src.at.y < box.min.y - slack || src.at.y > box.max.y + slack)
            s.fail("at", "source '" + src.id + "' at (" + formatNumber(src.at.x) + ", " + formatNumber(src.at.y) + ") lies outside the gas grid (the scene's plan box plus 'gas.grid.margin' = " +
                             formatNumber(slack) + " m)");
        src.height = s.number("height", kHeight, 1.0);
        const int given = int(s.has("rate")) + int(s.has("mass")) + int(s.has("hole"));
        if (given != 1) r.fail(n, "source '" + src.id + "': give exactly one of 'rate' (kg/s), 'mass' (kg, instantaneous) or 'hole' (pipe or vessel conditions)");
        src.start = s.number("start", Range::closed(0.0, duration, "s"), 0.0);
        if (s.has("mass")) {
            src.instantaneous = true;
            src.mass = s.number("mass", kMass);
            if (s.has("stop") || s.has("duration")) s.fail(s.has("stop") ? "stop" : "duration", "an instantaneous release ('mass') has no 'stop' or 'duration'");
        } else {
            if (s.has("stop") && s.has("duration")) s.fail("duration", "give 'stop' or 'duration', not both");
            if (s.has("stop")) {
                src.stop = s.number("stop", Range::closed(0.0, 1e9, "s"));
                if (src.stop <= src.start) s.fail("stop", "'source.stop' = " + formatNumber(src.stop) + " s must be after 'source.start' = " + formatNumber(src.start) + " s");
            }
            if (s.has("duration")) src.stop = src.start + s.number("duration", Range::aboveTo(0.0, 1e9, "s"));
            if (s.has("rate")) {
                src.rate = s.number("rate", kRate);
            } else {
                const YamlMap hm(r, s.require("hole"), "hole", {"pressure", "temperature", "diameter", "discharge_coefficient", "ambient_pressure"}, "source.hole.");
                HoleConditions hc;
                hc.ambient_pressure = hm.number("ambient_pressure", Range::closed(5e4, 2e5, "Pa"), hc.ambient_pressure);
                hc.pressure = hm.number("pressure", kPressure);
                if (hc.pressure <= hc.ambient_pressure)
                    hm.fail("pressure", "'source.hole.pressure' = " + formatNumber(hc.pressure) + " Pa is not above the ambient pressure " + formatNumber(hc.ambient_pressure) +
                                            " Pa (give the absolute pressure inside the pipe or vessel, in Pa)");
                hc.temperature = hm.number("temperature", kTemperature, hc.temperature);
                hc.diameter = hm.number("diameter", kDiameter);
                hc.discharge_coefficient = hm.number("discharge_coefficient", kCd, hc.discharge_coefficient);
                const ReleaseRate rr = gasHoleRelease(hc, gas->molar_mass, gas->heat_capacity_ratio);
                src.hole = hc;
                src.rate = rr.mass_rate;
                src.choked = rr.choked;
            }
        }
        for (const GasSourceSpec& o : g.sources)
            if (o.id == src.id) r.fail(n, "gas source id '" + src.id + "' is used twice (first at " + o.where.str() + ")");
        g.sources.push_back(src);
    }
    for (const YAML::Node& n : m.list("detectors")) {
        const YamlMap d(r, n, "gas detector", {"id", "level", "at", "height", "threshold", "response_time"}, "detector.");
        GasDetectorSpec det;
        det.where = r.where(n);
        det.id = d.string("id", "detector" + std::to_string(g.detectors.size() + 1));
        checkLevel(d, scene, det.level_id);
        det.at = d.point("at");
        det.height = d.number("height", kHeight, 1.5);
        det.threshold = readConcentration(r, d.require("threshold"), "detector.threshold", g.gas);
        det.threshold_text = d.require("threshold").Scalar();
        if (!(det.threshold > 0.0)) d.fail("threshold", "'detector.threshold' must be above zero");
        det.response_time = d.number("response_time", kResponse, 0.0);
        g.detectors.push_back(det);
    }
    g.alarm_starts_evacuation = m.boolean("alarm_starts_evacuation", false);
    if (g.alarm_starts_evacuation && g.detectors.empty())
        m.fail("alarm_starts_evacuation", "'gas.alarm_starts_evacuation' needs at least one detector under 'gas.detectors'");
    if (auto t = m.find("tenability")) {
        g.tenability = readConcentration(r, *t, "gas.tenability", g.gas);
        g.tenability_text = t->Scalar();
        if (!(g.tenability > 0.0)) m.fail("tenability", "'gas.tenability' must be above zero");
    } else {
        g.tenability = gas->ppmToKgM3(gas->defaultTenabilityPpm());
        g.tenability_text = formatNumber(gas->defaultTenabilityPpm()) + " ppm";
    }
    if (auto p = m.find("route_penalty")) {
        if (p->IsScalar() && p->Scalar() == "impassable") g.route_penalty = std::numeric_limits<double>::infinity();
        else g.route_penalty = r.asNumber(*p, "gas.route_penalty", kPenalty);
    }
    g.reroute_interval = m.number("reroute_interval", kInterval, g.reroute_interval);
    g.record_interval = m.number("record_interval", kInterval, g.record_interval);
    g.breathing_height = m.number("breathing_height", kBreathing, g.breathing_height);
    g.incapacitation_fed = m.number("incapacitation_fed", kFed, g.incapacitation_fed);
    return g;
}

}  // namespace safetwin
