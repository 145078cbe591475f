#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

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
    for (const NavLayer& L : grid.layers())
        levelElevation_.push_back(L.kind == NavLayer::Kind::Level ? float(grid.scene().levels[size_t(L.index)].elevation)
                                                                  : std::numeric_limits<float>::quiet_NaN());
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
    cellStart_.assign(size_t(hx_) * size_t(hy_) + 1, 0);
    fill_.assign(size_t(hx_) * size_t(hy_), 0);
}

namespace {

/// Lanes of the neighbour loops: blocks of this many consecutive sorted agents are handled
/// together, each lane accumulating on its own and the lanes summed in a fixed order at the
/// end, so that the result does not depend on the instruction set (SSE2 or AVX2).
constexpr int kLanes = 8;
/// Below this many agents a step runs on one thread: the fork and barriers of the parallel
/// loops (several per step) cost more than they save, and on a loaded machine a thread that
/// waits for a descheduled partner wastes whole time slices.
constexpr int kParallelMin = 2048;
constexpr float kFar = 1e4f;  // position of the padding entries [m] (far, yet no underflow)

}  // namespace

void CrowdModel::buildNeighbourGrid(const CrowdState& s, const CrowdTraits& traits) {
    const int n = int(s.size());
    agentCell_.resize(size_t(n));
    rank_.resize(size_t(n));
    std::fill(cellStart_.begin(), cellStart_.end(), 0);
    const double inv = 1.0 / p_.neighbour_cell;
    float rmax = 0.0f;
#pragma omp parallel for schedule(static) reduction(max : rmax) if (n >= kParallelMin)
    for (int i = 0; i < n; ++i) {
        int32_t cell = -1;
        if (s.status[size_t(i)] == AgentStatus::Waiting || s.status[size_t(i)] == AgentStatus::Moving) {
            const int cx = std::clamp(int((s.x[size_t(i)] - hashOrigin_.x) * inv), 0, hx_ - 1);
            const int cy = std::clamp(int((s.y[size_t(i)] - hashOrigin_.y) * inv), 0, hy_ - 1);
            cell = cy * hx_ + cx;
            rmax = std::max(rmax, traits.radius[size_t(i)]);
        }
        agentCell_[size_t(i)] = cell;
    }
    maxRadius_ = rmax;
    for (int i = 0; i < n; ++i)
        if (agentCell_[size_t(i)] >= 0) ++cellStart_[size_t(agentCell_[size_t(i)]) + 1];
    for (size_t c = 1; c < cellStart_.size(); ++c) cellStart_[c] += cellStart_[c - 1];
    const size_t active = size_t(cellStart_.back());
    sortedId_.resize(active);
    std::copy(cellStart_.begin(), cellStart_.end() - 1, fill_.begin());
    for (int i = 0; i < n; ++i) {
        const int32_t c = agentCell_[size_t(i)];
        if (c < 0) {
            rank_[size_t(i)] = -1;
            continue;
        }
        const int32_t k = fill_[size_t(c)]++;
        sortedId_[size_t(k)] = i;
        rank_[size_t(i)] = k;
    }
    const size_t padded = active + kLanes;
    for (std::vector<float>* v : {&sx_, &sy_, &sz_, &sr_}) v->resize(padded);
    const float ox = float(hashOrigin_.x), oy = float(hashOrigin_.y);
#pragma omp parallel for schedule(static) if (active >= size_t(kParallelMin))
    for (int k = 0; k < int(active); ++k) {
        const size_t i = size_t(sortedId_[size_t(k)]);
        sx_[size_t(k)] = float(s.x[i] - double(ox));
        sy_[size_t(k)] = float(s.y[i] - double(oy));
        sz_[size_t(k)] = s.z[i];
        sr_[size_t(k)] = traits.radius[i];
    }
    for (size_t k = active; k < padded; ++k) {
        sx_[k] = sy_[k] = sz_[k] = kFar;
        sr_[k] = 0.0f;
    }
}

