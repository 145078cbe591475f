// From live state to decision: an evacuation forecast from the site as it is now (the open
// hazards' effects applied; a gas leak at the candidate source nearest the alarming detectors,
// when a detector alarms and the scenario names candidate sources), run over several seeds
// faster than real time; and the hazard impact ranking, what each open hazard with an effect
// adds to the evacuation time (now against with that one hazard rectified, paired seeds,
// percentile-bootstrap intervals as in sim/batch/Statistics.hpp).
//
// [SECTION] Options and results
// [SECTION] Running     runForecast()
// [SECTION] Output      JSON, a readable summary, the HTML report
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "live/feed/LiveState.hpp"
#include "live/forecast/HazardScene.hpp"
#include "live/register/HazardRegister.hpp"
#include "sim/batch/Statistics.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

// [SECTION] Options and results ----------------------------------------------------------------

struct ForecastOptions {
    int seeds = 5;            // runs per case [Limit: >= 1] [Default: 5]
    int jobs = 1;             // runs at a time (one thread each) [Limit: >= 1]
    bool impact = false;      // also rank the open hazards by what they cost
    std::string now;          // for overdue flags; "" = now (UTC)
    BootstrapOptions bootstrap;
};

struct ForecastRun {
    uint64_t seed = 0;
    int agents = 0, evacuated = 0, trapped = 0;  // trapped: cannot reach an open exit, or incapacitated
    double evacuation_time = 0;  // last person out [Units: s]; NaN if nobody left
    std::vector<int> exit_counts;  // per scene exit
    std::vector<std::string> gas_exits;  // exits where the gas reached the tenability limit
    int gas_incapacitated = 0;
    double simulated_s = 0, wall_s = 0;
    std::string error;  // a failed run
};

struct ExitAdvice {
    std::string id, level;
    double mean_count = 0, share = 0;  // people per run, and their fraction
};

struct RouteToAvoid {
    std::string what;  // door, exit, area, gas
    std::string id;    // door/exit id, or a description of the area
    std::string why;   // the hazard or the gas
};

struct HazardImpact {
    Hazard hazard;
    Estimate added;          // evacuation time now minus with it rectified [Units: s]
    double trapped = 0;      // mean people who cannot get out unless it is rectified
    int seeds = 0;
    bool clear = false;      // the interval of `added` excludes 0, or it traps people
    int rank = 0;            // 1 = rectifying it buys the most
};

struct ForecastResult {
    std::string scenario, file, now;
    std::vector<Hazard> applied;          // open hazards whose effects are in the runs
    std::vector<Hazard> without_effect;   // open hazards with no effect on a run
    std::vector<std::string> alarming;    // detectors in alarm
    std::vector<std::string> not_good;    // sensors stale, bad or unknown: "id (stale)"
    std::string gas_source;               // the leak source assumed, "" none
    std::string gas_note;                 // why there is (or is not) a gas run
    std::vector<ForecastRun> runs;
    Estimate evacuation;                  // mean over complete... over runs where someone left [s]
    double worst = 0;                     // longest evacuation time [s]
    double mean_trapped = 0;
    std::vector<ExitAdvice> exits;        // open exits by use, most used first
    std::vector<RouteToAvoid> avoid;
    double simulated_s = 0, wall_s = 0;   // summed over all runs (the speed-up is their ratio)
    std::vector<HazardImpact> impacts;    // ranked, with options.impact
    std::shared_ptr<const Scene> scene;   // as the runs saw it (effects applied), for the plans
    std::vector<HazardMarkerData> markers;  // every open hazard, with its cost when ranked
};

// [SECTION] Running ----------------------------------------------------------------------------

/// Runs the forecast of `base` with the register's open hazards (`open`) and the live state
/// (`live` may be null: no sensor is then known). Throws InputError for an effect that names
/// nothing in the scene.
ForecastResult runForecast(const Scenario& base, const std::vector<Hazard>& open,
                           const live::LiveState* live, const ForecastOptions& options);

/// The scenario the forecast runs: effects applied; gas kept only for a leak at `source` (or
/// removed when "" ), starting now, with people alerted now.
Scenario forecastScenario(const Scenario& base, const std::vector<Hazard>& hazards,
                          const std::string& source);

// [SECTION] Output -----------------------------------------------------------------------------

nlohmann::ordered_json toJson(const ForecastResult& r);
std::string summaryText(const ForecastResult& r);
/// One self-contained HTML page: the forecast, plans of each level with the hazard markers
/// (red major, orange general, a black ring and "!" when overdue), and the impact ranking.
std::string reportHtml(const ForecastResult& r);
/// The impact figures as the register stores them.
std::vector<HazardImpactRecord> impactRecords(const ForecastResult& r);

}  // namespace safetwin
