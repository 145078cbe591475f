// A drill script: the master list of timed injects of an exercise (what exercise practice calls
// the MSEL, the master scenario events list). Each inject has a time, an event, a target and a
// message for the room; the director can fire one early, skip one, or pause the whole list.
// Read from CSV (header `time,event,target,message`, optional columns `value` and `id`) or YAML
// (`injects:` list); format in docs/FORMAT.md "Drill scripts". Plain data, no drawing: the
// LiveRun fires due injects on the simulation thread, so a script replays exactly.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "scenes/Geometry.hpp"
#include "scenes/InputError.hpp"

namespace safetwin {

struct Scenario;

namespace viewer {

enum class InjectEvent { CloseDoor, OpenDoor, StartLeak, SetWind, RaiseAlarm, Message };

/// "close_door" etc.; "" for an unknown event.
const char* injectEventName(InjectEvent e);

struct Inject {
    std::string id;                    // "I1", "I2", ... unless given
    double time = 0.0;                 // [Units: s]
    InjectEvent event = InjectEvent::Message;
    std::string target;                // door id; for a leak "LEVEL:X Y" or "X Y"
    std::string message;               // shown to the room when it fires
    // Parameters parsed from target / value
    std::string level;                 // leak level id ("" = first level)
    Vec2 at;                           // leak point [Units: m]
    double rate = 1.0;                 // leak rate [Units: kg/s]
    double height = 1.0;               // leak height above the floor [Units: m]
    double duration = std::numeric_limits<double>::infinity();  // [Units: s]
    double wind_speed = 0.0;           // [Units: m/s]
    double wind_direction = 0.0;       // where it comes from [Units: deg]
    SourceRef where;
};

enum class InjectState { Pending, Fired, Skipped, Failed };

struct InjectStatus {
    InjectState state = InjectState::Pending;
    double at = -1.0;                  // simulation time it fired or was skipped [Units: s]
    bool early = false;                // fired by hand before its time
    std::string error;                 // why it failed
};

class DrillScript {
public:
    /// By extension: .csv, or .yaml/.yml. Throws InputError naming file:line for bad input.
    static DrillScript load(const std::string& path);
    static DrillScript parseCsv(const std::string& text, const std::string& file);
    static DrillScript parseYaml(const std::string& text, const std::string& file);

    /// Checks door ids, levels and that gas events have a gas section; InputError at the inject.
    void validate(const Scenario& scenario) const;

    const std::vector<Inject>& injects() const { return injects_; }
    const std::vector<InjectStatus>& status() const { return status_; }
    bool paused() const { return paused_; }
    void setPaused(bool p) { paused_ = p; }
    bool empty() const { return injects_.empty(); }

    /// Indices of pending injects due at time t (in list order), none while paused.
    std::vector<size_t> due(double t) const;
    void markFired(size_t i, double t, bool early);
    void markSkipped(size_t i, double t);
    void markFailed(size_t i, double t, const std::string& error);

private:
    void add(Inject in);
    std::vector<Inject> injects_;      // sorted by time (stable)
    std::vector<InjectStatus> status_;
    bool paused_ = false;
};

/// Parses the event name; throws InputError at `where`.
InjectEvent parseInjectEvent(const std::string& name, const SourceRef& where);

}  // namespace viewer
}  // namespace safetwin
