// Walkable grid of a scene: one raster layer per level and per stair flight, all on one plan
// lattice (cell size h, shared origin), so a plan point has the same (i, j) in every layer.
//
// Layers hand agents to each other through "redirect" cells: on a level, the first band of a
// stair's footprint at its entry belongs to the stair; on a stair, the cells beyond its two
// ends belong to the levels. The rest of a footprint is solid on the levels (the space under
// a flight, the slab opening above it). Route fields see one graph across all layers.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "scenes/Scene.hpp"

namespace safetwin {

struct NavOptions {
    double cell = 0.2;           // lattice spacing [Limit: [0.05, 0.2]] [Units: m]
    double margin = 1.0;         // free border around each level's bounds [Units: m]
};

struct NavLayer {
    enum class Kind : uint8_t { Level, Stair };
    Kind kind = Kind::Level;
    int index = -1;              // level or stair index in the scene
    int i0 = 0, j0 = 0;          // offset of cell (0, 0) in the shared lattice
    int nx = 0, ny = 0;
    int node0 = 0;               // first global node index of this layer
    std::vector<uint8_t> solid;  // (ny x nx) 1 where bodies cannot be
    std::vector<int32_t> redirect;   // (ny x nx) global node that owns this cell, or -1
    std::vector<float> wall_dist;    // (ny x nx) distance from cell centre to the nearest solid [m]
    std::vector<int16_t> exit_id;    // (ny x nx) exit whose segment covers the cell, or -1

    int cells() const { return nx * ny; }
    bool inside(int i, int j) const { return i >= 0 && j >= 0 && i < nx && j < ny; }
    int at(int i, int j) const { return j * nx + i; }
};

/// Cells a door's leaf covers on its level (solid while the door is closed).
struct DoorCells {
    int layer = -1;
    std::vector<int> cells;
};

class NavGrid {
public:
    NavGrid(const Scene& scene, const NavOptions& options);

    double cell() const { return h_; }
    Vec2 origin() const { return origin_; }
    const std::vector<NavLayer>& layers() const { return layers_; }
    const NavLayer& layer(int l) const { return layers_[size_t(l)]; }
    int levelLayer(int level) const { return levelLayer_[size_t(level)]; }
    int stairLayer(int stair) const { return stairLayer_[size_t(stair)]; }
    int nodeCount() const { return nodes_; }
    const Scene& scene() const { return *scene_; }

    /// Layer holding global node n, and n's cell within it.
    int layerOfNode(int node) const;

    // Plan point -> lattice index and layer cell.
    int latticeI(double x) const { return lattice(x - origin_.x); }
    int latticeJ(double y) const { return lattice(y - origin_.y); }
    Vec2 cellCentre(const NavLayer& L, int i, int j) const {
        return {origin_.x + (L.i0 + i + 0.5) * h_, origin_.y + (L.j0 + j + 0.5) * h_};
    }
    /// Cell of p in layer l, or -1 outside the layer. (Inline: every person, every step.)
    int cellAt(int l, Vec2 p) const {
        const NavLayer& L = layers_[size_t(l)];
        const int i = latticeI(p.x) - L.i0, j = latticeJ(p.y) - L.j0;
        return L.inside(i, j) ? L.at(i, j) : -1;
    }
    /// True if the cell of p in layer l is free (not solid, inside the layer).
    bool walkable(int l, Vec2 p) const;

    /// Bilinear wall distance at p in layer l (0 outside the layer). [m]
    double wallDistance(int l, Vec2 p) const {
        const NavLayer& L = layers_[size_t(l)];
        const double fx = (p.x - origin_.x) / h_ - 0.5 - L.i0, fy = (p.y - origin_.y) / h_ - 0.5 - L.j0;
        const int i = int(std::floor(fx)), j = int(std::floor(fy));
        const double tx = fx - i, ty = fy - j;
        auto v = [&](int a, int b) { return L.inside(a, b) ? double(L.wall_dist[size_t(L.at(a, b))]) : 0.0; };
        return (v(i, j) * (1 - tx) + v(i + 1, j) * tx) * (1 - ty) + (v(i, j + 1) * (1 - tx) + v(i + 1, j + 1) * tx) * ty;
    }
    /// Unit vector pointing away from the nearest solid (gradient of wallDistance).
    Vec2 wallNormal(int l, Vec2 p) const;

    /// Floor elevation of p on layer l (stairs: linear along the flight). [m]
    double elevation(int l, Vec2 p) const;

    /// Open or close a door: marks its leaf cells solid or free and refreshes the wall
    /// distances of its level. Openings cannot be closed (ignored).
    void setDoorClosed(int level, int door, bool closed);
    /// Changes whenever a layer's wall distances do (a door closed or opened).
    uint64_t wallVersion() const { return wallVersion_; }
    bool doorClosed(int level, int door) const;
    bool exitOpen(int exit) const { return exitOpen_[size_t(exit)] != 0; }
    /// Where people count as out through exit e: the exit's own segment, or for a door exit a
    /// segment 0.5 m past the door's outer wall face.
    std::pair<Vec2, Vec2> exitSegment(int exit) const { return exitSegments_[size_t(exit)]; }

    /// True for a free cell of a level layer that lies outside the building: reached from the
    /// layer's border without crossing a wall, a closed door or an exit. Levels whose walls do
    /// not enclose anything (an open corridor) have no outside.
    bool outside(int layer, int cell) const {
        const auto& o = outside_[size_t(layer)];
        return !o.empty() && o[size_t(cell)] != 0;
    }

private:
    void buildLevel(int level, const NavOptions& options);
    void buildStair(int stair);
    void linkRedirects();
    void markExits();
    void computeWallDistance(NavLayer& L);
    void markOutside(int layer);
    std::vector<uint8_t> floodFromBorder(const NavLayer& L, const std::vector<uint8_t>& barrier) const;

    const Scene* scene_;
    double h_;
    uint64_t wallVersion_ = 0;
    double invH_;  // 1 / h_, rounded
    /// floor(d / h_), exactly: from d * (1 / h), which differs from the quotient by far less
    /// than 1e-9 (a few units in the last place), unless that lies within 1e-9 of an integer,
    /// where the division decides. (Every person's cell, every step: a multiplication is
    /// several times cheaper than a division.)
    int lattice(double d) const {
        const double t = d * invH_;
        const double f = std::floor(t);
        if (t - f > 1e-9 && t - f < 1.0 - 1e-9) return int(f);
        return int(std::floor(d / h_));
    }
    Vec2 origin_;
    std::vector<NavLayer> layers_;
    std::vector<int> levelLayer_, stairLayer_;
    std::vector<std::vector<DoorCells>> doorCells_;   // [level][door]
    std::vector<std::vector<uint8_t>> doorClosed_;     // [level][door]
    std::vector<uint8_t> exitOpen_;                    // [exit]
    std::vector<std::pair<Vec2, Vec2>> exitSegments_;  // [exit]
    std::vector<std::vector<uint8_t>> outside_;        // [layer] (cells), empty if none
    int nodes_ = 0;
};

/// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance
/// Transforms of Sampled Functions"): squared distance, in cells, from each cell centre to the
/// nearest cell with seed[c] != 0. (ny x nx) in, (ny x nx) out.
std::vector<float> squaredDistanceTransform(const std::vector<uint8_t>& seed, int nx, int ny);

}  // namespace safetwin
