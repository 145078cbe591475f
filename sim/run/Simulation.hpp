// One scenario run: the fixed model (scene, nav grid, traits) and the changing state (agents,
// clock, route fields, counters). step() is a sequence of named stages:
//   events -> pre-movement -> route choice -> desired directions -> movement -> exits -> record
// The viewer and the batch runner drive the same class; time = iteration x dt.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/crowd/Crowd.hpp"
#include "sim/nav/FastMarching.hpp"
#include "sim/nav/NavGrid.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

struct SimulationOptions {
    std::optional<uint64_t> seed;      // overrides the scenario's seed
    CsmParams model;                   // crowd model parameters
    RouteCostOptions route;
    double reroute_interval = 2.0;     // how often exits are re-chosen [Units: s]
    double quickest_hysteresis = 0.15; // switch only for a gain above this fraction
    bool record_trajectories = false;
    double trajectory_rate = 0.0;      // frames per second; 0 = the scenario's
};

/// What happened to one agent.
struct AgentRecord {
    int population = 0;
    double premovement = 0.0;          // [s]
    int exit = -1;                     // exit index it left by, -1 if it did not
    double exit_time = -1.0;           // [s]
    Walker walker;
};

struct Unreachable {
    int agent = 0;
    Vec2 position;
    std::string level;
    double time = 0.0;
};

struct ExitTally {
    int count = 0;
    double first = -1.0, last = -1.0;
};

/// One entry of the run's event log: a scheduled scenario event, or a director action from the
/// viewer's drill panel or drill script, at the simulation time it took effect.
struct LoggedEvent {
    double time = 0.0;                 // [Units: s]
    std::string source;                // "scenario", "director" or "inject <id>"
    std::string action;                // close_door, open_door, start_leak, set_wind, raise_alarm
    std::string target;                // door or source id; "" for the wind and the alarm
    std::string detail;                // parameters, readable ("2 kg/s at (10, 4) m on L0 for 300 s")
};

/// A leak started by the drill director (a continuous source from now on).
struct LeakAction {
    std::string id;                    // source id; "" = leak-N
    std::string level_id;              // "" = the first level
    Vec2 at;                           // plan position [Units: m]
    double height = 1.0;               // above the floor [Units: m]
    double rate = 1.0;                 // [Limit: > 0] [Units: kg/s]
    double duration = std::numeric_limits<double>::infinity();  // [Units: s]
};

class GasCoupling;

class Simulation {
public:
    Simulation(const Scenario& scenario, const SimulationOptions& options = {});
    ~Simulation();

    /// Advance one time step. Returns false once the run is over (everyone out or stuck,
    /// or the duration reached).
    bool step();
    /// Run to the end; `progress(time, fraction_done)` is called now and then.
    void run(const std::function<void(double, double)>& progress = {});

    double time() const { return double(iteration_) * dt_; }
    double dt() const { return dt_; }
    bool finished() const;
    const Scenario& scenario() const { return scenario_; }
    const NavGrid& grid() const { return *grid_; }
    const CrowdState& state() const { return state_; }
    const CrowdTraits& traits() const { return traits_; }
    const std::vector<AgentRecord>& agents() const { return records_; }
    const std::vector<int>& targetExit() const { return target_; }
    const std::vector<ExitTally>& exitTallies() const { return exits_; }
    const std::vector<Unreachable>& unreachable() const { return unreachable_; }
    const CrowdStepStats& crowdStats() const { return crowdStats_; }
    /// The gas release and its coupling (sim/gas/GasCoupling.hpp), or null without `gas:`.
    const GasCoupling* gas() const { return gas_.get(); }
    int evacuated() const { return evacuated_; }
    int remaining() const;
    /// Agents-remaining series, one sample per record interval: (time, remaining).
    const std::vector<std::pair<double, int>>& remainingSeries() const { return remainingSeries_; }

    /// Open or close a door now (as a timed event would); route fields are recomputed.
    void setDoorClosed(const std::string& door, bool closed);

    // Director actions: each takes effect at once (before the next step) and is written to the
    // event log with `source`. Bad targets throw InputError and change nothing.
    void directDoor(const std::string& door, bool closed, const std::string& source = "director");
    /// Needs the scenario's `gas:` section (its gas, grid and wind). Returns the source id.
    std::string directLeak(const LeakAction& leak, const std::string& source = "director");
    /// Wind speed [Units: m/s] and direction it comes from [Units: deg clockwise from north].
    void directWind(double speed, double direction_deg, const std::string& source = "director");
    /// The alarm sounds now: pre-movement counts from it where the scenario waits for an alarm
    /// (gas `alarm_starts_evacuation`); otherwise people were alerted at the start already.
    void directAlarm(const std::string& source = "director");
    /// Scenario events and director actions so far, in the order they took effect.
    const std::vector<LoggedEvent>& eventLog() const { return eventLog_; }
    /// Time the alarm was raised (by the director or a detector), or < 0.
    double alarmTime() const;

    /// summary.json content (see README "Results").
    nlohmann::ordered_json summary() const;
    /// Trajectory CSV (frame,time,id,x,y,z), if recorded.
    const std::string& trajectories() const { return trajectories_; }

private:
    void placePopulations();
    void computeRouteFields();
    void chooseExits(bool force);
    void desiredDirections();
    void detectExits();
    void record();
    void checkReachability();

    Scenario scenario_;
    SimulationOptions options_;
    std::unique_ptr<NavGrid> grid_;
    std::unique_ptr<CrowdModel> model_;
    std::unique_ptr<GasCoupling> gas_;
    std::vector<float> slowness_;
    std::vector<RouteField> fields_;   // (exits)
    CrowdState state_;
    CrowdTraits traits_;
    std::vector<AgentRecord> records_;
    std::vector<int> target_;          // (n) chosen exit, -1 none
    std::vector<int> reached_;         // (n) exit reached this step, -1 none (scratch)
    std::vector<Box2> exitCells_;      // (layers) plan box round a layer's exit cells, grown by a cell
    std::vector<ExitTally> exits_;
    std::vector<Unreachable> unreachable_;
    std::vector<std::pair<double, int>> remainingSeries_;
    CrowdStepStats crowdStats_;
    std::string trajectories_;
    int64_t iteration_ = 0;
    double dt_ = 0.05;
    uint64_t seed_ = 1;
    size_t nextEvent_ = 0;
    int evacuated_ = 0;
    int64_t rerouteEvery_ = 40, recordEvery_ = 20, trajectoryEvery_ = 0;
    int64_t assignedUnavailable_ = 0;
    double lastExitTime_ = 0.0;
    // Speed zones (Scenario::speed_zones): level index per zone, and each agent's drawn free speed.
    std::vector<int> zoneLevel_;       // (zones)
    std::vector<float> freeSpeed_;     // (n)
    void applySpeedZones();
    float zoneFactor(int layer, Vec2 p) const;
    std::vector<LoggedEvent> eventLog_;
    double directorAlarm_ = -1.0;
    int leaks_ = 0;
    bool directed_ = false;            // a director action happened: summary gets "event_log"
};

}  // namespace safetwin
