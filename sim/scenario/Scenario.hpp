// A scenario: the scene, who is in it, how they choose exits, what happens when, and how
// long and how finely to simulate. Filled by ScenarioYaml.cpp; used by the runner.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "scenes/Scene.hpp"
#include "sim/scenario/Distribution.hpp"
#include "sim/scenario/GasSpec.hpp"
#include "sim/scenario/Profile.hpp"
#include "sim/scenario/SensorSpec.hpp"

namespace safetwin {

enum class ExitChoice { Nearest, Quickest, Assigned };

struct Population {
    std::string name;
    int count = 0;                    // [Limit: >= 1]
    // Where: a named space, or a polygon on a level.
    std::string space;                // space id, or ""
    std::string level_id;             // with polygon
    Polygon polygon;                  // with level_id
    std::vector<Vec2> positions;      // explicit start points (count = their number), optional
    Profile profile;                  // built-in or custom
    Distribution premovement = Distribution::fixed(0.0);  // [Units: s]
    ExitChoice exit_choice = ExitChoice::Nearest;
    std::string exit;                 // for Assigned
    SourceRef where;
};

struct Event {
    enum class Action { CloseDoor, OpenDoor };
    double time = 0.0;                // [Units: s]
    Action action = Action::CloseDoor;
    std::string target;               // door id
    SourceRef where;
};

/// An area where people walk slower than their free speed, e.g. a corridor whose emergency
/// lighting has failed (set from hazard effects, live/forecast/HazardScene.hpp).
struct SpeedZone {
    std::string id;
    std::string level_id;
    Polygon polygon;
    double factor = 1.0;              // free speed multiplier [Limit: (0, 1]]
};

/// A named camera of the scenario (docs/FORMAT.md "Cameras"): a bookmark in the viewer, a stop
/// of its tour, and a `--camera` for `render` and `view`. Heights are absolute here (the
/// reader adds the floor elevation of the `level` the file gives them on).
struct CameraSpec {
    std::string name;
    std::array<double, 3> eye{};      // [Units: m]
    std::array<double, 3> look_at{};  // [Units: m]
    double fov = 45.0;                // vertical field of view, perspective [Limit: [10, 120]] [Units: deg]
    bool orthographic = false;
    double height = 0.0;              // visible height, orthographic [Limit: (0, 100000]] [Units: m]
    SourceRef where;
};

struct Scenario {
    std::string name;
    std::string file;                 // path it was read from ("" if built in code)
    Scene scene;
    std::vector<Population> populations;
    std::vector<Event> events;        // sorted by time
    double duration = 600.0;          // [Limit: (0, 86400]] [Units: s]
    double time_step = 0.05;          // [Limit: [0.005, 0.1]] [Units: s]
    double cell_size = 0.2;           // navigation grid [Limit: [0.05, 0.2]] [Units: m]
    uint64_t seed = 1;
    double record_interval = 1.0;     // agents-remaining series [Units: s]
    double trajectory_rate = 2.0;     // frames per second for --trajectories [Units: 1/s]
    std::optional<GasSpec> gas;       // a gas release (docs/FORMAT.md "Gas"), if any
    std::vector<SensorSpec> sensors;  // live sensors (docs/FORMAT.md "Sensors")
    // The `hazards:` section (docs/FORMAT.md "Hazard register"): the site's register file,
    // resolved against the scenario's folder ("" none), and the gas sources a live forecast
    // may start a leak from when a detector alarms (ids in gas.sources; empty = all of them).
    std::string hazard_register;
    std::vector<std::string> hazard_gas_sources;
    std::vector<SpeedZone> speed_zones;  // none from the file; hazard effects add them
    std::vector<CameraSpec> cameras;     // named views, in file order
};

}  // namespace safetwin
