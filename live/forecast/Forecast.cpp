#include "live/forecast/Forecast.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "live/forecast/HazardScene.hpp"
#include "live/register/HazardEffect.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v, int decimals = 1) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string html(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

/// One run of `scenario` with `seed`; never throws (an error is kept in the run).
ForecastRun runOneForecast(const Scenario& scenario, uint64_t seed) {
    ForecastRun r;
    r.seed = seed;
    r.evacuation_time = kNaN;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        SimulationOptions opt;
        opt.seed = seed;
        Simulation sim(scenario, opt);
        sim.run();
        const auto j = sim.summary();
        r.agents = j["agents"].get<int>();
        r.evacuated = j["evacuated"].get<int>();
        r.trapped = r.agents - r.evacuated;
        if (!j["evacuation_time_s"].is_null()) r.evacuation_time = j["evacuation_time_s"].get<double>();
        for (const auto& e : j["exits"]) r.exit_counts.push_back(e["count"].get<int>());
        r.simulated_s = sim.time();
        if (j.contains("gas")) {
            const auto& g = j["gas"];
            if (g.contains("incapacitated") && g["incapacitated"].is_number())
                r.gas_incapacitated = g["incapacitated"].get<int>();
            if (g.contains("aset"))
                for (const auto& e : g["aset"]["exits"])
                    if (!e["aset_s"].is_null()) r.gas_exits.push_back(e["id"].get<std::string>());
        }
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

/// Runs every (scenario, seed) job on `jobs` threads, one OpenMP thread each.
std::vector<ForecastRun> runJobs(const std::vector<const Scenario*>& scenarios,
                                 const std::vector<uint64_t>& seeds, int jobs) {
    const size_t n = scenarios.size();
    std::vector<ForecastRun> out(n);
    std::atomic<size_t> next{0};
    auto worker = [&] {
        omp_set_num_threads(1);  // parallelism comes from the runs
        for (size_t k = next++; k < n; k = next++) out[k] = runOneForecast(*scenarios[k], seeds[k]);
    };
    const int threads = std::max(1, std::min<int>(jobs, int(n)));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
    return out;
}

double timeOf(const ForecastRun& r) {
    return std::isfinite(r.evacuation_time) ? r.evacuation_time : 0.0;
}

/// A plan of one level as SVG (north up): walls, doors (closed ones red), exits (green; closed
/// red), obstacles, and the hazard markers on it.
std::string planSvg(const Scene& scene, int level, const std::vector<HazardMarkerData>& markers) {
    const Box2 b = scene.levelBounds(level);
    if (!b.valid()) return "";
    const double pad = 4.0, w = b.max.x - b.min.x + 2 * pad, h = b.max.y - b.min.y + 2 * pad;
    const double scale = 640.0 / std::max(w, 1.0);
    auto X = [&](double x) { return fmt((x - b.min.x + pad) * scale, 1); };
    auto Y = [&](double y) { return fmt((b.max.y + pad - y) * scale, 1); };
    std::ostringstream os;
    const Level& L = scene.levels[size_t(level)];
    os << "<h3>Level " << html(L.id) << (L.name.empty() ? "" : " (" + html(L.name) + ")") << "</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
       << fmt(w * scale, 0) << "\" height=\"" << fmt(h * scale, 0) << "\" style=\"background:#fafafa;border:1px solid #ccc\">\n";
    for (const Obstacle& o : L.obstacles) {
        os << "<polygon fill=\"#bbb\" points=\"";
        for (Vec2 p : o.polygon) os << X(p.x) << "," << Y(p.y) << " ";
        os << "\"/>\n";
    }
    for (const Wall& wall : L.walls) {
        os << "<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"" << fmt(std::max(1.0, wall.thickness * scale), 1) << "\" points=\"";
        for (Vec2 p : wall.points) os << X(p.x) << "," << Y(p.y) << " ";
        os << "\"/>\n";
    }
    for (const Door& d : L.doors)
        os << "<line x1=\"" << X(d.a.x) << "\" y1=\"" << Y(d.a.y) << "\" x2=\"" << X(d.b.x) << "\" y2=\"" << Y(d.b.y)
           << "\" stroke=\"" << (d.closed ? "#d00" : "#fafafa") << "\" stroke-width=\"" << fmt(std::max(3.0, 0.3 * scale), 1) << "\"/>\n";
    for (const Exit& e : scene.exits) {
        if (e.level != level) continue;
        const auto d = e.door.empty() ? std::nullopt : scene.findDoor(e.door);
        const bool closed = d && scene.levels[size_t(d->first)].doors[size_t(d->second)].closed;
        os << "<line x1=\"" << X(e.a.x) << "\" y1=\"" << Y(e.a.y) << "\" x2=\"" << X(e.b.x) << "\" y2=\"" << Y(e.b.y)
           << "\" stroke=\"" << (closed ? "#d00" : "#2a2") << "\" stroke-width=\"4\" stroke-dasharray=\"" << (closed ? "3,2" : "none") << "\"/>\n"
           << "<text x=\"" << X((e.a.x + e.b.x) / 2) << "\" y=\"" << Y((e.a.y + e.b.y) / 2) << "\" font-size=\"11\" fill=\"" << (closed ? "#d00" : "#2a2")
           << "\" dx=\"4\" dy=\"-4\">" << html(e.id) << "</text>\n";
    }
    for (const HazardMarkerData& m : markers) {
        if (!m.located || m.level != level) continue;
        os << "<g><title>" << html(m.id + " " + m.title + " (" + (m.major ? "major" : "general") + ", " + m.status +
                                   (m.deadline.empty() ? "" : ", due " + m.deadline) + (m.overdue ? ", OVERDUE" : "") + ")")
           << "</title><circle cx=\"" << X(m.x) << "\" cy=\"" << Y(m.y) << "\" r=\"8\" fill=\"" << (m.major ? "#d00" : "#f90")
           << "\" stroke=\"" << (m.overdue ? "#000" : "#fff") << "\" stroke-width=\"" << (m.overdue ? 3 : 1) << "\"/>"
           << "<text x=\"" << X(m.x) << "\" y=\"" << Y(m.y) << "\" font-size=\"11\" font-weight=\"bold\" dx=\"10\" dy=\"4\">" << html(m.id)
           << (m.overdue ? " !" : "") << "</text></g>\n";
    }
    os << "</svg>\n";
    return os.str();
}

}  // namespace

