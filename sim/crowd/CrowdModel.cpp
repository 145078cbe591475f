#include <algorithm>
#include <cmath>

#include "sim/crowd/Crowd.hpp"

namespace safetwin {

void CrowdState::resize(size_t n) {
    x.resize(n); y.resize(n); z.resize(n); layer.resize(n);
    status.resize(n, AgentStatus::Waiting);
    ex.resize(n); ey.resize(n); speed.resize(n);
    e0x.resize(n); e0y.resize(n); walked.resize(n);
}

void CrowdStepStats::merge(const CrowdStepStats& o) {
    overlapping_pairs += o.overlapping_pairs;
    max_overlap = std::max(max_overlap, o.max_overlap);
    wall_guard_hits += o.wall_guard_hits;
}

CrowdModel::CrowdModel(const NavGrid& grid, const CsmParams& params) : grid_(&grid), p_(params) {
    Box2 b = grid.scene().bounds();
    hashOrigin_ = {b.min.x - 2.0, b.min.y - 2.0};
    double width = b.max.x - b.min.x + 4.0;
    if (p_.periodic_length > 0.0) {
        // The hash must tile the period exactly so that neighbour cells wrap.
        hashOrigin_.x = p_.periodic_x0;
        hx_ = std::max(3, int(std::floor(p_.periodic_length / p_.neighbour_cell)));
        p_.neighbour_cell = p_.periodic_length / hx_;
    } else {
        hx_ = int(std::ceil(width / p_.neighbour_cell)) + 1;
    }
    hy_ = int(std::ceil((b.max.y - b.min.y + 4.0) / p_.neighbour_cell)) + 1;
    // The block searched for every agent reaches at least 1 m (two body radii plus the range
    // where the repulsion still matters, 6 D).
    baseRing_ = std::max(1, int(std::ceil(1.0 / p_.neighbour_cell - 1e-9)));
    cellStart_.assign(size_t(hx_) * size_t(hy_) + 1, 0);
}

void CrowdModel::buildNeighbourGrid(const CrowdState& s, const CrowdTraits& traits) {
    const size_t n = s.size();
    agentCell_.assign(n, -1);
    std::fill(cellStart_.begin(), cellStart_.end(), 0);
    const double inv = 1.0 / p_.neighbour_cell;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < int(n); ++i) {
        if (s.status[size_t(i)] != AgentStatus::Waiting && s.status[size_t(i)] != AgentStatus::Moving) continue;
        const int cx = std::clamp(int((s.x[size_t(i)] - hashOrigin_.x) * inv), 0, hx_ - 1);
        const int cy = std::clamp(int((s.y[size_t(i)] - hashOrigin_.y) * inv), 0, hy_ - 1);
        agentCell_[size_t(i)] = cy * hx_ + cx;
    }
    for (size_t i = 0; i < n; ++i)
        if (agentCell_[i] >= 0) ++cellStart_[size_t(agentCell_[i]) + 1];
    for (size_t c = 1; c < cellStart_.size(); ++c) cellStart_[c] += cellStart_[c - 1];
    const size_t active = size_t(cellStart_.back());
    sortedId_.resize(active);
    packed_.resize(active);
    std::vector<int32_t> fill(cellStart_.begin(), cellStart_.end() - 1);
    for (size_t i = 0; i < n; ++i) {
        if (agentCell_[i] < 0) continue;
        const int32_t k = fill[size_t(agentCell_[i])]++;
        sortedId_[size_t(k)] = int32_t(i);
        packed_[size_t(k)] = {float(s.x[i] - hashOrigin_.x), float(s.y[i] - hashOrigin_.y), s.z[i], traits.radius[i]};
    }
}

namespace {

struct Candidate {
    float dx, dy, dist2, reach;  // offset to the neighbour, squared distance, r_i + r_j
};

constexpr int kMaxCandidates = 96;

}  // namespace

