#include "sim/nav/NavGrid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace safetwin {

namespace {

constexpr float kFar = 1e6f;

/// Band of a stair's footprint, at each end, that the adjoining level hands to the stair.
double entryBand(double h) { return std::max(2.0 * h, 0.4); }

/// Tolerance for a cell centre lying exactly on a door's edge. [Units: m]
constexpr double kEdgeTie = 1e-6;

}  // namespace

// 1D pass of the Felzenszwalb–Huttenlocher transform: lower envelope of parabolas rooted at
// each sample (value f[q]), evaluated at every sample.
static void edt1d(const float* f, float* d, int n, int* v, float* z) {
    auto meet = [&](int q, int p) {
        return ((f[q] + float(q) * float(q)) - (f[p] + float(p) * float(p))) / (2.0f * float(q - p));
    };
    int k = 0;
    v[0] = 0;
    z[0] = -std::numeric_limits<float>::infinity();
    z[1] = std::numeric_limits<float>::infinity();
    for (int q = 1; q < n; ++q) {
        float s = meet(q, v[k]);
        while (s <= z[k]) {  // z[0] = -inf ends the loop
            --k;
            s = meet(q, v[k]);
        }
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = std::numeric_limits<float>::infinity();
    }
    k = 0;
    for (int q = 0; q < n; ++q) {
        while (z[k + 1] < float(q)) ++k;
        const float dq = float(q - v[k]);
        d[q] = dq * dq + f[v[k]];
    }
}

std::vector<float> squaredDistanceTransform(const std::vector<uint8_t>& seed, int nx, int ny) {
    const float inf = 1e20f;
    std::vector<float> g(size_t(nx) * size_t(ny));
    for (size_t c = 0; c < g.size(); ++c) g[c] = seed[c] ? 0.0f : inf;
    const int n = std::max(nx, ny);
    std::vector<float> f(static_cast<size_t>(n)), d(static_cast<size_t>(n)), z(static_cast<size_t>(n) + 1);
    std::vector<int> v(static_cast<size_t>(n));
    for (int i = 0; i < nx; ++i) {  // columns
        for (int j = 0; j < ny; ++j) f[size_t(j)] = g[size_t(j) * size_t(nx) + size_t(i)];
        edt1d(f.data(), d.data(), ny, v.data(), z.data());
        for (int j = 0; j < ny; ++j) g[size_t(j) * size_t(nx) + size_t(i)] = d[size_t(j)];
    }
    for (int j = 0; j < ny; ++j) {  // rows
        float* row = g.data() + size_t(j) * size_t(nx);
        std::copy(row, row + nx, f.begin());
        edt1d(f.data(), d.data(), nx, v.data(), z.data());
        std::copy(d.begin(), d.begin() + nx, row);
    }
    return g;
}

NavGrid::NavGrid(const Scene& scene, const NavOptions& options) : scene_(&scene), h_(options.cell), invH_(1.0 / options.cell) {
    const Box2 all = scene.bounds();
    origin_ = {std::floor((all.min.x - options.margin) / h_) * h_,
               std::floor((all.min.y - options.margin) / h_) * h_};
    levelLayer_.assign(scene.levels.size(), -1);
    stairLayer_.assign(scene.stairs.size(), -1);
    doorCells_.resize(scene.levels.size());
    doorClosed_.resize(scene.levels.size());
    for (size_t l = 0; l < scene.levels.size(); ++l) buildLevel(int(l), options);
    for (size_t s = 0; s < scene.stairs.size(); ++s) buildStair(int(s));
    linkRedirects();
    for (NavLayer& L : layers_) computeWallDistance(L);
    exitOpen_.assign(scene.exits.size(), 1);
    markExits();
    for (size_t l = 0; l < scene.levels.size(); ++l)
        for (size_t d = 0; d < scene.levels[l].doors.size(); ++d)
            if (scene.levels[l].doors[d].closed) setDoorClosed(int(l), int(d), true);
    outside_.resize(layers_.size());
    for (size_t l = 0; l < scene.levels.size(); ++l) markOutside(levelLayer_[l]);
}

