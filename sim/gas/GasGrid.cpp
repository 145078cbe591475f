#include "sim/gas/GasGrid.hpp"

#include <algorithm>
#include <cmath>

namespace safetwin {

GasGrid::GasGrid(int nx_, int ny_, int nz_, double h_, double x0_, double y0_, double z0_)
    : nx(nx_), ny(ny_), nz(nz_), h(h_), x0(x0_), y0(y0_), z0(z0_), solid(size_t(nx_) * size_t(ny_) * size_t(nz_), 0) {}

bool GasGrid::locate(double x, double y, double z, int& i, int& j, int& k) const {
    i = int(std::floor((x - x0) / h));
    j = int(std::floor((y - y0) / h));
    k = int(std::floor((z - z0) / h));
    return i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz;
}

size_t GasGrid::solidCount() const {
    size_t n = 0;
    for (uint8_t s : solid) n += s;
    return n;
}

const GasDoorCells* GasGrid::door(int level, int d) const {
    for (const GasDoorCells& c : doors)
        if (c.level == level && c.door == d) return &c;
    return nullptr;
}

double gasMemoryEstimate(size_t cells) {
    // solid 1 + two concentration buffers 16 + face velocities 12 + breathing/peak maps and the
    // wind solver's five vectors and face masks (about 48): about 80 bytes a cell.
    return 80.0 * double(cells);
}

namespace {

struct Extent {
    double zmin = 0.0, ztop = 0.0;
    Box2 plan;
};

Extent sceneExtent(const Scene& scene) {
    Extent e;
    e.plan = scene.bounds();
    e.zmin = 1e300;
    e.ztop = -1e300;
    for (const Level& l : scene.levels) {
        e.zmin = std::min(e.zmin, l.elevation);
        double top = l.elevation + l.height;
        for (const Wall& w : l.walls) top = std::max(top, l.elevation + w.height);
        for (const Obstacle& o : l.obstacles) top = std::max(top, l.elevation + o.height);
        e.ztop = std::max(e.ztop, top);
    }
    return e;
}

/// Marks cells of plan square (i, j) solid for z in [zlo, zhi) by cell-centre test.
void fillColumn(GasGrid& g, int i, int j, double zlo, double zhi, uint8_t value = 1) {
    if (i < 0 || j < 0 || i >= g.nx || j >= g.ny) return;
    for (int k = 0; k < g.nz; ++k) {
        const double z = g.cz(k);
        if (z >= zlo && z < zhi) g.solid[g.at(i, j, k)] = value;
    }
}

/// Plan squares touched by the band of half-width r around segment [a, b].
template <class F>
void forBand(const GasGrid& g, Vec2 a, Vec2 b, double r, F&& f) {
    const double lo_x = std::min(a.x, b.x) - r, hi_x = std::max(a.x, b.x) + r;
    const double lo_y = std::min(a.y, b.y) - r, hi_y = std::max(a.y, b.y) + r;
    const int i0 = std::max(0, int(std::floor((lo_x - g.x0) / g.h))), i1 = std::min(g.nx - 1, int(std::floor((hi_x - g.x0) / g.h)));
    const int j0 = std::max(0, int(std::floor((lo_y - g.y0) / g.h))), j1 = std::min(g.ny - 1, int(std::floor((hi_y - g.y0) / g.h)));
    const double half = 0.5 * g.h;
    for (int j = j0; j <= j1; ++j)
        for (int i = i0; i <= i1; ++i) {
            // Distance from the segment to the square: sample the segment finely against the
            // square inflated by r (exact enough at a tenth of a cell).
            const Vec2 c{g.cx(i), g.cy(j)};
            const double len = norm(b - a);
            const int n = std::max(1, int(std::ceil(len / (0.1 * g.h))));
            bool hit = false;
            for (int s = 0; s <= n && !hit; ++s) {
                const Vec2 p = a + (b - a) * (double(s) / n);
                const double dx = std::max(0.0, std::abs(p.x - c.x) - half), dy = std::max(0.0, std::abs(p.y - c.y) - half);
                hit = dx * dx + dy * dy < r * r || (dx == 0.0 && dy == 0.0);
            }
            if (hit) f(i, j);
        }
}

}  // namespace

void gasGridDimensions(const Scene& scene, const VoxelOptions& o, int& nx, int& ny, int& nz) {
    const Extent e = sceneExtent(scene);
    const double w = e.plan.max.x - e.plan.min.x + 2.0 * o.margin;
    const double d = e.plan.max.y - e.plan.min.y + 2.0 * o.margin;
    const double t = e.ztop - e.zmin + o.height_above;
    nx = std::max(1, int(std::ceil(w / o.cell - 1e-9)));
    ny = std::max(1, int(std::ceil(d / o.cell - 1e-9)));
    nz = std::max(2, int(std::ceil(t / o.cell - 1e-9)));
}

GasGrid voxelizeScene(const Scene& scene, const VoxelOptions& o) {
    int nx = 0, ny = 0, nz = 0;
    gasGridDimensions(scene, o, nx, ny, nz);
    const Extent e = sceneExtent(scene);
    GasGrid g(nx, ny, nz, o.cell, e.plan.min.x - o.margin, e.plan.min.y - o.margin, e.zmin);

    auto slab = [&](int level, double z, bool stairwells) {
        const Box2 box = scene.levelBounds(level);
        if (!box.valid()) return;
        int k = int(std::floor((z - g.z0) / g.h));
        if (k >= g.nz) return;
        k = std::max(0, k);
        for (int j = 0; j < g.ny; ++j)
            for (int i = 0; i < g.nx; ++i) {
                const Vec2 c{g.cx(i), g.cy(j)};
                if (!box.contains(c)) continue;
                bool stairwell = false;
                for (const Stair& s : scene.stairs)
                    if (stairwells && s.upper == level && pointInPolygon(c, s.footprint()))
                        stairwell = true;
                if (!stairwell) g.solid[g.at(i, j, k)] = 1;
            }
    };
    for (size_t l = 0; l < scene.levels.size(); ++l) {
        const Level& L = scene.levels[l];
        if (L.elevation > e.zmin + 1e-9) slab(int(l), L.elevation - 1e-6, true);
        for (const Wall& w : L.walls)
            for (size_t s = 0; s + 1 < w.points.size(); ++s)
                forBand(g, w.points[s], w.points[s + 1], 0.5 * w.thickness,
                        [&](int i, int j) { fillColumn(g, i, j, L.elevation, L.elevation + w.height); });
        // Every door's opening is cut (and its cells kept); closed doors are filled again once
        // the rest is in place.
        for (size_t di = 0; di < L.doors.size(); ++di) {
            const Door& d = L.doors[di];
            if (d.wall < 0) continue;
            const Wall& w = L.walls[size_t(d.wall)];
            const Vec2 along = normalized(d.b - d.a);
            const double zTop = L.elevation + std::min(o.door_height, w.height);
            GasDoorCells cut;
            cut.level = int(l);
            cut.door = int(di);
            auto cutColumn = [&](int i, int j) {
                for (int k = 0; k < g.nz; ++k) {
                    const double z = g.cz(k);
                    if (z < L.elevation || z >= zTop) continue;
                    const size_t c = g.at(i, j, k);
                    g.solid[c] = 0;
                    if (std::find(cut.cells.begin(), cut.cells.end(), c) == cut.cells.end()) cut.cells.push_back(c);
                }
            };
            // Cut the cells whose centre projects inside the opening (at least the middle one).
            const Vec2 mid = (d.a + d.b) * 0.5;
            forBand(g, d.a, d.b, 0.5 * w.thickness, [&](int i, int j) {
                const Vec2 c{g.cx(i), g.cy(j)};
                const double t = dot(c - d.a, along);
                if (t >= -1e-9 && t <= norm(d.b - d.a) + 1e-9) cutColumn(i, j);
            });
            int i, j, k;
            if (g.locate(mid.x, mid.y, L.elevation + 0.5 * g.h, i, j, k)) cutColumn(i, j);
            if (!cut.cells.empty()) g.doors.push_back(std::move(cut));
        }
        for (const Obstacle& ob : L.obstacles) {
            const Box2 box = bounds(ob.polygon);
            bool any = false;
            for (int j = 0; j < g.ny; ++j)
                for (int i = 0; i < g.nx; ++i) {
                    const Vec2 c{g.cx(i), g.cy(j)};
                    if (box.contains(c) && pointInPolygon(c, ob.polygon)) {
                        fillColumn(g, i, j, L.elevation, L.elevation + ob.height);
                        any = true;
                    }
                }
            if (!any) {
                const Vec2 c = (box.min + box.max) * 0.5;
                int i, j, k;
                if (g.locate(c.x, c.y, L.elevation + 0.5 * g.h, i, j, k)) fillColumn(g, i, j, L.elevation, L.elevation + ob.height);
            }
        }
    }
    if (o.roof) {
        // A ceiling over the spaces (rooms) of every level that has no level above it.
        for (size_t l = 0; l < scene.levels.size(); ++l) {
            const Level& L = scene.levels[l];
            const double top = L.elevation + L.height;
            bool covered = false;
            for (const Level& M : scene.levels) covered |= M.elevation > L.elevation + 1e-9 && M.elevation <= top + 1e-6;
            if (covered || L.spaces.empty()) continue;
            const int k = int(std::floor((top - g.z0) / g.h + 1e-9));
            if (k < 0 || k >= g.nz) continue;
            for (const Space& sp : L.spaces) {
                const Box2 box = bounds(sp.polygon);
                // Cells touching the space in plan (its outline may stop short of the walls).
                for (int j = 0; j < g.ny; ++j)
                    for (int i = 0; i < g.nx; ++i) {
                        const Vec2 c{g.cx(i), g.cy(j)};
                        const double half = 0.5 * g.h;
                        if (c.x + half < box.min.x || c.x - half > box.max.x || c.y + half < box.min.y || c.y - half > box.max.y) continue;
                        bool inside = pointInPolygon(c, sp.polygon);
                        for (int q = 0; q < 4 && !inside; ++q) inside = pointInPolygon({c.x + ((q & 1) ? 0.49 : -0.49) * g.h, c.y + ((q & 2) ? 0.49 : -0.49) * g.h}, sp.polygon);
                        if (inside) g.solid[g.at(i, j, k)] = 1;
                    }
            }
        }
    }
    // Door cells filled by an obstacle, a slab or a ceiling stay solid whatever the door does;
    // closed doors fill their opening.
    // A cell shared with an open door stays air.
    for (GasDoorCells& d : g.doors) std::erase_if(d.cells, [&](size_t c) { return g.solid[c] != 0; });
    std::erase_if(g.doors, [](const GasDoorCells& d) { return d.cells.empty(); });
    auto isClosed = [&](const GasDoorCells& d) { return scene.levels[size_t(d.level)].doors[size_t(d.door)].closed; };
    std::vector<uint8_t> keep(g.cells(), 0);
    for (const GasDoorCells& d : g.doors)
        if (!isClosed(d))
            for (size_t c : d.cells) keep[c] = 1;
    for (const GasDoorCells& d : g.doors)
        if (isClosed(d))
            for (size_t c : d.cells) g.solid[c] = keep[c] ? 0 : 1;
    return g;
}

}  // namespace safetwin
