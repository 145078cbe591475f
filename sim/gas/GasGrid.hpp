// The gas grid: a box of cubic cells over the scene (cell 0.5-5 m), each solid or air. Cell
// (i, j, k) spans [x0 + i h, x0 + (i+1) h) x ... ; z0 is the ground (lowest floor). Arrays are
// flat with x fastest: c = (k ny + j) nx + i. Voxelisation of the scene model (our own):
//   walls     extruded from their level's elevation to elevation + height; a cell is solid if
//             the wall's band (centre line +- thickness/2) touches its square in plan, so that a
//             wall thinner than a cell is still a closed barrier to face fluxes;
//   doors     open doors cut their wall up to `door_height`; closed doors stay solid; the
//             cells each door's opening would cut are kept (GasGrid::doors) so that a door
//             closed or opened during a run turns them solid or air;
//   obstacles cells whose centre lies in the footprint (and the cell holding a footprint
//             smaller than a cell), up to the obstacle's height: a pipe rack described as a
//             row of posts is porous, a tank described by its outline is closed;
//   slabs     one layer of cells at each upper level's elevation over the plan box of its
//             walls, except stair footprints (the stairwell is open);
//   roof      a ceiling layer at the top of every level with no level above, over its
//             spaces (rooms); open process areas (no spaces) stay open to the sky.
// Side and top boundaries are open (air flows in and out); the ground is closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scenes/Scene.hpp"

namespace safetwin {

/// The cells a door's opening cuts from its wall: air while the door is open, solid while it is
/// closed. Cells that something else (an obstacle, a slab) fills are left out.
struct GasDoorCells {
    int level = 0, door = 0;         // indices into Scene::levels and Level::doors
    std::vector<size_t> cells;
};

struct GasGrid {
    int nx = 0, ny = 0, nz = 0;
    double h = 1.0;                  // cell edge [Units: m]
    double x0 = 0.0, y0 = 0.0, z0 = 0.0;
    std::vector<uint8_t> solid;      // (nz x ny x nx) 1 = solid
    /// Open boundaries: x low, x high, y low, y high, z low, z high (z low is the ground).
    bool open[6] = {true, true, true, true, false, true};
    std::vector<GasDoorCells> doors;  // every door in a wall, open or closed

    GasGrid() = default;
    GasGrid(int nx_, int ny_, int nz_, double h_, double x0_ = 0.0, double y0_ = 0.0, double z0_ = 0.0);
    size_t cells() const { return size_t(nx) * size_t(ny) * size_t(nz); }
    size_t at(int i, int j, int k) const { return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx) + size_t(i); }
    double cx(int i) const { return x0 + (i + 0.5) * h; }
    double cy(int j) const { return y0 + (j + 0.5) * h; }
    double cz(int k) const { return z0 + (k + 0.5) * h; }
    /// Cell holding (x, y, z); false outside the grid.
    bool locate(double x, double y, double z, int& i, int& j, int& k) const;
    void setAllClosed() { for (bool& o : open) o = false; }
    size_t solidCount() const;
    /// The door's cells, or null if it cuts none (not in a wall, or smaller than a cell).
    const GasDoorCells* door(int level, int door) const;
};

struct VoxelOptions {
    double cell = 1.0;               // [Limit: [0.5, 5]] [Units: m] [Default: 1]
    double margin = 10.0;            // free air around the scene's plan box [Limit: [0, 1000]] [Units: m]
    double height_above = 10.0;      // free air above the highest level's top [Limit: [0, 1000]] [Units: m]
    double door_height = 2.1;        // [Units: m]
    bool roof = true;                // ceilings over the spaces of top levels [Default: true]
};

/// Memory a gas run needs for a grid of `cells` cells (concentrations, wind, solver), estimated
/// before anything is allocated. [Units: bytes]
double gasMemoryEstimate(size_t cells);

/// Grid dimensions for the scene, without allocating.
void gasGridDimensions(const Scene& scene, const VoxelOptions& o, int& nx, int& ny, int& nz);

/// Voxelises the scene as described above.
GasGrid voxelizeScene(const Scene& scene, const VoxelOptions& o);

}  // namespace safetwin