void NavGrid::markOutside(int layer) {
    const NavLayer& L = layers_[size_t(layer)];
    // Barriers: exit cells and the openings of exit doors (shut for this purpose).
    std::vector<uint8_t> exits(size_t(L.cells()), 0);
    for (int c = 0; c < L.cells(); ++c) exits[size_t(c)] = L.exit_id[size_t(c)] >= 0;
    if (L.kind == NavLayer::Kind::Level) {
        const Level& lv = scene_->levels[size_t(L.index)];
        for (size_t d = 0; d < lv.doors.size(); ++d)
            if (lv.doors[d].exit)
                for (int c : doorCells_[size_t(L.index)][d].cells) exits[size_t(c)] = 1;
    }
    std::vector<uint8_t> out = floodFromBorder(L, exits);
    // If the flood reached every free cell, the walls enclose nothing: no outside.
    for (int c = 0; c < L.cells(); ++c)
        if (!L.solid[size_t(c)] && L.exit_id[size_t(c)] < 0 && !out[size_t(c)]) {
            outside_[size_t(layer)] = std::move(out);
            return;
        }
}

void NavGrid::buildLevel(int level, const NavOptions& options) {
    const Level& lv = scene_->levels[size_t(level)];
    Box2 b = scene_->levelBounds(level);
    NavLayer L;
    L.kind = NavLayer::Kind::Level;
    L.index = level;
    L.i0 = latticeI(b.min.x - options.margin);
    L.j0 = latticeJ(b.min.y - options.margin);
    L.nx = latticeI(b.max.x + options.margin) - L.i0 + 1;
    L.ny = latticeJ(b.max.y + options.margin) - L.j0 + 1;
    L.solid.assign(size_t(L.cells()), 0);
    L.redirect.assign(size_t(L.cells()), -1);
    L.exit_id.assign(size_t(L.cells()), -1);

    auto cellRange = [&](Box2 box, double pad, auto&& fn) {
        const int ia = std::max(0, latticeI(box.min.x - pad) - L.i0);
        const int ib = std::min(L.nx - 1, latticeI(box.max.x + pad) - L.i0);
        const int ja = std::max(0, latticeJ(box.min.y - pad) - L.j0);
        const int jb = std::min(L.ny - 1, latticeJ(box.max.y + pad) - L.j0);
        for (int j = ja; j <= jb; ++j)
            for (int i = ia; i <= ib; ++i) fn(i, j, cellCentre(L, i, j));
    };

    // Walls, leaving door openings free. A wall is rasterised at least 0.75 h thick on each
    // side so that a diagonal wall still forms a 4-connected barrier.
    std::vector<uint16_t> inDoor(size_t(L.cells()), 0);  // door index + 1
    for (size_t w = 0; w < lv.walls.size(); ++w) {
        const Wall& wall = lv.walls[w];
        const double half = std::max(0.5 * wall.thickness, 0.75 * h_);
        for (size_t s = 0; s + 1 < wall.points.size(); ++s) {
            const Vec2 a = wall.points[s], b2 = wall.points[s + 1];
            Box2 box;
            box.expand(a);
            box.expand(b2);
            const Vec2 dir = normalized(b2 - a);
            cellRange(box, half, [&](int i, int j, Vec2 c) {
                if (distanceToSegment(c, a, b2) > half) return;
                const int cell = L.at(i, j);
                for (size_t d = 0; d < lv.doors.size(); ++d) {
                    const Door& door = lv.doors[d];
                    if (door.wall != int(w) || door.segment != int(s)) continue;
                    // Half-open [a, b): a door whose edges fall on cell centres (a 1 m door
                    // centred on a whole metre) gets width / h cells, not one more.
                    const double t = dot(c - a, dir);
                    if (t >= dot(door.a - a, dir) - kEdgeTie && t < dot(door.b - a, dir) - kEdgeTie) {
                        inDoor[size_t(cell)] = uint16_t(std::min<size_t>(d + 1, 65535));
                        return;
                    }
                }
                L.solid[size_t(cell)] = 1;
            });
        }
    }
    // An imported model's raster: a cell is blocked if any raster cell under it is solid, if
    // the raster cell at its centre has no floor, or if it lies outside the raster.
    if (!lv.raster.empty()) {
        const LevelRaster& R = lv.raster;
        for (int j = 0; j < L.ny; ++j)
            for (int i = 0; i < L.nx; ++i) {
                const Vec2 c = cellCentre(L, i, j);
                const int rc = R.cellOf(c);
                bool blocked = rc < 0 || !R.floor[size_t(rc)];
                const int ra = std::max(0, int(std::floor((c.x - 0.5 * h_ - R.origin.x) / R.cell + 1e-9)));
                const int rb = std::min(R.nx - 1, int(std::ceil((c.x + 0.5 * h_ - R.origin.x) / R.cell - 1e-9)) - 1);
                const int sa = std::max(0, int(std::floor((c.y - 0.5 * h_ - R.origin.y) / R.cell + 1e-9)));
                const int sb = std::min(R.ny - 1, int(std::ceil((c.y + 0.5 * h_ - R.origin.y) / R.cell - 1e-9)) - 1);
                for (int rj = sa; rj <= sb && !blocked; ++rj)
                    for (int ri = ra; ri <= rb && !blocked; ++ri) blocked = R.solid[size_t(R.at(ri, rj))] != 0;
                if (blocked) L.solid[size_t(L.at(i, j))] = 1;
            }
    }
    // Imported doors have no wall: their leaf covers a rectangle of the door's depth on [a, b].
    for (size_t d = 0; d < lv.doors.size(); ++d) {
        const Door& door = lv.doors[d];
        if (!door.placed) continue;
        const Vec2 dir = normalized(door.b - door.a);
        const double len = norm(door.b - door.a), half = 0.5 * door.depth + 0.5 * h_;
        Box2 box;
        box.expand(door.a);
        box.expand(door.b);
        cellRange(box, half, [&](int i, int j, Vec2 c) {
            const double t = dot(c - door.a, dir), n = std::abs(cross(dir, c - door.a));
            if (t < 0.0 || t > len || n > half) return;
            const int cell = L.at(i, j);
            if (!L.solid[size_t(cell)]) inDoor[size_t(cell)] = uint16_t(std::min<size_t>(d + 1, 65535));
        });
    }
    for (const Obstacle& o : lv.obstacles) {
        cellRange(bounds(o.polygon), h_, [&](int i, int j, Vec2 c) {
            if (pointInPolygon(c, o.polygon) || distanceToPolygonBoundary(c, o.polygon) < 0.5 * h_)
                L.solid[size_t(L.at(i, j))] = 1;
        });
    }
    // Stair footprints: solid but for the entry band, which the stair layer owns.
    const double band = entryBand(h_);
    for (const Stair& st : scene_->stairs) {
        if (st.lower != level && st.upper != level) continue;
        cellRange(bounds(st.footprint()), 0.0, [&](int i, int j, Vec2 c) {
            const Vec2 q = st.local(c);
            if (q.x < 0.0 || q.x > st.run || std::abs(q.y) > 0.5 * st.width) return;
            const bool entry = st.lower == level ? q.x < band : q.x > st.run - band;
            const int cell = L.at(i, j);
            if (entry && !L.solid[size_t(cell)]) L.redirect[size_t(cell)] = -2;  // linked later
            else L.solid[size_t(cell)] = 1;
        });
    }
    doorCells_[size_t(level)].resize(lv.doors.size());
    doorClosed_[size_t(level)].assign(lv.doors.size(), 0);
    const int layerIndex = int(layers_.size());
    for (int c = 0; c < L.cells(); ++c)
        if (inDoor[size_t(c)] && !L.solid[size_t(c)]) {
            DoorCells& dc = doorCells_[size_t(level)][size_t(inDoor[size_t(c)] - 1)];
            dc.layer = layerIndex;
            dc.cells.push_back(c);
        }
    L.node0 = nodes_;
    nodes_ += L.cells();
    levelLayer_[size_t(level)] = layerIndex;
    layers_.push_back(std::move(L));
}