namespace {

/// Everything the movement kernel reads and writes, for one step.
struct StepContext {
    // Sorted neighbour data and the hash
    const float *sx, *sy, *sz, *sr;
    const int32_t* cellStart;
    const int32_t* sortedId;
    int hx, hy;
    float invCell;
    float period;        // > 0: periodic in x
    double periodicX0;
    float hashOriginX, hashOriginY;
    float maxRadius;
    // Model
    float T, a, invD, repulsionCut, aw, Dw, awMax, tauDir, zsep;
    double wallGuard;
    double dt;
    const NavGrid* grid;
    const float* levelElevation;
    const CrowdState* s;
    const CrowdTraits* traits;
    // Results (sorted order)
    double *ox, *oy, *owalk;
    float *oz, *oex, *oey, *ov;
    int32_t* olayer;
    uint8_t* okind;
};

struct KernelTotals {
    int64_t overlaps = 0;   // counted from both sides
    int64_t guardHits = 0;
    float maxOverlap = 0.0f;
};

/// Runs of sorted agents in the cells that cover a plan box: agents [begin, end), their x to
/// be shifted by `shift` (periodic images). Cells of a row are consecutive in the sorted order.
struct Runs {
    static constexpr int kMaxRows = 64;  // a box of 32 m at 0.5 m cells
    struct Run {
        int begin, end;
        float shift;
    };
    Run run[3 * kMaxRows];
    int count = 0;

    /// The runs covering [xlo, xhi] x [ylo, yhi] (relative to the hash origin).
    [[gnu::always_inline]] inline void cover(const StepContext& c, float xlo, float xhi, float ylo, float yhi, int ownCellX) {
        count = 0;
        const int ya = std::max(0, int(std::floor(ylo * c.invCell)));
        const int yb = std::min({c.hy - 1, int(std::floor(yhi * c.invCell)), ya + kMaxRows - 1});
        for (int yy = ya; yy <= yb; ++yy) addRow(c, yy, xlo, xhi, ownCellX);
    }

    /// Row yy's cells covering [xlo, xhi], split where they wrap round a periodic boundary.
    [[gnu::always_inline]] inline void addRow(const StepContext& c, int yy, float xlo, float xhi, int ownCellX) {
        int xa = int(std::floor(xlo * c.invCell)), xb = int(std::floor(xhi * c.invCell));
        const int row = yy * c.hx;
        if (c.period <= 0.0f) {
            xa = std::max(xa, 0);
            xb = std::min(xb, c.hx - 1);
            if (xa <= xb) run[count++] = {c.cellStart[row + xa], c.cellStart[row + xb + 1], 0.0f};
            return;
        }
        if (xb - xa + 1 > c.hx) {  // a period shorter than the box: each cell once
            xa = ownCellX - (c.hx - 1) / 2;
            xb = xa + c.hx - 1;
        }
        if (xa < 0) run[count++] = {c.cellStart[row + xa + c.hx], c.cellStart[row + c.hx], -c.period};
        const int ma = std::max(xa, 0), mb = std::min(xb, c.hx - 1);
        if (ma <= mb) run[count++] = {c.cellStart[row + ma], c.cellStart[row + mb + 1], 0.0f};
        if (xb >= c.hx) run[count++] = {c.cellStart[row], c.cellStart[row + xb - c.hx + 1], c.period};
    }
};

/// Repulsion lanes: the sum of -R(s) n, R = a exp((l - s) / D), over the neighbours closer than
/// l + 6 D on the agent's floor; overlaps counted on the way.
struct Repulsion {
    float fx[kLanes] = {}, fy[kLanes] = {}, deepest[kLanes] = {};
    int32_t overlaps[kLanes] = {};

