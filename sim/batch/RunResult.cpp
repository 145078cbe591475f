#include "sim/batch/RunResult.hpp"

#include <omp.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "sim/gas/GasCoupling.hpp"
#include "sim/run/Simulation.hpp"

namespace safetwin {

namespace {

using json = nlohmann::json;

double round6(double v) {
    return std::round(v * 1e6) / 1e6;
}
json number(double v) {
    return std::isfinite(v) ? json(round6(v)) : json(nullptr);
}
double numberOf(const json& j) {
    return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

}  // namespace

json toJson(const RunResult& r, bool maps) {
    json params = json::object();
    for (const auto& [k, v] : r.spec.parameters) params[k] = v;
    json j = {{"index", r.spec.index},
              {"key", r.spec.key},
              {"scenario_file", r.spec.scenario_file},
              {"scenario", r.scenario},
              {"variant", r.spec.variant},
              {"parameters", params},
              {"seed", r.spec.seed},
              {"status", r.ok ? "ok" : "failed"}};
    if (!r.ok) {
        j["error"] = r.error;
        return j;
    }
    j["agents"] = r.agents;
    j["evacuated"] = r.evacuated;
    j["complete"] = r.complete;
    j["evacuation_time_s"] = number(r.evacuation_time);
    j["simulated_time_s"] = number(r.simulated_time);
    json exits = json::array();
    for (const ExitCount& e : r.exits) exits.push_back({{"id", e.id}, {"count", e.count}});
    j["exits"] = exits;
    j["remaining"] = {{"interval_s", r.remaining_interval}, {"count", r.remaining}};
    const DensitySummary& d = r.density;
    json density = {{"los_e_s", number(d.los_e_s)},
                    {"los_f_s", number(d.los_f_s)},
                    {"los_e_area_m2s", number(d.los_e_area_s)},
                    {"peak_per_m2", number(d.peak)},
                    {"peak_level", d.peak_level},
                    {"peak_x", number(d.peak_at.x)},
                    {"peak_y", number(d.peak_at.y)},
                    {"peak_time_s", number(d.peak_time)}};
    if (maps) {
        json ms = json::array();
        for (const DensityMap& m : d.maps) {
            json peak = json::array();
            for (float v : m.peak) peak.push_back(std::round(double(v) * 100.0) / 100.0);
            ms.push_back({{"level", m.level},
                          {"x0", m.origin.x},
                          {"y0", m.origin.y},
                          {"cell", m.cell},
                          {"nx", m.nx},
                          {"ny", m.ny},
                          {"peak", peak}});
        }
        density["maps"] = ms;
    }
    j["density"] = density;
    j["gas"] = r.gas ? json{{"exposed", r.gas_exposed}, {"incapacitated", r.gas_incapacitated}}
                     : json(nullptr);
    j["wall_s"] = std::round(r.wall_s * 1000.0) / 1000.0;
    return j;
}

RunResult runResultFromJson(const json& j, const std::string& what) {
    try {
        RunResult r;
        r.spec.index = j.at("index").get<size_t>();
        r.spec.key = j.at("key").get<std::string>();
        r.spec.scenario_file = j.at("scenario_file").get<std::string>();
        r.scenario = j.at("scenario").get<std::string>();
        r.spec.variant = j.at("variant").get<std::string>();
        for (const auto& [k, v] : j.at("parameters").items())
            r.spec.parameters.push_back({k, v.get<std::string>()});
        r.spec.seed = j.at("seed").get<uint64_t>();
        r.ok = j.at("status").get<std::string>() == "ok";
        if (!r.ok) {
            r.error = j.at("error").get<std::string>();
            return r;
        }
        r.agents = j.at("agents").get<int>();
        r.evacuated = j.at("evacuated").get<int>();
        r.complete = j.at("complete").get<bool>();
        r.evacuation_time = numberOf(j.at("evacuation_time_s"));
        r.simulated_time = numberOf(j.at("simulated_time_s"));
        for (const json& e : j.at("exits"))
            r.exits.push_back({e.at("id").get<std::string>(), e.at("count").get<int>()});
        r.remaining_interval = j.at("remaining").at("interval_s").get<double>();
        r.remaining = j.at("remaining").at("count").get<std::vector<int>>();
        const json& d = j.at("density");
        r.density.los_e_s = numberOf(d.at("los_e_s"));
        r.density.los_f_s = numberOf(d.at("los_f_s"));
        r.density.los_e_area_s = numberOf(d.at("los_e_area_m2s"));
        r.density.peak = numberOf(d.at("peak_per_m2"));
        r.density.peak_level = d.at("peak_level").get<std::string>();
        r.density.peak_at = {numberOf(d.at("peak_x")), numberOf(d.at("peak_y"))};
        r.density.peak_time = numberOf(d.at("peak_time_s"));
        if (d.contains("maps"))
            for (const json& m : d.at("maps")) {
                DensityMap map;
                map.level = m.at("level").get<std::string>();
                map.origin = {m.at("x0").get<double>(), m.at("y0").get<double>()};
                map.cell = m.at("cell").get<double>();
                map.nx = m.at("nx").get<int>();
                map.ny = m.at("ny").get<int>();
                map.peak = m.at("peak").get<std::vector<float>>();
                if (map.peak.size() != size_t(map.nx) * size_t(map.ny))
                    throw std::runtime_error("density map size mismatch");
                r.density.maps.push_back(std::move(map));
            }
        if (j.contains("gas") && !j.at("gas").is_null()) {
            r.gas = true;
            r.gas_exposed = j.at("gas").at("exposed").get<int>();
            r.gas_incapacitated = j.at("gas").at("incapacitated").get<int>();
        }
        r.wall_s = j.value("wall_s", 0.0);
        return r;
    } catch (const std::exception& e) {
        throw std::runtime_error(what + ": not a valid run result (" + e.what() + ")");
    }
}

RunResult runOne(const Scenario& scenario, const RunSpec& spec, const DensityOptions& density) {
    RunResult r;
    r.spec = spec;
    r.scenario = scenario.name;
    const auto start = std::chrono::steady_clock::now();
    try {
        SimulationOptions opt;
        opt.seed = spec.seed;
        Simulation sim(scenario, opt);
        DensityRecorder recorder(sim, density);
        recorder.sample(sim);
        while (sim.step()) recorder.sample(sim);
        r.density = recorder.finish(sim);
        r.agents = int(sim.state().size());
        r.evacuated = sim.evacuated();
        r.complete = r.evacuated == r.agents;
        double last = -1.0;
        for (const AgentRecord& a : sim.agents()) last = std::max(last, a.exit_time);
        if (r.evacuated > 0) r.evacuation_time = last;
        r.simulated_time = sim.time();
        for (size_t e = 0; e < sim.exitTallies().size(); ++e)
            r.exits.push_back({scenario.scene.exits[e].id, sim.exitTallies()[e].count});
        r.remaining_interval = scenario.record_interval;
        for (const auto& [t, c] : sim.remainingSeries()) r.remaining.push_back(c);
        if (const GasCoupling* gas = sim.gas()) {
            r.gas = true;
            for (const AgentExposure& e : gas->exposures()) r.gas_exposed += e.peak > 0.0;
            r.gas_incapacitated = gas->incapacitated();
        }
        r.ok = true;
    } catch (const std::exception& e) {
        r.ok = false;
        r.error = e.what();
    }
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

void runAll(const std::vector<RunSpec>& jobs, const std::vector<const Scenario*>& scenarios,
            int threads, const std::function<void(const RunResult&)>& done,
            const DensityOptions& density) {
    if (jobs.size() != scenarios.size()) throw std::logic_error("runAll: one scenario per job");
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex lock;
    std::exception_ptr failure;
    auto worker = [&] {
        omp_set_num_threads(1);  // parallelism comes from the runs, not inside one
        while (!stop) {
            const size_t k = next++;
            if (k >= jobs.size()) return;
            RunResult r = runOne(*scenarios[k], jobs[k], density);
            std::lock_guard<std::mutex> guard(lock);
            if (stop) return;
            try {
                done(r);
            } catch (...) {
                failure = std::current_exception();
                stop = true;
            }
        }
    };
    const int n = std::max(1, std::min<int>(threads, int(jobs.size())));
    std::vector<std::thread> pool;  // the caller's own OpenMP setting is left alone
    for (int t = 0; t < n; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace safetwin