void NavGrid::buildStair(int stair) {
    const Stair& st = scene_->stairs[size_t(stair)];
    Box2 b = bounds(st.footprint());
    const double pad = entryBand(h_) + 2.0 * h_;
    NavLayer L;
    L.kind = NavLayer::Kind::Stair;
    L.index = stair;
    L.i0 = latticeI(b.min.x - pad);
    L.j0 = latticeJ(b.min.y - pad);
    L.nx = latticeI(b.max.x + pad) - L.i0 + 1;
    L.ny = latticeJ(b.max.y + pad) - L.j0 + 1;
    L.solid.assign(size_t(L.cells()), 1);
    L.redirect.assign(size_t(L.cells()), -1);
    L.exit_id.assign(size_t(L.cells()), -1);
    for (int j = 0; j < L.ny; ++j)
        for (int i = 0; i < L.nx; ++i) {
            const Vec2 q = st.local(cellCentre(L, i, j));
            if (std::abs(q.y) > 0.5 * st.width) continue;
            const int cell = L.at(i, j);
            L.solid[size_t(cell)] = 0;
            if (q.x < 0.0 || q.x > st.run) L.redirect[size_t(cell)] = -2;  // linked later
        }
    L.node0 = nodes_;
    nodes_ += L.cells();
    stairLayer_[size_t(stair)] = int(layers_.size());
    layers_.push_back(std::move(L));
}