CrowdStepStats CrowdModel::step(CrowdState& s, const CrowdTraits& traits, double dt) {
    buildNeighbourGrid(s, traits);
    next_ = s;
    const float T = float(p_.time_gap);
    const float a = float(p_.neighbour_strength), D = float(p_.neighbour_range);
    const float aw = float(p_.wall_strength), Dw = float(p_.wall_range);
    const float tauDir = float(p_.direction_relaxation);
    const float awMax = float(p_.wall_strength_max);
    const float zsep = float(p_.level_separation);
    const float cell = float(p_.neighbour_cell);
    const int base = baseRing_;
    const float period = float(p_.periodic_length);
    const bool periodic = period > 0.0f;
    const float repulsionCutoff = 6.0f * D;  // R < a * e^-6 beyond
    const NavGrid& grid = *grid_;

    int64_t overlaps = 0, guardHits = 0;
    double maxOverlap = 0.0;

    // Agents are visited in cell order, so neighbouring agents are processed together.
    const int active = int(sortedId_.size());
#pragma omp parallel for schedule(static) reduction(+ : overlaps, guardHits) reduction(max : maxOverlap)
    for (int self = 0; self < active; ++self) {
        const int i = sortedId_[size_t(self)];
        if (s.status[size_t(i)] != AgentStatus::Moving) continue;
        const float e0x = s.e0x[size_t(i)], e0y = s.e0y[size_t(i)];
        if (e0x == 0.0f && e0y == 0.0f) {  // no route: stand
            next_.speed[size_t(i)] = 0.0f;
            continue;
        }
        const Packed me = packed_[size_t(self)];
        const float xi = me.x, yi = me.y, zi = me.z, ri = me.r;
        const int layer = s.layer[size_t(i)];
        const NavLayer& L = grid.layer(layer);

        // Free speed: on a stair, the slope speed up or down converted to plan speed.
        float v0 = traits.v_flat[size_t(i)];
        Vec2 along{};
        double planPerSlope = 1.0;
        if (L.kind == NavLayer::Kind::Stair) {
            const Stair& st = grid.scene().stairs[size_t(L.index)];
            along = st.along;
            planPerSlope = st.run / st.slope_length;
        }

        // Pass 1: neighbours in the 3x3 block: repulsion, overlaps, candidates for headway.
        Candidate cand[kMaxCandidates];
        int nc = 0;
        float dirx = e0x, diry = e0y;
        const int cx = agentCell_[size_t(i)] % hx_, cy = agentCell_[size_t(i)] / hx_;
        // visit(base) covers the block of cells within `base` of the agent's cell; a larger
        // ring visits only the shell of cells at that Chebyshev distance.
        auto visit = [&](int ring, auto&& fn) {
            for (int dy = -ring; dy <= ring; ++dy) {
                const int yy = cy + dy;
                if (yy < 0 || yy >= hy_) continue;
                for (int dx = -ring; dx <= ring; ++dx) {
                    if (std::max(std::abs(dx), std::abs(dy)) != ring && ring > base) continue;  // shell only
                    int xx = cx + dx;
                    float shift = 0.0f;
                    if (periodic) {
                        if (xx < 0) { xx += hx_; shift = -period; }
                        else if (xx >= hx_) { xx -= hx_; shift = period; }
                    } else if (xx < 0 || xx >= hx_) continue;
                    const int c = yy * hx_ + xx;
                    for (int k = cellStart_[size_t(c)]; k < cellStart_[size_t(c) + 1]; ++k) fn(k, shift);
                }
            }
        };
        auto near = [&](int k, float shift) {
            if (k == self) return;
            const Packed o = packed_[size_t(k)];
            if (std::abs(o.z - zi) > zsep) return;
            const float ddx = o.x + shift - xi, ddy = o.y - yi;
            const float d2 = ddx * ddx + ddy * ddy;
            if (d2 <= 1e-12f) return;
            const float reach = ri + o.r;
            if (nc < kMaxCandidates) cand[nc++] = {ddx, ddy, d2, reach};
            const float interact = reach + repulsionCutoff;
            if (d2 >= interact * interact) return;
            const float d = std::sqrt(d2);
            if (d < reach - 0.01f) {
                ++overlaps;  // each pair is seen from both sides; halved below
                maxOverlap = std::max(maxOverlap, double(reach - d));
            }
            const float R = a * std::exp((reach - d) / D) / d;
            dirx -= R * ddx;
            diry -= R * ddy;
        };
        if (periodic) {
            visit(base, near);
        } else {  // the cells of a row are contiguous in the sorted arrays
            const int xa = std::max(cx - base, 0), xb = std::min(cx + base, hx_ - 1);
            for (int yy = std::max(cy - base, 0); yy <= std::min(cy + base, hy_ - 1); ++yy) {
                const int end = cellStart_[size_t(yy * hx_ + xb + 1)];
                for (int k = cellStart_[size_t(yy * hx_ + xa)]; k < end; ++k) near(k, 0.0f);
            }
        }

        // Walls act on the direction like a neighbour at the wall.
        const Vec2 pi{s.x[size_t(i)], s.y[size_t(i)]};
        const float dw = float(grid.wallDistance(layer, pi));
        Vec2 nw{};
        if (dw - ri < 6.0f * Dw + 0.3f) {
            nw = grid.wallNormal(layer, pi);
            const float Rw = std::min(awMax, aw * std::exp((ri - dw) / Dw));
            dirx += Rw * float(nw.x);
            diry += Rw * float(nw.y);
        }
        float len = std::sqrt(dirx * dirx + diry * diry);
        float ex = len > 1e-6f ? dirx / len : e0x, ey = len > 1e-6f ? diry / len : e0y;
        // Heading relaxation: the heading turns towards the model's direction with time
        // constant tau instead of jumping to it, so a boxed-in person cannot flip back and
        // forth every step (as in the anticipation velocity model, Xu, Chraibi & Seyfried
        // 2021, Transp. Res. C 133, which relaxes the CSM's direction the same way).
        if (tauDir > 0.0f) {
            const float px = s.ex[size_t(i)], py = s.ey[size_t(i)];
            if (px != 0.0f || py != 0.0f) {
                const float k = std::min(1.0f, float(dt) / tauDir);
                // Turning by more than a right angle goes through the perpendicular on the
                // side of the target, so that an exact reversal still turns.
                float tx = ex, ty = ey;
                if (px * ex + py * ey < 0.0f) {
                    const float side = px * ey - py * ex >= 0.0f ? 1.0f : -1.0f;
                    tx = -py * side;
                    ty = px * side;
                }
                float nx = px + k * (tx - px), ny = py + k * (ty - py);
                const float nl = std::sqrt(nx * nx + ny * ny);
                if (nl > 1e-3f) { ex = nx / nl; ey = ny / nl; }
            }
        }

        if (L.kind == NavLayer::Kind::Stair) {
            const bool up = ex * float(along.x) + ey * float(along.y) > 0.0f;
            v0 = float((up ? traits.v_up[size_t(i)] : traits.v_down[size_t(i)]) * planPerSlope);
        }

        // Pass 2: headway to the nearest agent ahead in the corridor of width r_i + r_j.
        float v = v0;
        float nearestAhead = 1e9f;
        auto ahead = [&](const Candidate& c) {
            if (c.dx * ex + c.dy * ey <= 0.0f) return;
            if (std::abs(-c.dx * ey + c.dy * ex) >= c.reach) return;
            const float dist = std::sqrt(c.dist2);
            nearestAhead = std::min(nearestAhead, dist);
            v = std::min(v, std::max(0.0f, (dist - c.reach) / T));
        };
        for (int k = 0; k < nc; ++k) ahead(cand[k]);
        // Rings 0..k cover at least k cells around the agent. Look further only while the
        // nearest agent ahead may lie beyond that and could still slow the agent down.
        const int maxRing = periodic ? std::max(1, (hx_ - 1) / 2) : 1 << 20;
        for (int ring = base + 1; ring <= maxRing && nearestAhead > float(ring - 1) * cell &&
                           float(ring - 1) * cell < 2.0f * ri + 0.2f + v0 * T;
             ++ring) {
            visit(ring, [&](int k, float shift) {
                const Packed o = packed_[size_t(k)];
                if (k == self || std::abs(o.z - zi) > zsep) return;
                const float ddx = o.x + shift - xi, ddy = o.y - yi;
                ahead(Candidate{ddx, ddy, ddx * ddx + ddy * ddy, ri + o.r});
            });
        }
        // Move, with the wall guard; hand over between layers.
        Vec2 step{ex * v * dt, ey * v * dt};
        auto accept = [&](Vec2 q, int& newLayer) {
            int l = layer;
            const int c = grid.cellAt(l, q);
            if (c < 0) return false;
            const int r = grid.layer(l).redirect[size_t(c)];
            if (r >= 0) l = grid.layerOfNode(r);
            // The bilinear wall distance changes by at most sqrt(2) per metre moved: far from
            // walls the guard cannot trip and the lookup is skipped.
            const bool farFromWalls = l == layer && dw > p_.wall_guard + 1.5 * norm(q - pi) + 1e-3;
            if (!farFromWalls && grid.wallDistance(l, q) < p_.wall_guard) return false;
            newLayer = l;
            return true;
        };
        int newLayer = layer;
        Vec2 q = pi + step;
        if (periodic) q.x = p_.periodic_x0 + std::fmod(std::fmod(q.x - p_.periodic_x0, double(period)) + period, double(period));
        if (v > 0.0f && !accept(q, newLayer)) {
            ++guardHits;
            const Vec2 nq = grid.wallNormal(layer, pi);
            const double inward = dot(step, nq);
            const Vec2 slide = inward < 0.0 ? step - nq * inward : step;
            q = pi + slide;
            if (!accept(q, newLayer)) { q = pi; newLayer = layer; v = 0.0f; }
        }
        next_.x[size_t(i)] = q.x;
        next_.y[size_t(i)] = q.y;
        next_.layer[size_t(i)] = newLayer;
        next_.z[size_t(i)] = float(grid.elevation(newLayer, q));
        next_.ex[size_t(i)] = ex;
        next_.ey[size_t(i)] = ey;
        next_.speed[size_t(i)] = v;
        next_.walked[size_t(i)] += double(v) * dt / (L.kind == NavLayer::Kind::Stair ? planPerSlope : 1.0);
    }
    std::swap(s, next_);
    CrowdStepStats stats;
    stats.overlapping_pairs = overlaps / 2;
    stats.max_overlap = maxOverlap;
    stats.wall_guard_hits = guardHits;
    return stats;
}

}  // namespace safetwin