    /// Adds the agents of the runs, straight from the sorted arrays: blocks of kLanes, lanes
    /// past a run's end masked (they read the next run or the padding).
    [[gnu::always_inline]] inline void addRuns(const Runs& runs, const float* __restrict sx, const float* __restrict sy, const float* __restrict sz,
                                               const float* __restrict sr, float xi, float yi, float ri, float zi, float a, float invD, float cut, float zsep) {
        float ax[kLanes], ay[kLanes], dp[kLanes];
        int32_t ov[kLanes];
        for (int l = 0; l < kLanes; ++l) { ax[l] = fx[l]; ay[l] = fy[l]; dp[l] = deepest[l]; ov[l] = overlaps[l]; }
        for (int q = 0; q < runs.count; ++q) {
            const int end = runs.run[q].end;
            const float x0 = xi - runs.run[q].shift;
            for (int k = runs.run[q].begin; k < end; k += kLanes) {
                for (int l = 0; l < kLanes; ++l) {
                    const int idx = k + l;
                    const float dx = sx[idx] - x0, dy = sy[idx] - yi;
                    const float d2 = dx * dx + dy * dy;
                    const float reach = ri + sr[idx];
                    const float interact = reach + cut;
                    const float dz = sz[idx] - zi;
                    const bool ok = (idx < end) & (dz <= zsep) & (dz >= -zsep) & (d2 > 1e-12f) & (d2 < interact * interact);
                    const float d = std::sqrt(d2 > 1e-12f ? d2 : 1e-12f);
                    const float R = a * fastExp((reach - d) * invD) / d;
                    const float w = ok ? R : 0.0f;  // finite either way: d >= 1e-6, the exponent clamped
                    ax[l] -= w * dx;
                    ay[l] -= w * dy;
                    const bool over = ok & (d < reach - 0.01f);
                    ov[l] += over ? 1 : 0;
                    const float depth = over ? reach - d : 0.0f;
                    dp[l] = depth > dp[l] ? depth : dp[l];
                }
            }
        }
        for (int l = 0; l < kLanes; ++l) { fx[l] = ax[l]; fy[l] = ay[l]; deepest[l] = dp[l]; overlaps[l] = ov[l]; }
    }
};

/// Headway lanes: the least (s - l) / T, floored at 0, over the neighbours ahead along
/// (ex, ey) within the corridor of half-width l on the agent's floor.
struct Headway {
    float vmin[kLanes];
    explicit Headway(float v0) { for (float& v : vmin) v = v0; }

