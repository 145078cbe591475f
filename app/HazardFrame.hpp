// The hazard register drawn by the viewer and offscreen renders: the open hazards' markers
// (live/forecast/HazardScene.hpp) as the Frame's HazardMarker list (render/Frame.hpp). Here in
// app/, the one place that sees both layers; header-only, plain data. Feed it from a
// HazardMarkerSource polled a few times a second, so register changes show within a second.
#pragma once

#include <vector>

#include "live/forecast/HazardScene.hpp"
#include "render/Frame.hpp"

namespace safetwin {

/// One HazardMarker per located open hazard (hazards naming no place in the scene are left out).
inline std::vector<render::HazardMarker> hazardFrameMarkers(const std::vector<HazardMarkerData>& markers) {
    std::vector<render::HazardMarker> out;
    for (const HazardMarkerData& m : markers) {
        if (!m.located) continue;
        render::HazardMarker r;
        r.id = m.id;
        r.title = m.title;
        r.owner = m.owner;
        r.status = m.status;
        r.deadline = m.deadline;
        r.major = m.major;
        r.overdue = m.overdue;
        r.x = float(m.x);
        r.y = float(m.y);
        r.z = float(m.z);
        r.evacuation_cost_s = m.evacuation_cost_s;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace safetwin
