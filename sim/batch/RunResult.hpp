// One finished run of a batch or a comparison: what was run (scenario, variant, parameters,
// seed) and what came out (evacuation time, exits, agents remaining over time, density), or the
// error that stopped it. Round-trips through JSON (result files, MPI messages).
//
// [SECTION] RunSpec     what to run
// [SECTION] RunResult   what came out
// [SECTION] Running     runOne(): one run with a density recorder; runAll(): J worker threads
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/batch/DensityRecorder.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

// [SECTION] RunSpec ----------------------------------------------------------------------------

struct RunSpec {
    size_t index = 0;           // position in the batch (results are merged in this order)
    std::string key;            // unique, file-name safe; names the run's result file
    std::string scenario_file;  // as given (manifest or command line)
    std::string variant = "base";
    std::vector<std::pair<std::string, std::string>> parameters;  // path, value as written
    uint64_t seed = 1;
};

// [SECTION] RunResult --------------------------------------------------------------------------

struct ExitCount {
    std::string id;
    int count = 0;
};

struct RunResult {
    RunSpec spec;
    std::string scenario;  // the scenario's name
    bool ok = false;
    std::string error;  // why it failed (ok == false)
    int agents = 0, evacuated = 0;
    bool complete = false;  // everyone left
    double evacuation_time =
        std::numeric_limits<double>::quiet_NaN();  // last exit [s]; NaN if nobody left
    double simulated_time = 0.0;                   // [s]
    std::vector<ExitCount> exits;
    double remaining_interval = 1.0;  // [s]
    std::vector<int> remaining;       // agents remaining, one sample per interval from t = 0
    DensitySummary density;
    bool gas = false;           // the scenario releases gas (then the two counts below)
    int gas_exposed = 0;        // people who breathed any of it
    int gas_incapacitated = 0;  // people incapacitated by it
    double wall_s = 0.0;        // run time [s] (not part of merged results: not reproducible)
};

/// Full record (run files and MPI messages); `maps` includes the density maps.
nlohmann::json toJson(const RunResult& r, bool maps = true);
/// Inverse of toJson; throws std::runtime_error (naming `what`) on a malformed record.
RunResult runResultFromJson(const nlohmann::json& j, const std::string& what);

// [SECTION] Running ----------------------------------------------------------------------------

/// Runs `scenario` with `seed` to the end, recording density; never throws: an error becomes
/// a failed result. Uses the OpenMP threads of the calling thread.
RunResult runOne(const Scenario& scenario, const RunSpec& spec, const DensityOptions& density = {});

/// Runs jobs on `threads` worker threads (each with one OpenMP thread), taking the next job as
/// a worker becomes free. `scenarioOf(job)` gives the job's scenario (built beforehand: not
/// called from the workers). `done` is called under a lock, in completion order. If `done`
/// throws, no new job starts and the exception is rethrown after the running ones end.
void runAll(const std::vector<RunSpec>& jobs, const std::vector<const Scenario*>& scenarios,
            int threads, const std::function<void(const RunResult&)>& done,
            const DensityOptions& density = {});

}  // namespace safetwin