Scenario forecastScenario(const Scenario& base, const std::vector<Hazard>& hazards,
                          const std::string& source) {
    Scenario s = applyHazardEffects(base, hazards);
    if (source.empty() || !s.gas) {
        s.gas.reset();
        return s;
    }
    GasSpec& g = *s.gas;
    std::vector<GasSourceSpec> kept;
    for (const GasSourceSpec& src : g.sources)
        if (src.id == source) kept.push_back(src);
    // The leak is under way now: it runs from the start, and the alarm has already sounded.
    for (GasSourceSpec& src : kept) {
        const double length = src.stop - src.start;
        src.start = 0.0;
        if (std::isfinite(length)) src.stop = length;
    }
    g.sources = kept;
    g.alarm_starts_evacuation = false;
    return s;
}

ForecastResult runForecast(const Scenario& base, const std::vector<Hazard>& open,
                           const live::LiveState* live, const ForecastOptions& o) {
    ForecastResult r;
    r.scenario = base.name;
    r.file = base.file;
    r.now = o.now.empty() ? utcNow() : o.now;
    for (const Hazard& h : open) (parseHazardEffects(h.effect, "hazard " + h.id).empty() ? r.without_effect : r.applied).push_back(h);

    // Sensors: alarming detectors start a gas run; anything not good is listed, never assumed safe.
    std::vector<const live::SensorState*> alarming;
    if (live) {
        for (const live::SensorState& s : live->sensors)
            if (s.quality != live::Quality::Good) r.not_good.push_back(s.id + " (" + live::toString(s.quality) + ")");
        for (const live::SensorState* s : live->alarming())
            if (s->kind == "gas" || s->kind.empty()) {
                alarming.push_back(s);
                r.alarming.push_back(s->id);
            }
    }
    if (alarming.empty()) {
        r.gas_note = live ? "no gas detector in alarm: no leak assumed" : "no live state given: no leak assumed";
    } else if (!base.gas || base.gas->sources.empty()) {
        r.gas_note = "a detector alarms but the scenario has no gas section with candidate sources: no gas run";
    } else {
        // The candidate source nearest the alarming detectors (their centroid; another level
        // counts as 1 km further).
        Vec2 c;
        for (const live::SensorState* s : alarming) c += Vec2{s->x, s->y};
        c = c / double(alarming.size());
        const std::string level = alarming.front()->level;
        double best = 1e300;
        for (const GasSourceSpec& src : base.gas->sources) {
            if (!base.hazard_gas_sources.empty() &&
                std::find(base.hazard_gas_sources.begin(), base.hazard_gas_sources.end(), src.id) == base.hazard_gas_sources.end())
                continue;
            const double d = norm(src.at - c) + (level.empty() || src.level_id == level ? 0.0 : 1000.0);
            if (d < best) {
                best = d;
                r.gas_source = src.id;
            }
        }
        r.gas_note = "detector(s) in alarm; leak assumed at candidate source '" + r.gas_source + "', the nearest to them";
    }

    // The runs: now, and for the ranking each hazard with an effect rectified.
    const Scenario now = forecastScenario(base, r.applied, r.gas_source);
    std::vector<Scenario> rectified;
    if (o.impact)
        for (size_t k = 0; k < r.applied.size(); ++k) {
            std::vector<Hazard> others = r.applied;
            others.erase(others.begin() + long(k));
            rectified.push_back(forecastScenario(base, others, r.gas_source));
        }
    std::vector<const Scenario*> jobs;
    std::vector<uint64_t> seeds;
    for (size_t c = 0; c <= rectified.size(); ++c)
        for (int s = 0; s < o.seeds; ++s) {
            jobs.push_back(c == 0 ? &now : &rectified[c - 1]);
            seeds.push_back(base.seed + uint64_t(s));
        }
    const std::vector<ForecastRun> all = runJobs(jobs, seeds, o.jobs);
    for (const ForecastRun& run : all) {
        r.simulated_s += run.simulated_s;
        r.wall_s += run.wall_s;
        if (!run.error.empty()) throw std::runtime_error("forecast run (seed " + std::to_string(run.seed) + ") failed: " + run.error);
    }
    r.runs.assign(all.begin(), all.begin() + o.seeds);

    // Evacuation time now, exits to use and routes to avoid.
    std::vector<double> times;
    std::vector<double> exitMean(now.scene.exits.size(), 0.0);
    double people = 0;
    std::set<std::string> gasExits;
    for (const ForecastRun& run : r.runs) {
        times.push_back(timeOf(run));
        r.worst = std::max(r.worst, timeOf(run));
        r.mean_trapped += double(run.trapped) / double(r.runs.size());
        for (size_t e = 0; e < run.exit_counts.size() && e < exitMean.size(); ++e) {
            exitMean[e] += double(run.exit_counts[e]) / double(r.runs.size());
            people += double(run.exit_counts[e]) / double(r.runs.size());
        }
        gasExits.insert(run.gas_exits.begin(), run.gas_exits.end());
    }
    r.evacuation = bootstrap(times, [](const std::vector<double>& x) { return mean(x); }, o.bootstrap);
    for (size_t e = 0; e < now.scene.exits.size(); ++e) {
        if (exitMean[e] <= 0) continue;
        r.exits.push_back({now.scene.exits[e].id, now.scene.exits[e].level_id, exitMean[e], people > 0 ? exitMean[e] / people : 0});
    }
    std::stable_sort(r.exits.begin(), r.exits.end(), [](const ExitAdvice& a, const ExitAdvice& b) { return a.mean_count > b.mean_count; });
    for (const Hazard& h : r.applied)
        for (const HazardEffect& e : parseHazardEffects(h.effect, h.id)) {
            const std::string why = "hazard " + h.id + ": " + h.title;
            switch (e.kind) {
                case HazardEffect::Kind::CloseDoor: r.avoid.push_back({"door", e.target, why}); break;
                case HazardEffect::Kind::CloseExit: r.avoid.push_back({"exit", e.target, why}); break;
                case HazardEffect::Kind::Block:
                    r.avoid.push_back({"area", e.target + " x " + fmt(e.min.x) + ".." + fmt(e.max.x) + " m, y " + fmt(e.min.y) + ".." + fmt(e.max.y) + " m (blocked)", why});
                    break;
                case HazardEffect::Kind::Slow:
                    r.avoid.push_back({"area", (e.rect ? e.target + " x " + fmt(e.min.x) + ".." + fmt(e.max.x) + " m, y " + fmt(e.min.y) + ".." + fmt(e.max.y) + " m" : e.target) +
                                                   " (slow, x" + fmt(e.factor, 2) + ")", why});
                    break;
                case HazardEffect::Kind::DisableDetector: break;  // no route, but no alarm from it
            }
        }
    for (const std::string& x : gasExits) r.avoid.push_back({"exit", x, "the gas reaches the tenability limit there"});

    // The ranking: now minus rectified, seed by seed (the same seeds remove the shared noise).
    for (size_t k = 0; k < rectified.size(); ++k) {
        HazardImpact hi;
        hi.hazard = r.applied[k];
        hi.seeds = o.seeds;
        std::vector<double> fixed;
        for (int s = 0; s < o.seeds; ++s) {
            const ForecastRun& run = all[(k + 1) * size_t(o.seeds) + size_t(s)];
            fixed.push_back(timeOf(run));
            hi.trapped += double(r.runs[size_t(s)].trapped - run.trapped) / o.seeds;
        }
        hi.added = bootstrapDifference(fixed, times, [](const std::vector<double>& x) { return mean(x); }, true, o.bootstrap);
        hi.clear = hi.added.excludesZero() || hi.trapped >= 0.5;
        r.impacts.push_back(hi);
    }
    std::stable_sort(r.impacts.begin(), r.impacts.end(), [](const HazardImpact& a, const HazardImpact& b) {
        const double ta = std::round(a.trapped), tb = std::round(b.trapped);
        if (ta != tb) return ta > tb;
        return a.added.value > b.added.value;
    });
    for (size_t k = 0; k < r.impacts.size(); ++k) r.impacts[k].rank = int(k) + 1;

    // Markers on the plans: every open hazard, where it is, with its cost.
    r.scene = std::make_shared<const Scene>(now.scene);
    for (const Hazard& h : open) {
        HazardMarkerData m = hazardMarker(base.scene, h, isOverdue(h, r.now));
        for (const HazardImpact& i : r.impacts)
            if (i.hazard.id == h.id) {
                m.evacuation_cost_s = i.added.value;
                m.trapped = int(std::lround(i.trapped));
            }
        r.markers.push_back(m);
    }
    return r;
}