void NavGrid::linkRedirects() {
    for (NavLayer& L : layers_) {
        for (int j = 0; j < L.ny; ++j)
            for (int i = 0; i < L.nx; ++i) {
                const int cell = L.at(i, j);
                if (L.redirect[size_t(cell)] != -2) continue;
                L.redirect[size_t(cell)] = -1;
                const Vec2 c = cellCentre(L, i, j);
                const NavLayer* target = nullptr;
                if (L.kind == NavLayer::Kind::Level) {
                    for (const Stair& st : scene_->stairs) {
                        if (st.lower != L.index && st.upper != L.index) continue;
                        const Vec2 q = st.local(c);
                        if (q.x >= 0.0 && q.x <= st.run && std::abs(q.y) <= 0.5 * st.width) {
                            target = &layers_[size_t(stairLayer_[size_t(&st - scene_->stairs.data())])];
                            break;
                        }
                    }
                } else {
                    const Stair& st = scene_->stairs[size_t(L.index)];
                    const Vec2 q = st.local(c);
                    target = &layers_[size_t(levelLayer_[size_t(q.x < 0.0 ? st.lower : st.upper)])];
                }
                if (!target) { L.solid[size_t(cell)] = 1; continue; }
                const int ti = L.i0 + i - target->i0, tj = L.j0 + j - target->j0;
                if (!target->inside(ti, tj) || target->solid[size_t(target->at(ti, tj))]) {
                    L.solid[size_t(cell)] = 1;
                    continue;
                }
                L.redirect[size_t(cell)] = target->node0 + target->at(ti, tj);
            }
    }
}

std::vector<uint8_t> NavGrid::floodFromBorder(const NavLayer& L, const std::vector<uint8_t>& barrier) const {
    std::vector<uint8_t> out(size_t(L.cells()), 0);
    std::vector<int> stack;
    auto push = [&](int i, int j) {
        if (!L.inside(i, j)) return;
        const int c = L.at(i, j);
        if (out[size_t(c)] || L.solid[size_t(c)] || barrier[size_t(c)]) return;
        out[size_t(c)] = 1;
        stack.push_back(c);
    };
    for (int i = 0; i < L.nx; ++i) { push(i, 0); push(i, L.ny - 1); }
    for (int j = 0; j < L.ny; ++j) { push(0, j); push(L.nx - 1, j); }
    while (!stack.empty()) {
        const int c = stack.back();
        stack.pop_back();
        const int i = c % L.nx, j = c / L.nx;
        push(i - 1, j); push(i + 1, j); push(i, j - 1); push(i, j + 1);
    }
    return out;
}

void NavGrid::markExits() {
    // An exit through a door counts people out once they are clear of the doorway on its
    // outer side (0.5 m past the wall face), not when they step into it: the door itself then
    // limits the flow, as in the bottleneck experiments. The outer side is the one reached from
    // the plan's border with every exit door shut. Exit lines not in a wall count at the line.
    std::vector<std::vector<uint8_t>> shutOutside(scene_->levels.size());
    for (size_t e = 0; e < scene_->exits.size(); ++e) {
        const Exit& ex = scene_->exits[e];
        const int layer = levelLayer_[size_t(ex.level)];
        NavLayer& L = layers_[size_t(layer)];
        Vec2 a = ex.a, b = ex.b;
        if (!ex.door.empty()) {
            auto& flood = shutOutside[size_t(ex.level)];
            if (flood.empty()) {
                std::vector<uint8_t> barrier(size_t(L.cells()), 0);
                const Level& lv = scene_->levels[size_t(ex.level)];
                for (size_t d = 0; d < lv.doors.size(); ++d)
                    if (lv.doors[d].exit)
                        for (int c : doorCells_[size_t(ex.level)][d].cells) barrier[size_t(c)] = 1;
                flood = floodFromBorder(L, barrier);
            }
            const auto door = scene_->findDoor(ex.door);
            const Level& lv = scene_->levels[size_t(door->first)];
            const Door& d = lv.doors[size_t(door->second)];
            const double half = d.wall >= 0 ? std::max(0.5 * lv.walls[size_t(d.wall)].thickness, 0.75 * h_) : 0.75 * h_;
            const Vec2 along = normalized(ex.b - ex.a), n = perp(along), mid = (ex.a + ex.b) * 0.5;
            for (double side : {1.0, -1.0}) {
                const Vec2 probe = mid + n * (side * (half + 0.5));
                const int c = cellAt(layer, probe);
                if (c < 0 || L.solid[size_t(c)] || !flood[size_t(c)]) continue;
                a = ex.a + n * (side * (half + 0.5)) - along * 0.2;
                b = ex.b + n * (side * (half + 0.5)) + along * 0.2;
                break;
            }
        }
        exitSegments_.push_back({a, b});
        Box2 box;
        box.expand(a);
        box.expand(b);
        const double reach = 0.75 * h_;
        int marked = 0;
        const int ia = std::max(0, latticeI(box.min.x - reach) - L.i0);
        const int ib = std::min(L.nx - 1, latticeI(box.max.x + reach) - L.i0);
        const int ja = std::max(0, latticeJ(box.min.y - reach) - L.j0);
        const int jb = std::min(L.ny - 1, latticeJ(box.max.y + reach) - L.j0);
        for (int j = ja; j <= jb; ++j)
            for (int i = ia; i <= ib; ++i) {
                const int cell = L.at(i, j);
                if (L.solid[size_t(cell)] || L.redirect[size_t(cell)] >= 0) continue;
                if (distanceToSegment(cellCentre(L, i, j), a, b) > reach) continue;
                L.exit_id[size_t(cell)] = int16_t(e);
                ++marked;
            }
        if (marked == 0)
            throw InputError(ex.where, "exit '" + ex.id + "' covers no walkable cell (is it inside a wall or an obstacle?)");
    }
}

