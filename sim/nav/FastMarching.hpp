// Route fields: first-arrival "walking cost" to an exit over all layers of a NavGrid,
// from the eikonal equation |grad T| = F solved by fast marching (Sethian 1996, first-order
// upwind scheme). Unlike breadth-first distances on a 4- or 8-neighbour graph, its error does
// not depend on the direction, so routes run straight across open floors.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/nav/NavGrid.hpp"

namespace safetwin {

struct RouteCostOptions {
    /// Extra cost near walls keeps routes off walls and corners (as floor fields in JuPedSim
    /// do): F = 1 + wall_penalty * max(0, 1 - d / wall_range), d the wall distance.
    double wall_penalty = 0.5;   // [Limit: >= 0] [Default: 0.5]
    double wall_range = 0.5;     // [Limit: > 0] [Units: m] [Default: 0.5]
    /// Cost of a plan metre on a stair relative to a level floor: the slope length per plan
    /// metre times the ratio of level to stair walking speed (1.34 / 0.65, Weidmann 1993's mean
    /// of up and down stair speeds).
    double stair_speed_ratio = 1.34 / 0.65;
    /// Cells closer than this to a wall are not routed through: a gap narrower than about
    /// twice this is closed to routes (a person does not squeeze through a 0.4 m slot).
    /// [Limit: >= 0] [Units: m] [Default: 0.15]
    double clearance = 0.15;
};

/// Slowness F per global node (1 on open level floor); +inf where not walkable.
std::vector<float> routeSlowness(const NavGrid& grid, const RouteCostOptions& options);

struct RouteField {
    static constexpr float kUnreachable = std::numeric_limits<float>::infinity();
    std::vector<float> cost;     // (nodes) walking cost to the exit, in level-floor metres
    std::vector<float> dir_x;    // (nodes) unit direction of steepest descent
    std::vector<float> dir_y;    // (nodes)
    /// (nodes x 4) sampleDirection's table, per cell of every layer: the direction of the node
    /// that owns the cell (itself or its redirect) and weight 1, or all 0 where the bilinear
    /// sampling skips the cell (solid or no route). Built once per field, so that each person's
    /// lookup every step is four loads without branches.
    std::vector<float> cell_dir;
};

/// Fast marching from the cells of `exit` (seeded with their distance to the exit segment).
/// Returns an all-unreachable field when the exit is closed.
RouteField computeRouteField(const NavGrid& grid, const std::vector<float>& slowness, int exit);

/// Bilinear lookups at plan point p on layer l (cells without a finite cost are skipped).
/// Where none of the four surrounding cells has a cost (a person pressed against a wall, in a
/// cell too close to it to be routed through), the best cell within two cells is used.
float sampleCost(const NavGrid& grid, const RouteField& field, int layer, Vec2 p);
Vec2 sampleDirection(const NavGrid& grid, const RouteField& field, int layer, Vec2 p);

}  // namespace safetwin