// Output -----------------------------------------------------------------------------------------

nlohmann::ordered_json toJson(const ForecastResult& r) {
    using json = nlohmann::ordered_json;
    json j;
    j["scenario"] = r.scenario;
    j["file"] = r.file;
    j["now"] = r.now;
    j["evacuation_time_s"] = {{"mean", r.evacuation.value}, {"lo", r.evacuation.lo}, {"hi", r.evacuation.hi}, {"worst", r.worst}};
    j["mean_trapped"] = r.mean_trapped;
    j["seeds"] = r.runs.size();
    j["speedup"] = r.wall_s > 0 ? r.simulated_s / r.wall_s : 0.0;
    json ex = json::array();
    for (const ExitAdvice& e : r.exits) ex.push_back({{"id", e.id}, {"level", e.level}, {"mean_count", e.mean_count}, {"share", e.share}});
    j["exits_to_use"] = ex;
    json av = json::array();
    for (const RouteToAvoid& a : r.avoid) av.push_back({{"what", a.what}, {"id", a.id}, {"why", a.why}});
    j["routes_to_avoid"] = av;
    json hz = json::array();
    for (const Hazard& h : r.applied) hz.push_back({{"id", h.id}, {"title", h.title}, {"level", h.level}, {"status", h.status}, {"effect", h.effect}});
    j["hazards_applied"] = hz;
    json no = json::array();
    for (const Hazard& h : r.without_effect) no.push_back(h.id);
    j["hazards_without_effect"] = no;
    j["gas"] = {{"source", r.gas_source.empty() ? json(nullptr) : json(r.gas_source)}, {"note", r.gas_note}, {"alarming", r.alarming}};
    j["sensors_not_good"] = r.not_good;
    json runs = json::array();
    for (const ForecastRun& run : r.runs)
        runs.push_back({{"seed", run.seed}, {"evacuation_time_s", std::isfinite(run.evacuation_time) ? json(run.evacuation_time) : json(nullptr)},
                        {"agents", run.agents}, {"evacuated", run.evacuated}, {"trapped", run.trapped}, {"wall_s", run.wall_s}});
    j["runs"] = runs;
    json im = json::array();
    for (const HazardImpact& i : r.impacts)
        im.push_back({{"rank", i.rank}, {"id", i.hazard.id}, {"title", i.hazard.title}, {"level", i.hazard.level},
                      {"effect", i.hazard.effect}, {"added_s", i.added.value}, {"lo_s", i.added.lo}, {"hi_s", i.added.hi},
                      {"trapped", i.trapped}, {"seeds", i.seeds}, {"clear", i.clear}});
    j["impact"] = im;
    return j;
}

