// Open hazards on a scene: where each one is (a marker position for the viewer and the reports)
// and what its effect does to a run (doors and exits closed, routes blocked, slow areas,
// detectors out of service). Plain data only, for the viewer's render::HazardMarker.
//
// [SECTION] Markers   hazardMarkers(): position, level, colour-relevant state, cost
// [SECTION] Effects   applyHazardEffects(): a scenario with the hazards' effects in it
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "live/register/HazardRegister.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

// [SECTION] Markers ----------------------------------------------------------------------------

struct HazardMarkerData {
    std::string id, title, owner, status, deadline, domain;
    bool major = false;
    bool overdue = false;
    bool located = false;      // false: the location names nothing in this scene (drawn nowhere)
    int level = -1;            // scene level index
    double x = 0, y = 0, z = 0;  // [Units: m] z = the level's floor elevation
    double evacuation_cost_s = -1;  // seconds it adds (stored impact), -1 unknown
    int trapped = 0;           // people who cannot get out unless it is rectified
    std::string effect;
};

/// Where a hazard is on `scene`: its scene object (door, exit, space, obstacle, stair; by id,
/// or a space by name) or its point. Returns false if neither is found.
bool locateHazard(const Scene& scene, const Hazard& h, int& level, Vec2& at);

/// The marker of one hazard: its fields and where it is in `scene` (located false when the
/// hazard names no place there); no cost (evacuation_cost_s -1).
HazardMarkerData hazardMarker(const Scene& scene, const Hazard& h, bool overdue);

/// Markers for the open hazards of a register (with their stored impact figures).
std::vector<HazardMarkerData> hazardMarkers(const Scene& scene, const HazardRegister& reg,
                                            const std::string& now = "");

/// The open hazards' markers and the site's figures (rectification rate, overdue count) of a
/// register, kept for a viewer: poll() (cheap: one PRAGMA) re-reads them when another process
/// has changed the file, or when the date changed (overdue flags), so a change shows within one
/// polling interval. A register file that does not exist yet gives no markers until it does.
class HazardMarkerSource {
  public:
    HazardMarkerSource(Scene scene, std::string path) : scene_(std::move(scene)), path_(std::move(path)) {}
    /// Re-reads if needed; true when the markers or figures may have changed. `now` as in
    /// HazardFilter ("" = the current UTC time). Throws InputError for a bad register file.
    bool poll(const std::string& now = "");
    const std::vector<HazardMarkerData>& markers() const { return markers_; }
    const HazardStats& stats() const { return stats_; }

  private:
    Scene scene_;
    std::string path_;
    std::unique_ptr<HazardRegister> reg_;
    int64_t version_ = -1;
    std::string day_;
    std::vector<HazardMarkerData> markers_;
    HazardStats stats_;
};

// [SECTION] Effects ----------------------------------------------------------------------------

/// Applies the effects of `hazards` (all of them: pass the open ones) to a copy of `scenario`;
/// a name the scene does not have is an InputError naming the hazard and the close matches.
Scenario applyHazardEffects(const Scenario& scenario, const std::vector<Hazard>& hazards);

/// Hazards with an effect on a run, in the given order.
std::vector<Hazard> withEffect(const std::vector<Hazard>& hazards);

}  // namespace safetwin
