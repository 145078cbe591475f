// What one drawn moment of a run contains: the contract between whatever produces state (a
// live Simulation, a recorded results folder, the live sensor feed) and whatever draws it
// (the offscreen renderer, the viewer). Plain data, no OpenGL, cheap to copy between threads:
// the simulation thread fills a Frame, the window thread only ever reads a finished one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace safetwin::render {

/// How an agent is coloured (legend in the viewer and in renders).
enum class AgentVisual : uint8_t { Waiting, Moving, Out, Exposed, Incapacitated, Trapped };

struct AgentSample {
    uint32_t id = 0;             // agent index in the run
    float x = 0, y = 0, z = 0;   // plan position and floor elevation [Units: m]
    float ex = 1, ey = 0;        // heading (unit)
    float speed = 0;             // [Units: m/s]
    float dose = 0;              // toxic load or FED, 0 without gas
    float radius = 0.2f;         // [Units: m]
    AgentVisual visual = AgentVisual::Waiting;
};

/// A scalar map over one level at breathing height, row-major (iy * nx + ix), cell centres at
/// origin + (i + 0.5) * cell. NaN marks "no data" (solid or outside).
struct LevelMap {
    int level = 0;               // scene level index
    double x0 = 0, y0 = 0, cell = 1;
    int nx = 0, ny = 0;
    std::vector<float> value;
};

/// The 3D gas concentration for threshold surfaces, ppm, index (iz * ny + iy) * nx + ix.
struct GasVolume {
    double x0 = 0, y0 = 0, z0 = 0, cell = 1;
    int nx = 0, ny = 0, nz = 0;
    std::vector<float> ppm;
};

enum class SensorQuality : uint8_t { Good, Bad, Stale, Unknown };
enum class AlarmState : uint8_t { Normal, Warning, Active, Acknowledged, Cleared, Shelved };

struct SensorSample {
    std::string id;
    float x = 0, y = 0, z = 0;
    float value = 0;
    std::string unit;
    SensorQuality quality = SensorQuality::Unknown;  // never drawn as safe unless Good
    AlarmState alarm = AlarmState::Normal;
    double alarm_since = 0;      // when the alarm state was entered, Unix seconds UTC; 0 unknown
};

struct HazardMarker {
    std::string id, title, owner, status, deadline;
    bool major = false;
    bool overdue = false;
    float x = 0, y = 0, z = 0;
    double evacuation_cost_s = -1;  // seconds the hazard adds, -1 unknown
};

struct Frame {
    double time = 0.0;                     // simulation time [Units: s]
    std::vector<AgentSample> agents;       // everyone not out (out agents may be omitted)
    std::vector<std::vector<uint8_t>> door_closed;  // [level][door] as in the Scene, 1 = closed
    // counters for overlays
    int total = 0, out = 0, remaining = 0, exposed = 0, incapacitated = 0;
    // gas, when the run has one
    std::vector<LevelMap> gas_ppm;         // breathing-height concentration per level
    std::shared_ptr<const GasVolume> gas_volume;
    double gas_threshold_ppm = 0;          // threshold surface shown (e.g. AEGL-2), 0 none
    std::string gas_name;
    // detectors, live sensors and the hazard register
    std::vector<SensorSample> sensors;
    std::vector<HazardMarker> hazards;
    // the site's hazard register figures (the big screen), -1 when there is no register
    int hazards_open = -1, hazards_overdue = -1;
    double rectification_rate = -1;        // rectified / all, [0, 1]
};

/// Fruin's level of service for walkways, from the density [persons/m^2]:
/// A < 0.31, B < 0.43, C < 0.72, D < 1.08, E < 2.17, F above (Fruin 1971, "Pedestrian
/// planning and design"; the area module per person 3.3, 2.3, 1.4, 0.9, 0.5 m^2).
/// Returns 0 (A) .. 5 (F).
inline int fruinLevel(double density) {
    static constexpr double kUpper[5] = {0.31, 0.43, 0.72, 1.08, 2.17};
    int l = 0;
    while (l < 5 && density >= kUpper[l]) ++l;
    return l;
}

}  // namespace safetwin::render
