// What a user must know about an imported model before running it: levels with their
// walkable area, doors, exits, stairs, spaces, obstacles, the bounding box, import figures and
// warnings (walkable islands with no way out, plus the importer's own). Used by
// `safetwin inspect`, `safetwin bench import` and the import tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenes/Scene.hpp"
#include "scenes/import/ModelImport.hpp"
#include "sim/nav/NavGrid.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

/// A connected walkable region of a level from which no exit can be reached.
struct Island {
    int level = -1;
    Vec2 centre;                 // a walkable cell of it
    double area_m2 = 0.0;
};

struct WalkableSummary {
    std::vector<double> level_area_m2;   // (levels) free cells x cell^2, stairs excluded
    std::vector<Island> islands;         // regions of at least min_island_m2 with no exit
    std::vector<std::vector<uint8_t>> reached;  // [level] (cells of its layer) 1 if an exit can be reached
};

/// Walkable area per level, and the walkable islands (at least `min_island_m2`) from which
/// no open exit is reachable, following stairs between levels. Cells closer than `clearance`
/// to a wall do not connect (as in the route fields: a gap narrower than a body is shut).
WalkableSummary summariseWalkable(const NavGrid& grid, double min_island_m2 = 1.0, double clearance = 0.15);

/// The inspection report as JSON (keys: file, format, levels, doors, exits, stairs, spaces,
/// obstacles, walkable_area_m2, bounding_box, import_s, navgrid_s, peak_memory_kib,
/// warnings). `grid` may be null when the scene could not be resolved (no exit).
nlohmann::ordered_json modelReport(const Scene& scene, const ImportStats& stats, const NavGrid* grid,
                                   const WalkableSummary* walkable, double navgrid_s);

/// One person per space (at the walkable point farthest from walls inside the space), as one
/// population per space named by the space id. Spaces with no walkable floor are listed in
/// `unplaced` with the reason.
std::vector<Population> peopleInSpaces(const Scene& scene, const NavGrid& grid,
                                       std::vector<std::string>* unplaced);

/// One person per space (peopleInSpaces), run to the end (at most `duration` s): how many
/// left and when, and for each person who could not, the space, the level and the reason.
/// JSON keys: people, evacuated, evacuation_time_s, not_placed [..], stuck [{space, name,
/// level, reason}].
nlohmann::ordered_json evacuateSpaces(const Scene& scene, const NavGrid& grid, const WalkableSummary& walkable,
                                      const ImportStats& stats, double duration = 900.0);

}  // namespace safetwin