std::string summaryText(const ForecastResult& r) {
    std::ostringstream os;
    os << "forecast for " << r.scenario << " at " << r.now << " (" << r.runs.size() << " seeds, "
       << fmt(r.wall_s > 0 ? r.simulated_s / r.wall_s : 0.0, 0) << "x faster than real time)\n";
    os << "evacuation time: " << fmt(r.evacuation.value) << " s (95 % CI " << fmt(r.evacuation.lo) << " to "
       << fmt(r.evacuation.hi) << " s; worst " << fmt(r.worst) << " s)\n";
    if (r.mean_trapped > 0) os << "WARNING: " << fmt(r.mean_trapped) << " people per run cannot get out\n";
    os << "open hazards in the run: " << r.applied.size();
    for (const Hazard& h : r.applied) os << (&h == &r.applied.front() ? " (" : ", ") << h.id;
    os << (r.applied.empty() ? "" : ")") << "; without effect: " << r.without_effect.size() << "\n";
    os << "gas: " << r.gas_note << "\n";
    if (!r.not_good.empty()) {
        os << "sensors not good (unknown, never assumed safe):";
        for (const std::string& s : r.not_good) os << " " << s;
        os << "\n";
    }
    os << "exits to use:\n";
    for (const ExitAdvice& e : r.exits) os << "  " << e.id << " (" << e.level << "): " << fmt(100 * e.share, 0) << " % of people\n";
    os << "routes to avoid:" << (r.avoid.empty() ? " none\n" : "\n");
    for (const RouteToAvoid& a : r.avoid) os << "  " << a.what << " " << a.id << ": " << a.why << "\n";
    if (!r.impacts.empty()) {
        os << "hazard impact (evacuation time now minus with it rectified):\n";
        for (const HazardImpact& i : r.impacts) {
            os << "  " << i.rank << ". " << i.hazard.id << " " << (i.hazard.level == "major" ? "[major] " : "") << i.hazard.title << ": ";
            if (i.trapped >= 0.5) os << fmt(i.trapped) << " people trapped; ";
            os << (i.added.value >= 0 ? "+" : "") << fmt(i.added.value) << " s (95 % CI " << fmt(i.added.lo) << " to " << fmt(i.added.hi)
               << " s)" << (i.clear ? "" : ", no clear difference") << "\n";
        }
    }
    return os.str();
}