void NavGrid::computeWallDistance(NavLayer& L) {
    const std::vector<float> d2 = squaredDistanceTransform(L.solid, L.nx, L.ny);
    L.wall_dist.resize(d2.size());
    for (size_t c = 0; c < d2.size(); ++c) {
        if (L.solid[c]) { L.wall_dist[c] = 0.0f; continue; }
        const float d = d2[c] > 1e19f ? kFar : std::sqrt(d2[c]) * float(h_);
        L.wall_dist[c] = std::max(0.0f, d - 0.5f * float(h_));
    }
}

int NavGrid::layerOfNode(int node) const {
    for (size_t l = 0; l < layers_.size(); ++l)
        if (node >= layers_[l].node0 && node < layers_[l].node0 + layers_[l].cells()) return int(l);
    return -1;
}

bool NavGrid::walkable(int l, Vec2 p) const {
    const int c = cellAt(l, p);
    return c >= 0 && !layers_[size_t(l)].solid[size_t(c)];
}

Vec2 NavGrid::wallNormal(int l, Vec2 p) const {
    const NavLayer& L = layers_[size_t(l)];
    const double fx = (p.x - origin_.x) / h_ - 0.5 - L.i0, fy = (p.y - origin_.y) / h_ - 0.5 - L.j0;
    const int i = int(std::floor(fx)), j = int(std::floor(fy));
    const double tx = fx - i, ty = fy - j;
    auto v = [&](int a, int b) { return L.inside(a, b) ? double(L.wall_dist[size_t(L.at(a, b))]) : 0.0; };
    const double gx = (v(i + 1, j) - v(i, j)) * (1 - ty) + (v(i + 1, j + 1) - v(i, j + 1)) * ty;
    const double gy = (v(i, j + 1) - v(i, j)) * (1 - tx) + (v(i + 1, j + 1) - v(i + 1, j)) * tx;
    return normalized({gx, gy});
}

double NavGrid::elevation(int l, Vec2 p) const {
    const NavLayer& L = layers_[size_t(l)];
    if (L.kind == NavLayer::Kind::Level) return scene_->levels[size_t(L.index)].elevation;
    const Stair& st = scene_->stairs[size_t(L.index)];
    const double s = std::clamp(st.local(p).x / st.run, 0.0, 1.0);
    return scene_->levels[size_t(st.lower)].elevation + s * st.rise;
}

void NavGrid::setDoorClosed(int level, int door, bool closed) {
    const Door& d = scene_->levels[size_t(level)].doors[size_t(door)];
    if (!d.closable) return;
    if (bool(doorClosed_[size_t(level)][size_t(door)]) == closed) return;
    doorClosed_[size_t(level)][size_t(door)] = closed;
    const DoorCells& dc = doorCells_[size_t(level)][size_t(door)];
    if (dc.layer >= 0) {
        NavLayer& L = layers_[size_t(dc.layer)];
        for (int c : dc.cells) L.solid[size_t(c)] = closed ? 1 : 0;
        computeWallDistance(L);
        ++wallVersion_;
    }
    for (size_t e = 0; e < scene_->exits.size(); ++e)
        if (scene_->exits[e].door == d.id) exitOpen_[e] = closed ? 0 : 1;
}

bool NavGrid::doorClosed(int level, int door) const { return doorClosed_[size_t(level)][size_t(door)] != 0; }

}  // namespace safetwin