    [[gnu::always_inline]] inline void addRuns(const Runs& runs, const float* __restrict sx, const float* __restrict sy, const float* __restrict sz,
                                               const float* __restrict sr, float xi, float yi, float ri, float zi, float ex, float ey, float invT, float zsep) {
        float vm[kLanes];
        for (int l = 0; l < kLanes; ++l) vm[l] = vmin[l];
        for (int q = 0; q < runs.count; ++q) {
            const int end = runs.run[q].end;
            const float x0 = xi - runs.run[q].shift;
            for (int k = runs.run[q].begin; k < end; k += kLanes) {
                for (int l = 0; l < kLanes; ++l) {
                    const int idx = k + l;
                    const float dx = sx[idx] - x0, dy = sy[idx] - yi;
                    const float reach = ri + sr[idx];
                    const float dz = sz[idx] - zi;
                    const float along = dx * ex + dy * ey, across = dy * ex - dx * ey;
                    const bool ok = (idx < end) & (dz <= zsep) & (dz >= -zsep) & (along > 0.0f) & (across < reach) & (across > -reach);
                    const float gap = (std::sqrt(dx * dx + dy * dy) - reach) * invT;
                    const float vc = ok ? (gap > 0.0f ? gap : 0.0f) : 1e30f;
                    vm[l] = vc < vm[l] ? vc : vm[l];
                }
            }
        }
        for (int l = 0; l < kLanes; ++l) vmin[l] = vm[l];
    }
};

/// Moves the Moving agents among sorted agents [begin, end). Built for plain x86-64 and for
/// AVX2 (chosen at run time); both give the same bits (no FMA contraction: AVX2 alone does not
/// enable FMA, and the lanes are summed in a fixed order).
__attribute__((target_clones("avx2", "default")))
void moveAgents(const StepContext& c, int begin, int end, KernelTotals& totals) {
    const CrowdState& s = *c.s;
    const CrowdTraits& traits = *c.traits;
    const NavGrid& grid = *c.grid;
    const float* __restrict sx = c.sx;
    const float* __restrict sy = c.sy;
    const float* __restrict sz = c.sz;
    const float* __restrict sr = c.sr;
    for (int self = begin; self < end; ++self) {
        const size_t i = size_t(c.sortedId[self]);
        c.okind[self] = 0;
        if (s.status[i] != AgentStatus::Moving) continue;
        const float e0x = s.e0x[i], e0y = s.e0y[i];
        if (e0x == 0.0f && e0y == 0.0f) {  // no route: stand
            c.okind[self] = 1;
            continue;
        }
        const float xi = sx[self], yi = sy[self], zi = sz[self], ri = sr[self];
        const int ownCellX = std::clamp(int(xi * c.invCell), 0, c.hx - 1);
        const int layer = s.layer[i];
        const NavLayer& L = grid.layer(layer);

        // Free speed: on a stair, the slope speed up or down converted to plan speed.
        float v0 = traits.v_flat[i];
        Vec2 along{};
        double planPerSlope = 1.0;
        if (L.kind == NavLayer::Kind::Stair) {
            const Stair& st = grid.scene().stairs[size_t(L.index)];
            along = st.along;
            planPerSlope = st.run / st.slope_length;
        }

        // Pass 1, repulsion: every neighbour closer than r_i + r_j + 6 D (beyond it R < a e^-6
        // of the desired direction's weight 1, the model's validated cutoff), in the cells
        // covering that distance. Overlaps are counted on the way.
        Repulsion rep;
        const float cutA = ri + c.maxRadius + c.repulsionCut;
        Runs runs;
        runs.cover(c, xi - cutA, xi + cutA, yi - cutA, yi + cutA, ownCellX);
        rep.addRuns(runs, sx, sy, sz, sr, xi, yi, ri, zi, c.a, c.invD, c.repulsionCut, c.zsep);
        float dirx = e0x, diry = e0y;
        {
            float sxl = 0.0f, syl = 0.0f;
            for (int l = 0; l < kLanes; ++l) {
                sxl += rep.fx[l];
                syl += rep.fy[l];
                totals.overlaps += rep.overlaps[l];
                totals.maxOverlap = std::max(totals.maxOverlap, rep.deepest[l]);
            }
            dirx += sxl;
            diry += syl;
        }

        // Walls act on the direction like a neighbour at the wall.
        const Vec2 pi{s.x[i], s.y[i]};
        const float dw = float(grid.wallDistance(layer, pi));
        if (dw - ri < 6.0f * c.Dw + 0.3f) {
            const Vec2 nw = grid.wallNormal(layer, pi);
            const float Rw = std::min(c.awMax, c.aw * std::exp((ri - dw) / c.Dw));
            dirx += Rw * float(nw.x);
            diry += Rw * float(nw.y);
        }
        const float len = std::sqrt(dirx * dirx + diry * diry);
        float ex = len > 1e-6f ? dirx / len : e0x, ey = len > 1e-6f ? diry / len : e0y;
        // Heading relaxation: the heading turns towards the model's direction with time
        // constant tau instead of jumping to it, so a boxed-in person cannot flip back and
        // forth every step (as in the anticipation velocity model, Xu, Chraibi & Seyfried
        // 2021, Transp. Res. C 133, which relaxes the CSM's direction the same way).
        if (c.tauDir > 0.0f) {
            const float px = s.ex[i], py = s.ey[i];
            if (px != 0.0f || py != 0.0f) {
                const float k = std::min(1.0f, float(c.dt) / c.tauDir);
                // Turning by more than a right angle goes through the perpendicular on the
                // side of the target, so that an exact reversal still turns.
                float tx = ex, ty = ey;
                if (px * ex + py * ey < 0.0f) {
                    const float side = px * ey - py * ex >= 0.0f ? 1.0f : -1.0f;
                    tx = -py * side;
                    ty = px * side;
                }
                const float nx = px + k * (tx - px), ny = py + k * (ty - py);
                const float nl = std::sqrt(nx * nx + ny * ny);
                if (nl > 1e-3f) { ex = nx / nl; ey = ny / nl; }
            }
        }
        if (L.kind == NavLayer::Kind::Stair) {
            const bool up = ex * float(along.x) + ey * float(along.y) > 0.0f;
            v0 = float((up ? traits.v_up[i] : traits.v_down[i]) * planPerSlope);
        }

        // Pass 2, headway: v = min(v0, (s - l_ij) / T) over the agents ahead in the corridor
        // of half-width l_ij = r_i + r_j along e. Only those with s < l_ij + v0 T can slow the
        // agent, so the box searched is the corridor's first r_i + r_max + v0 T metres.
        Headway head(v0);
        {
            const float W = ri + c.maxRadius, H = W + v0 * c.T;
            const float ax = std::abs(ex), ay = std::abs(ey);
            const float xlo = xi + std::min(0.0f, ex * H) - ay * W, xhi = xi + std::max(0.0f, ex * H) + ay * W;
            const float ylo = yi + std::min(0.0f, ey * H) - ax * W, yhi = yi + std::max(0.0f, ey * H) + ax * W;
            const float invT = 1.0f / c.T;
            runs.cover(c, xlo, xhi, ylo, yhi, ownCellX);
            head.addRuns(runs, sx, sy, sz, sr, xi, yi, ri, zi, ex, ey, invT, c.zsep);
        }
        float v = v0;
        for (int l = 0; l < kLanes; ++l) v = std::min(v, head.vmin[l]);

        // Move, with the wall guard; hand over between layers.
        const Vec2 step{ex * v * c.dt, ey * v * c.dt};
        auto accept = [&](Vec2 q, int& newLayer) {
            int l = layer;
            const int cell = grid.cellAt(l, q);
            if (cell < 0) return false;
            const int r = grid.layer(l).redirect[size_t(cell)];
            if (r >= 0) l = grid.layerOfNode(r);
            // The bilinear wall distance changes by at most sqrt(2) per metre moved: far from
            // walls the guard cannot trip and the lookup is skipped.
            const bool farFromWalls = l == layer && dw > c.wallGuard + 1.5 * norm(q - pi) + 1e-3;
            if (!farFromWalls && grid.wallDistance(l, q) < c.wallGuard) return false;
            newLayer = l;
            return true;
        };
        int newLayer = layer;
        Vec2 q = pi + step;
        if (c.period > 0.0f)
            q.x = c.periodicX0 + std::fmod(std::fmod(q.x - c.periodicX0, double(c.period)) + c.period, double(c.period));
        if (v > 0.0f && !accept(q, newLayer)) {
            ++totals.guardHits;
            const Vec2 nq = grid.wallNormal(layer, pi);
            const double inward = dot(step, nq);
            const Vec2 slide = inward < 0.0 ? step - nq * inward : step;
            q = pi + slide;
            if (!accept(q, newLayer)) { q = pi; newLayer = layer; v = 0.0f; }
        }
        c.okind[self] = 2;
        c.ox[self] = q.x;
        c.oy[self] = q.y;
        c.olayer[self] = newLayer;
        const float flat = c.levelElevation[newLayer];  // NavGrid::elevation's level case
        c.oz[self] = std::isnan(flat) ? float(grid.elevation(newLayer, q)) : flat;
        c.oex[self] = ex;
        c.oey[self] = ey;
        c.ov[self] = v;
        c.owalk[self] = double(v) * c.dt / (L.kind == NavLayer::Kind::Stair ? planPerSlope : 1.0);
    }
}

}  // namespace