std::string reportHtml(const ForecastResult& r) {
    std::ostringstream os;
    os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Forecast: " << html(r.scenario)
       << "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
          "td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left}th{background:#eee}.major{color:#b00;font-weight:bold}"
          ".bar{background:#d55;height:.8em;display:inline-block}.warn{color:#b00;font-weight:bold}</style></head><body>\n";
    os << "<h1>Evacuation forecast: " << html(r.scenario) << "</h1>\n<p>At " << html(r.now) << ", " << r.runs.size()
       << " seeds, " << fmt(r.wall_s > 0 ? r.simulated_s / r.wall_s : 0.0, 0) << "&times; faster than real time.</p>\n";
    os << "<p><b>Evacuation time " << fmt(r.evacuation.value) << " s</b> (95 % CI " << fmt(r.evacuation.lo) << " to "
       << fmt(r.evacuation.hi) << " s; worst " << fmt(r.worst) << " s).</p>\n";
    if (r.mean_trapped > 0) os << "<p class=\"warn\">" << fmt(r.mean_trapped) << " people per run cannot get out.</p>\n";
    os << "<p>Gas: " << html(r.gas_note) << "</p>\n";
    if (!r.not_good.empty()) {
        os << "<p class=\"warn\">Sensors not good (unknown, never assumed safe):";
        for (const std::string& s : r.not_good) os << " " << html(s);
        os << "</p>\n";
    }
    os << "<h2>Exits to use</h2>\n<table><tr><th>exit</th><th>level</th><th>people per run</th><th>share</th></tr>\n";
    for (const ExitAdvice& e : r.exits)
        os << "<tr><td>" << html(e.id) << "</td><td>" << html(e.level) << "</td><td>" << fmt(e.mean_count) << "</td><td>"
           << fmt(100 * e.share, 0) << " %</td></tr>\n";
    os << "</table>\n<h2>Routes to avoid</h2>\n<table><tr><th>what</th><th>where</th><th>why</th></tr>\n";
    for (const RouteToAvoid& a : r.avoid)
        os << "<tr><td>" << html(a.what) << "</td><td>" << html(a.id) << "</td><td>" << html(a.why) << "</td></tr>\n";
    os << "</table>\n";
    if (r.scene) {
        os << "<h2>Open hazards on the plans</h2>\n<p>Red: major, orange: general; a black ring and '!' mark an overdue "
              "hazard; red doors and dashed red exits are closed by a hazard; grey: obstacles (blocked routes included).</p>\n";
        for (size_t l = 0; l < r.scene->levels.size(); ++l) os << planSvg(*r.scene, int(l), r.markers);
        int unplaced = 0;
        for (const HazardMarkerData& m : r.markers) unplaced += !m.located;
        if (unplaced) os << "<p>" << unplaced << " open hazard(s) name no place in this scene.</p>\n";
    }
    if (!r.impacts.empty()) {
        double top = 1e-9;
        for (const HazardImpact& i : r.impacts) top = std::max(top, std::fabs(i.added.value));
        os << "<h2>What each open hazard costs</h2>\n<p>Evacuation time now minus with the hazard rectified (the others "
              "left as they are), the same "
           << r.impacts.front().seeds
           << " seeds each, 95 % percentile-bootstrap interval. Rectify from the top.</p>\n"
              "<table><tr><th>rank</th><th>hazard</th><th>level</th><th>status</th><th>deadline</th><th>effect</th>"
              "<th>seconds added</th><th>95 % CI</th><th>trapped</th><th></th></tr>\n";
        for (const HazardImpact& i : r.impacts) {
            const Hazard& h = i.hazard;
            os << "<tr><td>" << i.rank << "</td><td>" << html(h.id) << " " << html(h.title) << "</td><td"
               << (h.level == "major" ? " class=\"major\"" : "") << ">" << html(h.level) << "</td><td>" << html(h.status)
               << (h.overdue ? " <span class=\"warn\">overdue</span>" : "") << "</td><td>" << html(h.deadline) << "</td><td>"
               << html(h.effect) << "</td><td>" << (i.added.value >= 0 ? "+" : "") << fmt(i.added.value) << "</td><td>"
               << fmt(i.added.lo) << " to " << fmt(i.added.hi) << (i.clear ? "" : " (no clear difference)") << "</td><td>"
               << (i.trapped >= 0.5 ? fmt(i.trapped) : "0") << "</td><td><span class=\"bar\" style=\"width:"
               << fmt(std::max(0.0, 12.0 * i.added.value / top), 2) << "em\"></span></td></tr>\n";
        }
        os << "</table>\n";
    }
    os << "</body></html>\n";
    return os.str();
}

std::vector<HazardImpactRecord> impactRecords(const ForecastResult& r) {
    std::vector<HazardImpactRecord> out;
    for (const HazardImpact& i : r.impacts)
        out.push_back({i.hazard.id, i.added.value, i.added.lo, i.added.hi, i.seeds, int(std::lround(i.trapped)), r.file, r.now});
    return out;
}

}  // namespace safetwin
