#include "sim/nav/FastMarching.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

namespace safetwin {

namespace {

/// Global node of the neighbour of (layer L, cell i, j) at (i + di, j + dj), following
/// redirects; -1 if none or not walkable.
inline int neighbour(const NavGrid& g, const NavLayer& L, int i, int j, int di, int dj) {
    const int a = i + di, b = j + dj;
    if (!L.inside(a, b)) return -1;
    const int c = L.at(a, b);
    if (L.solid[size_t(c)]) return -1;
    const int r = L.redirect[size_t(c)];
    if (r >= 0) return r;
    (void)g;
    return L.node0 + c;
}

struct NodeRef {
    int layer;
    int i, j;
};

}  // namespace

std::vector<float> routeSlowness(const NavGrid& grid, const RouteCostOptions& o) {
    std::vector<float> F(size_t(grid.nodeCount()), RouteField::kUnreachable);
    const Scene& scene = grid.scene();
    for (const NavLayer& L : grid.layers()) {
        double factor = 1.0;
        if (L.kind == NavLayer::Kind::Stair) {
            const Stair& st = scene.stairs[size_t(L.index)];
            factor = st.slope_length / st.run * o.stair_speed_ratio;
        }
        for (int c = 0; c < L.cells(); ++c) {
            if (L.solid[size_t(c)] || L.redirect[size_t(c)] >= 0) continue;
            const double d = L.wall_dist[size_t(c)];
            if (d < o.clearance) continue;
            const double near = std::max(0.0, 1.0 - d / o.wall_range);
            F[size_t(L.node0 + c)] = float(factor * (1.0 + o.wall_penalty * near));
        }
    }
    return F;
}

RouteField computeRouteField(const NavGrid& grid, const std::vector<float>& F, int exit) {
    const int n = grid.nodeCount();
    const float inf = RouteField::kUnreachable;
    RouteField field;
    field.cost.assign(size_t(n), inf);
    field.dir_x.assign(size_t(n), 0.0f);
    field.dir_y.assign(size_t(n), 0.0f);
    if (!grid.exitOpen(exit)) return field;

    // Node -> (layer, i, j) for the nodes we touch.
    std::vector<int> layerOf(static_cast<size_t>(n));
    for (size_t l = 0; l < grid.layers().size(); ++l) {
        const NavLayer& L = grid.layer(int(l));
        std::fill(layerOf.begin() + L.node0, layerOf.begin() + L.node0 + L.cells(), int(l));
    }
    auto ref = [&](int node) {
        const int l = layerOf[size_t(node)];
        const NavLayer& L = grid.layer(l);
        const int c = node - L.node0;
        return NodeRef{l, c % L.nx, c / L.nx};
    };

    const double h = grid.cell();
    std::vector<uint8_t> known(size_t(n), 0);
    using Item = std::pair<float, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;

    const Exit& ex = grid.scene().exits[size_t(exit)];
    const auto [exA, exB] = grid.exitSegment(exit);
    const int el = grid.levelLayer(ex.level);
    const NavLayer& EL = grid.layer(el);
    for (int c = 0; c < EL.cells(); ++c) {
        if (EL.exit_id[size_t(c)] != exit || EL.solid[size_t(c)]) continue;
        const Vec2 p = grid.cellCentre(EL, c % EL.nx, c / EL.nx);
        // Seeds ignore the wall clearance: an exit drawn along a wall still counts.
        const float f = F[size_t(EL.node0 + c)];
        const float t = float(distanceToSegment(p, exA, exB)) * (f == inf ? 1.0f : f);
        field.cost[size_t(EL.node0 + c)] = t;
        heap.push({t, EL.node0 + c});
    }

    auto update = [&](int node) {
        const NodeRef r = ref(node);
        const NavLayer& L = grid.layer(r.layer);
        auto known_cost = [&](int nb) { return nb >= 0 && known[size_t(nb)] ? field.cost[size_t(nb)] : inf; };
        const float a = std::min(known_cost(neighbour(grid, L, r.i, r.j, -1, 0)), known_cost(neighbour(grid, L, r.i, r.j, 1, 0)));
        const float b = std::min(known_cost(neighbour(grid, L, r.i, r.j, 0, -1)), known_cost(neighbour(grid, L, r.i, r.j, 0, 1)));
        const double fh = double(F[size_t(node)]) * h;
        double t;
        if (a == inf && b == inf) return;
        const double lo = std::min(a, b), hi = std::max(a, b);
        if (hi == inf || hi - lo >= fh) {
            t = lo + fh;
        } else {  // both directions upwind: (t - a)^2 + (t - b)^2 = (F h)^2
            t = 0.5 * (lo + hi + std::sqrt(2.0 * fh * fh - (hi - lo) * (hi - lo)));
        }
        if (float(t) < field.cost[size_t(node)]) {
            field.cost[size_t(node)] = float(t);
            heap.push({float(t), node});
        }
    };

    static constexpr int kDi[4] = {-1, 1, 0, 0}, kDj[4] = {0, 0, -1, 1};
    while (!heap.empty()) {
        const auto [t, node] = heap.top();
        heap.pop();
        if (known[size_t(node)] || t > field.cost[size_t(node)]) continue;
        known[size_t(node)] = 1;
        const NodeRef r = ref(node);
        const NavLayer& L = grid.layer(r.layer);
        for (int k = 0; k < 4; ++k) {
            const int nb = neighbour(grid, L, r.i, r.j, kDi[k], kDj[k]);
            if (nb >= 0 && !known[size_t(nb)] && F[size_t(nb)] != inf) update(nb);
        }
    }

    // Direction of steepest descent: central differences where both neighbours have a cost,
    // one-sided otherwise.
    for (const NavLayer& L : grid.layers()) {
        for (int j = 0; j < L.ny; ++j)
            for (int i = 0; i < L.nx; ++i) {
                const int node = L.node0 + L.at(i, j);
                const float t = field.cost[size_t(node)];
                if (t == inf) continue;
                auto slope = [&](int di, int dj) {
                    const int m = neighbour(grid, L, i, j, -di, -dj), p = neighbour(grid, L, i, j, di, dj);
                    const float tm = m >= 0 ? field.cost[size_t(m)] : inf, tp = p >= 0 ? field.cost[size_t(p)] : inf;
                    if (tm != inf && tp != inf) return (tp - tm) / float(2.0 * h);
                    if (tp != inf) return (tp - t) / float(h);
                    if (tm != inf) return (t - tm) / float(h);
                    return 0.0f;
                };
                const Vec2 g{double(slope(1, 0)), double(slope(0, 1))};
                const Vec2 d = normalized(g * -1.0);
                field.dir_x[size_t(node)] = float(d.x);
                field.dir_y[size_t(node)] = float(d.y);
            }
    }
    field.cell_dir.assign(size_t(n) * 4, 0.0f);
    for (const NavLayer& L : grid.layers())
        for (int c = 0; c < L.cells(); ++c) {
            if (L.solid[size_t(c)]) continue;
            const int r = L.redirect[size_t(c)];
            const int node = r >= 0 ? r : L.node0 + c;
            if (field.cost[size_t(node)] == inf) continue;
            float* e = &field.cell_dir[size_t(L.node0 + c) * 4];
            e[0] = field.dir_x[size_t(node)];
            e[1] = field.dir_y[size_t(node)];
            e[2] = 1.0f;
        }
    return field;
}

namespace {

template <typename Fn>
void bilinear(const NavGrid& grid, const RouteField& field, int layer, Vec2 p, Fn&& fn) {
    const NavLayer& L = grid.layer(layer);
    const double h = grid.cell();
    const double fx = (p.x - grid.origin().x) / h - 0.5 - L.i0, fy = (p.y - grid.origin().y) / h - 0.5 - L.j0;
    const int i = int(std::floor(fx)), j = int(std::floor(fy));
    const double tx = fx - i, ty = fy - j;
    const double w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
    const int ii[4] = {i, i + 1, i, i + 1}, jj[4] = {j, j, j + 1, j + 1};
    for (int k = 0; k < 4; ++k) {
        if (!L.inside(ii[k], jj[k])) continue;
        const int c = L.at(ii[k], jj[k]);
        if (L.solid[size_t(c)]) continue;
        const int r = L.redirect[size_t(c)];
        const int node = r >= 0 ? r : L.node0 + c;
        if (field.cost[size_t(node)] == RouteField::kUnreachable) continue;
        fn(node, w[k]);
    }
}

}  // namespace

namespace {

/// Best routed cell within two cells of p: its node and centre, or node -1.
std::pair<int, Vec2> nearestRouted(const NavGrid& grid, const RouteField& field, int layer, Vec2 p) {
    const NavLayer& L = grid.layer(layer);
    const int i0 = grid.latticeI(p.x) - L.i0, j0 = grid.latticeJ(p.y) - L.j0;
    int best = -1;
    double bestCost = RouteField::kUnreachable;
    Vec2 bestCentre{};
    for (int j = j0 - 2; j <= j0 + 2; ++j)
        for (int i = i0 - 2; i <= i0 + 2; ++i) {
            if (!L.inside(i, j)) continue;
            const int c = L.at(i, j);
            if (L.solid[size_t(c)]) continue;
            const int r = L.redirect[size_t(c)];
            const int node = r >= 0 ? r : L.node0 + c;
            const float t = field.cost[size_t(node)];
            if (t == RouteField::kUnreachable) continue;
            const Vec2 centre = grid.cellCentre(L, i, j);
            const double total = t + norm(centre - p);
            if (total >= bestCost) continue;
            // Only cells in sight: never steer through a wall towards a cell beyond it.
            bool clear = true;
            const int samples = 1 + int(norm(centre - p) / (0.5 * grid.cell()));
            for (int k = 1; k < samples && clear; ++k) {
                const int sc = grid.cellAt(layer, p + (centre - p) * (double(k) / samples));
                clear = sc >= 0 && !L.solid[size_t(sc)];
            }
            if (!clear) continue;
            if (total < bestCost) { bestCost = total; best = node; bestCentre = centre; }
        }
    return {best, bestCentre};
}

}  // namespace

float sampleCost(const NavGrid& grid, const RouteField& field, int layer, Vec2 p) {
    double sum = 0.0, wsum = 0.0;
    bilinear(grid, field, layer, p, [&](int node, double w) {
        sum += w * field.cost[size_t(node)];
        wsum += w;
    });
    if (wsum > 1e-9) return float(sum / wsum);
    const auto [node, centre] = nearestRouted(grid, field, layer, p);
    return node >= 0 ? field.cost[size_t(node)] + float(norm(centre - p)) : RouteField::kUnreachable;
}

Vec2 sampleDirection(const NavGrid& grid, const RouteField& field, int layer, Vec2 p) {
    // The same bilinear weights as bilinear(), from the precomputed table: a skipped cell's
    // entry is zero, so it adds nothing to the direction or to the weight.
    const NavLayer& L = grid.layer(layer);
    const double h = grid.cell();
    const double fx = (p.x - grid.origin().x) / h - 0.5 - L.i0, fy = (p.y - grid.origin().y) / h - 0.5 - L.j0;
    const int i = int(std::floor(fx)), j = int(std::floor(fy));
    const double tx = fx - i, ty = fy - j;
    const double w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
    const float* table = field.cell_dir.data() + size_t(L.node0) * 4;
    Vec2 d{};
    double wsum = 0.0;
    auto add = [&](int c, double wk) {
        const float* e = table + size_t(c) * 4;
        d += Vec2{e[0], e[1]} * wk;
        wsum += wk * e[2];
    };
    if (i >= 0 && j >= 0 && i + 1 < L.nx && j + 1 < L.ny) {
        const int c = L.at(i, j);
        add(c, w[0]);
        add(c + 1, w[1]);
        add(c + L.nx, w[2]);
        add(c + L.nx + 1, w[3]);
    } else {
        const int ii[4] = {i, i + 1, i, i + 1}, jj[4] = {j, j, j + 1, j + 1};
        for (int k = 0; k < 4; ++k)
            if (L.inside(ii[k], jj[k])) add(L.at(ii[k], jj[k]), w[k]);
    }
    if (wsum > 1e-9) return normalized(d);
    const auto [node, centre] = nearestRouted(grid, field, layer, p);
    return node >= 0 ? normalized(centre - p) : Vec2{};
}

}  // namespace safetwin