CrowdStepStats CrowdModel::step(CrowdState& s, const CrowdTraits& traits, double dt) {
    buildNeighbourGrid(s, traits);
    const int active = int(sortedId_.size());
    outX_.resize(size_t(active));
    outY_.resize(size_t(active));
    outWalk_.resize(size_t(active));
    outZ_.resize(size_t(active));
    outEx_.resize(size_t(active));
    outEy_.resize(size_t(active));
    outV_.resize(size_t(active));
    outLayer_.resize(size_t(active));
    outKind_.resize(size_t(active));

    StepContext c;
    c.sx = sx_.data();
    c.sy = sy_.data();
    c.sz = sz_.data();
    c.sr = sr_.data();
    c.cellStart = cellStart_.data();
    c.sortedId = sortedId_.data();
    c.hx = hx_;
    c.hy = hy_;
    c.invCell = float(1.0 / p_.neighbour_cell);
    c.period = float(p_.periodic_length);
    c.periodicX0 = p_.periodic_x0;
    c.hashOriginX = float(hashOrigin_.x);
    c.hashOriginY = float(hashOrigin_.y);
    c.maxRadius = maxRadius_;
    c.T = float(p_.time_gap);
    c.a = float(p_.neighbour_strength);
    c.invD = float(1.0 / p_.neighbour_range);
    c.repulsionCut = 6.0f * float(p_.neighbour_range);  // R < a e^-6 beyond
    c.aw = float(p_.wall_strength);
    c.Dw = float(p_.wall_range);
    c.awMax = float(p_.wall_strength_max);
    c.tauDir = float(p_.direction_relaxation);
    c.zsep = float(p_.level_separation);
    c.wallGuard = p_.wall_guard;
    c.dt = dt;
    c.grid = grid_;
    c.levelElevation = levelElevation_.data();
    c.s = &s;
    c.traits = &traits;
    c.ox = outX_.data();
    c.oy = outY_.data();
    c.owalk = outWalk_.data();
    c.oz = outZ_.data();
    c.oex = outEx_.data();
    c.oey = outEy_.data();
    c.ov = outV_.data();
    c.olayer = outLayer_.data();
    c.okind = outKind_.data();

    // Each agent reads the sorted copy of the current positions and its own state, and writes
    // its results in sorted order; the state is updated afterwards (a double buffer), so the
    // result does not depend on the number of threads or the order of the agents.
    int64_t overlaps = 0, guardHits = 0;
    float maxOverlap = 0.0f;
#pragma omp parallel reduction(+ : overlaps, guardHits) reduction(max : maxOverlap) if (active >= kParallelMin)
    {
        // Static blocks of 64 agents, interleaved: neighbouring agents stay on one thread,
        // and dense and sparse parts of the crowd are shared out.
        constexpr int kBlock = 64;
        const int threads = omp_get_num_threads(), me = omp_get_thread_num();
        KernelTotals totals;
        for (int b = me * kBlock; b < active; b += threads * kBlock) moveAgents(c, b, std::min(active, b + kBlock), totals);
        overlaps += totals.overlaps;
        guardHits += totals.guardHits;
        maxOverlap = std::max(maxOverlap, totals.maxOverlap);
    }
    const int n = int(s.size());
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int i = 0; i < n; ++i) {  // by agent id: each thread writes its own part of the state
        const int k = rank_[size_t(i)];
        if (k < 0 || outKind_[size_t(k)] == 0) continue;
        if (outKind_[size_t(k)] == 1) {
            s.speed[size_t(i)] = 0.0f;
            continue;
        }
        s.x[size_t(i)] = outX_[size_t(k)];
        s.y[size_t(i)] = outY_[size_t(k)];
        s.layer[size_t(i)] = outLayer_[size_t(k)];
        s.z[size_t(i)] = outZ_[size_t(k)];
        s.ex[size_t(i)] = outEx_[size_t(k)];
        s.ey[size_t(i)] = outEy_[size_t(k)];
        s.speed[size_t(i)] = outV_[size_t(k)];
        s.walked[size_t(i)] += outWalk_[size_t(k)];
    }
    CrowdStepStats stats;
    stats.overlapping_pairs = overlaps / 2;
    stats.max_overlap = double(maxOverlap);
    stats.wall_guard_hits = guardHits;
    return stats;
}

}  // namespace safetwin
