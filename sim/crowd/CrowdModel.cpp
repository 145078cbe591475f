// The collision-free speed model's step (Crowd.hpp), in four stages:
//   [bin]     agents into the spatial hash by a counting sort (stable: by id within a cell)
//   [gather]  each agent's inputs copied into cell order, read by id once
//   [move]    the kernel: per agent, the neighbours of the search regions (for the
//             repulsion, those inside its circle) packed into contiguous lanes, the
//             repulsion and headway loops over whole blocks of lanes, the wall term, heading
//             relaxation, the move and the wall guard
//   [scatter] results copied back to the state by id
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>

#include "sim/crowd/Crowd.hpp"

namespace safetwin {

using crowd_detail::AgentIn;
using crowd_detail::AgentOut;
using crowd_detail::kWallTileShift;
using crowd_detail::WallField;

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
    headway_shortcuts += o.headway_shortcuts;
    wall_tile_bounds += o.wall_tile_bounds;
    neighbour_spills += o.neighbour_spills;
}

namespace {

std::atomic<CrowdKernelIsa> gIsa{CrowdKernelIsa::Auto};
std::atomic<bool> gShortcuts{true};

}  // namespace

void setCrowdKernelIsa(CrowdKernelIsa isa) { gIsa = isa; }

void setCrowdShortcuts(bool on) { gShortcuts = on; }

namespace {

/// A build of the movement kernel (None: no instruction-set specific step, for the policies).
enum class KernelBuild { None, Baseline, Avx2, Avx512 };

KernelBuild kernelBuild() {
    const CrowdKernelIsa isa = gIsa;
    if (isa == CrowdKernelIsa::Baseline) return KernelBuild::Baseline;
    if (isa == CrowdKernelIsa::Auto && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
        return KernelBuild::Avx512;
    return __builtin_cpu_supports("avx2") ? KernelBuild::Avx2 : KernelBuild::Baseline;
}

}  // namespace

const char* crowdKernelName() {
    switch (kernelBuild()) {
    case KernelBuild::Avx512: return "avx512";
    case KernelBuild::Avx2: return "avx2";
    case KernelBuild::Baseline:
    case KernelBuild::None: break;
    }
    return "x86-64";
}

CrowdModel::CrowdModel(const NavGrid& grid, const CsmParams& params) : grid_(&grid), p_(params) {
    for (const NavLayer& L : grid.layers())
        levelElevation_.push_back(L.kind == NavLayer::Kind::Level ? float(grid.scene().levels[size_t(L.index)].elevation)
                                                                  : std::numeric_limits<float>::quiet_NaN());
    Box2 b = grid.scene().bounds();
    hashOrigin_ = {b.min.x - 2.0, b.min.y - 2.0};
    const double width = b.max.x - b.min.x + 4.0;
    cellY_ = 2.0 * p_.neighbour_cell;
    if (p_.periodic_length > 0.0) {
        // The hash must tile the period exactly so that neighbour cells wrap.
        hashOrigin_.x = p_.periodic_x0;
        hx_ = std::max(3, int(std::floor(p_.periodic_length / (0.5 * p_.neighbour_cell))));
        cellX_ = p_.periodic_length / hx_;
    } else {
        cellX_ = 0.25 * p_.neighbour_cell;
        hx_ = int(std::ceil(width / cellX_)) + 1;
    }
    hy_ = int(std::ceil((b.max.y - b.min.y + 4.0) / cellY_)) + 1;
    cellStart_.assign(size_t(hx_) * size_t(hy_) + 1, 0);
    fill_.assign(size_t(hx_) * size_t(hy_), 0);
    buildWallTiles(true);
}

void CrowdModel::buildWallTiles(bool plainToo) {
    constexpr int kTile = 1 << crowd_detail::kWallTileShift;
    const size_t layers = grid_->layers().size();
    tileLow_.resize(layers);
    if (plainToo) tilePlain_.resize(layers);
    for (size_t l = 0; l < layers; ++l) {
        const NavLayer& L = grid_->layer(int(l));
        const int tnx = (L.nx + kTile - 1) / kTile, tny = (L.ny + kTile - 1) / kTile;
        std::vector<float>& low = tileLow_[l];
        low.assign(size_t(tnx) * size_t(tny), 0.0f);
        for (int tj = 0; tj < tny; ++tj)
            for (int ti = 0; ti < tnx; ++ti) {
                // The bilinear distance anywhere in the tile mixes nodes [k T, k T + T] (those
                // off the layer count 0), so it is at least their least value, less rounding
                // (1 mm covers the float interpolation's).
                float least = std::numeric_limits<float>::infinity();
                for (int j = tj * kTile; j <= tj * kTile + kTile; ++j)
                    for (int i = ti * kTile; i <= ti * kTile + kTile; ++i)
                        least = std::min(least, L.inside(i, j) ? L.wall_dist[size_t(L.at(i, j))] : 0.0f);
                low[size_t(tj) * size_t(tnx) + size_t(ti)] = least - 1e-3f;
            }
        if (!plainToo) continue;
        std::vector<uint8_t>& plain = tilePlain_[l];
        plain.assign(size_t(tnx) * size_t(tny), 0);
        for (int tj = 0; tj < tny; ++tj)
            for (int ti = 0; ti < tnx; ++ti) {
                // A person in the tile is in one of its cells or next to it (float positions);
                // a step shorter than a cell keeps them within one more.
                bool own = true;
                for (int j = tj * kTile - 2; own && j <= tj * kTile + kTile + 2; ++j)
                    for (int i = ti * kTile - 2; own && i <= ti * kTile + kTile + 2; ++i)
                        own = L.inside(i, j) && L.redirect[size_t(L.at(i, j))] < 0;
                plain[size_t(tj) * size_t(tnx) + size_t(ti)] = own ? 1 : 0;
            }
    }
    tileVersion_ = grid_->wallVersion();
}

namespace {

/// Lanes of the neighbour loops: the packed neighbours are handled in blocks of this many,
/// each lane accumulating on its own and the lanes summed in a fixed order at the end, so that
/// the result does not depend on the instruction set (SSE2 or AVX2).
constexpr int kLanes = 8;
/// Below this many agents a step runs on one thread: the fork and barriers of the parallel
/// loops (several per step) cost more than they save, and on a loaded machine a thread that
/// waits for a descheduled partner wastes whole time slices.
constexpr int kParallelMin = 2048;
/// Runs of up to this many agents (most rows of a search region) are copied into the
/// neighbour batches as this many lanes whatever their length: the sorted arrays and the
/// batches have this much padding, and what is copied past a run's end is overwritten.
constexpr int kCopyLanes = 2 * kLanes;
constexpr float kFar = 1e4f;  // position of the padding entries [m] (far, yet no underflow)
// The per-agent loops hand out pieces of this many agents as threads come free (OpenMP's
// dynamic schedule), so that on a loaded machine a descheduled thread does not hold up the
// others; every agent's result is its own, so the schedule changes no result.
#define SAFETWIN_CROWD_SCHEDULE schedule(dynamic, 4096)

}  // namespace

void CrowdModel::buildNeighbourGrid(const CrowdState& s, const CrowdTraits& traits) {
    const int n = int(s.size());
    agentCell_.resize(size_t(n));
    rank_.resize(size_t(n));
    // [bin] Cells in parallel; the counting sort itself is two cheap serial passes.
    const double invX = 1.0 / cellX_, invY = 1.0 / cellY_;
    float rmax = 0.0f;
#pragma omp parallel for SAFETWIN_CROWD_SCHEDULE reduction(max : rmax) if (n >= kParallelMin)
    for (int i = 0; i < n; ++i) {
        int32_t cell = -1;
        if (s.status[size_t(i)] == AgentStatus::Waiting || s.status[size_t(i)] == AgentStatus::Moving) {
            const int cx = std::clamp(int((s.x[size_t(i)] - hashOrigin_.x) * invX), 0, hx_ - 1);
            const int cy = std::clamp(int((s.y[size_t(i)] - hashOrigin_.y) * invY), 0, hy_ - 1);
            cell = cy * hx_ + cx;
            rmax = std::max(rmax, traits.radius[size_t(i)]);
        }
        agentCell_[size_t(i)] = cell;
    }
    maxRadius_ = rmax;
    std::fill(cellStart_.begin(), cellStart_.end(), 0);
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
    // [gather] By id, so that the state is read in order and each agent's inputs are written
    // to one place: the kernel then reads everything in cell order.
    const size_t padded = active + kCopyLanes;
    for (std::vector<float>* v : {&sx_, &sy_, &sz_, &sr_}) v->resize(padded);
    in_.resize(active);
    const float ox = float(hashOrigin_.x), oy = float(hashOrigin_.y);
#pragma omp parallel for SAFETWIN_CROWD_SCHEDULE if (n >= kParallelMin)
    for (int i = 0; i < n; ++i) {
        const int32_t k = rank_[size_t(i)];
        if (k < 0) continue;
        const size_t u = size_t(i);
        AgentIn& a = in_[size_t(k)];
        a.x = s.x[u];
        a.y = s.y[u];
        a.e0x = s.e0x[u];
        a.e0y = s.e0y[u];
        a.ex = s.ex[u];
        a.ey = s.ey[u];
        a.v0 = traits.v_flat[u];
        a.layer = s.layer[u];
        a.z = s.z[u];
        a.radius = traits.radius[u];
        a.speed = s.speed[u];
        a.kind = s.status[u] != AgentStatus::Moving ? 0 : (a.e0x == 0.0f && a.e0y == 0.0f ? 1 : 2);
    }
    float zlo = std::numeric_limits<float>::infinity(), zhi = -zlo;
#pragma omp parallel for SAFETWIN_CROWD_SCHEDULE reduction(min : zlo) reduction(max : zhi) if (n >= kParallelMin)
    for (int k = 0; k < int(active); ++k) {  // the neighbour arrays, in order
        const AgentIn& a = in_[size_t(k)];
        sx_[size_t(k)] = float(a.x - double(ox));
        sy_[size_t(k)] = float(a.y - double(oy));
        sz_[size_t(k)] = a.z;
        sr_[size_t(k)] = a.radius;
        zlo = std::min(zlo, a.z);
        zhi = std::max(zhi, a.z);
    }
    oneFloor_ = !(zhi > zlo);
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
    float invCellX, invCellY, cellY;
    float period;        // > 0: periodic in x
    double periodicX0;
    float maxRadius;
    // Model
    float T, a, invD, repulsionCut, aw, Dw, awMax, tauDir, zsep;
    double wallGuard;
    double dt;
    const NavGrid* grid;
    const float* levelElevation;
    const WallField* walls;
    float invH;          // 1 / nav grid cell
    double cellH;        // nav grid cell [m]
    const CrowdTraits* traits;
    const AgentIn* in;
    AgentOut* out;
    bool shortcuts;  // Pass 3's headway shortcut and the wall tiles (no result depends on them)
};

struct KernelTotals {
    int64_t overlaps = 0;   // counted from both sides
    int64_t guardHits = 0;
    int64_t settled = 0;    // headways settled by the repulsion pass's candidates
    int64_t tileBounds = 0; // wall distances settled by a tile's lower bound
    int64_t spills = 0;     // batches evaluated mid-person (Batch::overflow)
    float maxOverlap = 0.0f;
};

/// Most agents one call of the kernel moves (the scheduling block of CrowdModel::step).
constexpr int kChunk = 64;
/// Candidates the repulsion pass keeps for the headway pass: 64 lanes an agent, where a
/// standing crowd of 6 persons/m^2 needs about 40.
constexpr int kRepulsionCap = kChunk * 64;

/// The repulsion's candidate filter: of sorted agents [b, e), x shifted by `shift`, those
/// with d^2 < cut2 from (xi, yi), appended in order to (x, y, z, r) from n; returns how many.
/// Only they can push (R = 0 at s >= l + 6 D, and cut is r_i + r_max + 6 D), so the others
/// need no lane. One rule, three builds that give the same arrays: AVX-512 compresses 16
/// lanes at a time, AVX2 permutes 8 by a table, x86-64 goes one by one. Each may write
/// past what it keeps (the batch has room); the next run overwrites it.
struct FilterArgs {
    const float *sx, *sy, *sz, *sr;
    float shift, xi, yi, cut2;
};

template <bool kFloors>
[[gnu::always_inline]] inline int filterBaseline(const FilterArgs& a, int b, int e, float* x, float* y, float* z, float* r) {
    int n = 0;
    for (int j = b; j < e; ++j) {
        const float X = a.sx[j] + a.shift, Y = a.sy[j];
        const float dx = X - a.xi, dy = Y - a.yi;
        x[n] = X;
        y[n] = Y;
        if constexpr (kFloors) z[n] = a.sz[j];
        r[n] = a.sr[j];
        n += dx * dx + dy * dy < a.cut2 ? 1 : 0;
    }
    return n;
}

/// For each 8-bit mask, the lanes it keeps in order (then zeros): the AVX2 filter's permutations.
struct CompressTable {
    alignas(32) int32_t lanes[256][8];
    constexpr CompressTable() : lanes{} {
        for (int mask = 0; mask < 256; ++mask) {
            int k = 0;
            for (int l = 0; l < 8; ++l)
                if (mask & (1 << l)) lanes[mask][k++] = l;
        }
    }
};
constexpr CompressTable kCompress8{};

// Plain inline (not always_inline): GCC inlines these only into functions built for their
// instruction set, the kernel's AVX2 and AVX-512 builds, which are the only ones that call them.
template <bool kFloors>
__attribute__((target("avx2"))) inline int filterAvx2(const FilterArgs& a, int b, int e, float* x, float* y, float* z, float* r) {
    const __m256 xi = _mm256_set1_ps(a.xi), yi = _mm256_set1_ps(a.yi), cut2 = _mm256_set1_ps(a.cut2), shift = _mm256_set1_ps(a.shift);
    int n = 0;
    for (int q = b; q < e; q += 8) {
        const int left = e - q;
        const int valid = left >= 8 ? 0xFF : (1 << left) - 1;
        const __m256 X = _mm256_add_ps(_mm256_loadu_ps(a.sx + q), shift), Y = _mm256_loadu_ps(a.sy + q);
        const __m256 dx = _mm256_sub_ps(X, xi), dy = _mm256_sub_ps(Y, yi);
        const __m256 d2 = _mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy));
        const int keep = _mm256_movemask_ps(_mm256_cmp_ps(d2, cut2, _CMP_LT_OQ)) & valid;
        const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress8.lanes[keep]));
        _mm256_storeu_ps(x + n, _mm256_permutevar8x32_ps(X, perm));
        _mm256_storeu_ps(y + n, _mm256_permutevar8x32_ps(Y, perm));
        if constexpr (kFloors) _mm256_storeu_ps(z + n, _mm256_permutevar8x32_ps(_mm256_loadu_ps(a.sz + q), perm));
        _mm256_storeu_ps(r + n, _mm256_permutevar8x32_ps(_mm256_loadu_ps(a.sr + q), perm));
        n += __builtin_popcount(unsigned(keep));
    }
    return n;
}

template <bool kFloors>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) inline int filterAvx512(const FilterArgs& a, int b, int e, float* x, float* y,
                                                                                      float* z, float* r) {
    const __m512 xi = _mm512_set1_ps(a.xi), yi = _mm512_set1_ps(a.yi), cut2 = _mm512_set1_ps(a.cut2), shift = _mm512_set1_ps(a.shift);
    int n = 0;
    for (int q = b; q < e; q += 16) {
        const int left = e - q;
        const __mmask16 valid = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
        const __m512 X = _mm512_add_ps(_mm512_loadu_ps(a.sx + q), shift), Y = _mm512_loadu_ps(a.sy + q);
        const __m512 dx = _mm512_sub_ps(X, xi), dy = _mm512_sub_ps(Y, yi);
        const __m512 d2 = _mm512_add_ps(_mm512_mul_ps(dx, dx), _mm512_mul_ps(dy, dy));
        const __mmask16 keep = _mm512_mask_cmp_ps_mask(valid, d2, cut2, _CMP_LT_OQ);
        _mm512_storeu_ps(x + n, _mm512_maskz_compress_ps(keep, X));
        _mm512_storeu_ps(y + n, _mm512_maskz_compress_ps(keep, Y));
        if constexpr (kFloors) _mm512_storeu_ps(z + n, _mm512_maskz_compress_ps(keep, _mm512_loadu_ps(a.sz + q)));
        _mm512_storeu_ps(r + n, _mm512_maskz_compress_ps(keep, _mm512_loadu_ps(a.sr + q)));
        n += __builtin_popcount(unsigned(keep));
    }
    return n;
}

/// Candidate neighbours of a chunk's agents, gathered from the runs of cells that cover each
/// agent's search region; for the repulsion (Policy::kFilter) only those inside the agent's
/// circle, which the cells' rectangles overshoot by a third or more. An agent's candidates
/// lie one after another from a block boundary, the k-th in lane k % kLanes, so blocks are
/// full whatever the runs' lengths; the rest of its last block is padding far away. The
/// blocks of all the agents are then evaluated in one loop (independent blocks keep the
/// pipeline full instead of waiting on one agent's square roots and divisions), each adding
/// into its owner's lane accumulators in block order.
///
/// The repulsion's batch is large enough to keep a whole chunk's candidates (kRepulsionCap), so
/// that the headway pass can read them again (Pass 3); an agent's candidates stay intact unless
/// the batch had to be evaluated and refilled after them (flushes), which only a crowd far
/// denser than people can stand brings about.
template <class Policy, bool kFloors, int kCapacity = 2048>
struct Batch {
    /// People on more than one floor: compare elevations (else all are equal: no z at all).
    static constexpr bool kLevels = kFloors;
    static constexpr int kCap = kCapacity;  // candidates, a multiple of kLanes
    /// An agent starts only with this much room left, so that it rarely overflows. (People
    /// stand at most about 6 per square metre: 36 candidates in a repulsion circle.)
    static constexpr int kRoom = 512;
    /// 8 floats at any float's alignment (the runs start anywhere).
    typedef float V8 __attribute__((vector_size(kLanes * sizeof(float)), aligned(alignof(float))));
    alignas(32) float x[kCap + kCopyLanes];  // hash-relative, periodic images shifted [m]
    alignas(32) float y[kCap + kCopyLanes];
    alignas(32) float z[kCap + kCopyLanes];
    alignas(32) float r[kCap + kCopyLanes];
    // Segments: agent segAgent[k] (index in the chunk) owns blocks [segBegin[k], segEnd[k]).
    int segAgent[kChunk + 2], segBegin[kChunk + 2], segEnd[kChunk + 2];
    int segments = 0;
    int n = 0;                          // candidates stored
    int agentStart = 0;                 // where the current agent's candidates start
    int agent = -1;
    int spills = 0;                     // overflows
    float filterX = 0.0f, filterY = 0.0f, filterCut2 = 0.0f;  // the agent's circle (Policy::kFilter)
    int flushes = 0;                    // evaluations that made room for more candidates
    int agentFlushes = 0;               // flushes when the current agent began
    // Agent m's candidates are blocks [ownBegin[m], ownEnd[m]); still there after the last
    // agent if ownFlushes[m] == flushes (-1: split by an overflow).
    int ownBegin[kChunk], ownEnd[kChunk], ownFlushes[kChunk];
    Policy& policy;

    explicit Batch(Policy& p) : policy(p) {}

    [[gnu::always_inline]] inline void begin(int m) {
        if (n > kCap - kRoom) {
            evaluate();
            ++flushes;
        }
        agent = m;
        agentStart = n;
        agentFlushes = flushes;
    }
    /// True if agent m's candidates are still in the batch (after finish()).
    [[gnu::always_inline]] inline bool intact(int m) const { return ownFlushes[m] == flushes; }
    [[gnu::always_inline]] inline void end() {
        const V8 far = {kFar, kFar, kFar, kFar, kFar, kFar, kFar, kFar};
        const V8 zero = {};
        *reinterpret_cast<V8*>(x + n) = far;
        *reinterpret_cast<V8*>(y + n) = far;
        if constexpr (kFloors) *reinterpret_cast<V8*>(z + n) = far;
        *reinterpret_cast<V8*>(r + n) = zero;
        const int blocks = (n + kLanes - 1) / kLanes;
        if constexpr (Policy::kWide) {
            // A block more of padding: the 16-lane loops read a lone last block with the 8
            // lanes after it (and drop what those give), which must hold numbers.
            *reinterpret_cast<V8*>(x + n + kLanes) = far;
            *reinterpret_cast<V8*>(y + n + kLanes) = far;
            if constexpr (kFloors) *reinterpret_cast<V8*>(z + n + kLanes) = far;
            *reinterpret_cast<V8*>(r + n + kLanes) = zero;
        }
        segAgent[segments] = agent;
        segBegin[segments] = agentStart / kLanes;
        segEnd[segments++] = blocks;
        ownBegin[agent] = agentStart / kLanes;
        ownEnd[agent] = blocks;
        ownFlushes[agent] = flushes == agentFlushes ? flushes : -1;
        n = blocks * kLanes;
    }
    [[gnu::always_inline]] inline void finish() {
        if (segments > 0) evaluate();
    }
    /// Appends sorted agents [b, e), x shifted by `shift`.
    [[gnu::always_inline]] inline void append(const StepContext& c, int b, int e, float shift) {
        while (n + (e - b) > kCap) {  // rare: more candidates than fit
            const int piece = std::min(e - b, kCap - n);
            copy(c, b, b + piece, shift);
            overflow();
            b += piece;
        }
        copy(c, b, e, shift);
    }
    /// Whole blocks are copied (the sorted arrays are padded), then n advances by the run's
    /// length, so that the next run overwrites what was copied past the end.
    [[gnu::always_inline]] inline void copy(const StepContext& c, int b, int e, float shift) {
        if constexpr (Policy::kFilter != KernelBuild::None) {
            const FilterArgs a{c.sx, c.sy, c.sz, c.sr, shift, filterX, filterY, filterCut2};
            if constexpr (Policy::kFilter == KernelBuild::Avx512)
                n += filterAvx512<kFloors>(a, b, e, x + n, y + n, z + n, r + n);
            else if constexpr (Policy::kFilter == KernelBuild::Avx2)
                n += filterAvx2<kFloors>(a, b, e, x + n, y + n, z + n, r + n);
            else
                n += filterBaseline<kFloors>(a, b, e, x + n, y + n, z + n, r + n);
            return;
        }
        const V8* __restrict qx = reinterpret_cast<const V8*>(c.sx + b);
        const V8* __restrict qy = reinterpret_cast<const V8*>(c.sy + b);
        const V8* __restrict qz = reinterpret_cast<const V8*>(c.sz + b);
        const V8* __restrict qr = reinterpret_cast<const V8*>(c.sr + b);
        V8* __restrict px = reinterpret_cast<V8*>(x + n);
        V8* __restrict py = reinterpret_cast<V8*>(y + n);
        V8* __restrict pz = reinterpret_cast<V8*>(z + n);
        V8* __restrict pr = reinterpret_cast<V8*>(r + n);
        if (e - b <= kCopyLanes) {  // the usual run: a fixed copy, no loop to mispredict
            for (int q = 0; q < kCopyLanes / kLanes; ++q) {  // (+ 0: else GCC turns the copies into memcpy calls)
                px[q] = qx[q] + shift;
                py[q] = qy[q] + 0.0f;
                if constexpr (kFloors) pz[q] = qz[q] + 0.0f;
                pr[q] = qr[q] + 0.0f;
            }
        } else {
            const int blocks = (e - b + kLanes - 1) / kLanes;
            for (int q = 0; q < blocks; ++q) {
                px[q] = qx[q] + shift;
                py[q] = qy[q] + 0.0f;
                if constexpr (kFloors) pz[q] = qz[q] + 0.0f;
                pr[q] = qr[q] + 0.0f;
            }
        }
        n += e - b;
    }
    /// The batch is full in the middle of an agent: its whole blocks are evaluated with the
    /// rest, and its partial last block moves to the front (each candidate keeps its lane).
    [[gnu::noinline]] void overflow() {
        ++spills;
        const int full = n & ~(kLanes - 1);
        segAgent[segments] = agent;
        segBegin[segments] = agentStart / kLanes;
        segEnd[segments++] = full / kLanes;
        policy.blocks(*this);
        segments = 0;
        ++flushes;
        for (int l = 0; l < n - full; ++l) {
            x[l] = x[full + l];
            y[l] = y[full + l];
            if constexpr (kFloors) z[l] = z[full + l];
            r[l] = r[full + l];
        }
        n -= full;
        agentStart = 0;
    }
    [[gnu::always_inline]] inline void evaluate() {
        policy.blocks(*this);
        segments = 0;
        n = 0;
    }
    /// Row yy's cells covering [xlo, xhi] (hash-relative), split where they wrap round a
    /// periodic boundary.
    [[gnu::always_inline]] inline void addRow(const StepContext& c, int yy, float xlo, float xhi, int ownCellX) {
        int xa = int(std::floor(xlo * c.invCellX)), xb = int(std::floor(xhi * c.invCellX));
        const int row = yy * c.hx;
        if (c.period <= 0.0f) {
            xa = std::max(xa, 0);
            xb = std::min(xb, c.hx - 1);
            if (xa <= xb) append(c, c.cellStart[row + xa], c.cellStart[row + xb + 1], 0.0f);
            return;
        }
        if (xb - xa + 1 > c.hx) {  // a period shorter than the region: each cell once
            xa = ownCellX - (c.hx - 1) / 2;
            xb = xa + c.hx - 1;
        }
        if (xa < 0) append(c, c.cellStart[row + xa + c.hx], c.cellStart[row + c.hx], -c.period);
        const int ma = std::max(xa, 0), mb = std::min(xb, c.hx - 1);
        if (ma <= mb) append(c, c.cellStart[row + ma], c.cellStart[row + mb + 1], 0.0f);
        if (xb >= c.hx) append(c, c.cellStart[row], c.cellStart[row + xb - c.hx + 1], c.period);
    }
};

typedef float F8 __attribute__((vector_size(kLanes * sizeof(float))));
typedef int32_t I8 __attribute__((vector_size(kLanes * sizeof(int32_t))));
/// Two blocks of lanes side by side (the AVX-512 build's loops work on pairs of blocks).
typedef float F16 __attribute__((vector_size(2 * kLanes * sizeof(float))));

/// A vector of lanes from memory and back (written with vector types, not loops: in the
/// AVX-512 build GCC is told to prefer 16-lane loops and would leave 8-lane ones scalar).
template <class V, class T>
[[gnu::always_inline]] inline void loadLanes(V& v, const T* p) {
    __builtin_memcpy(&v, p, sizeof v);
}
template <class V, class T>
[[gnu::always_inline]] inline void storeLanes(T* p, const V& v) {
    __builtin_memcpy(p, &v, sizeof v);
}

/// Repulsion lanes of each agent of a chunk: the sum of -R(s) n, R = a exp((l - s) / D), over
/// the neighbours closer than l + 6 D on the agent's floor; overlaps counted on the way.
/// kWide: the blocks two at a time, in 16 lanes (one AVX-512 register), whoever they belong to
/// (a batch's blocks lie one after another), each pair's lanes then added into their owners'
/// 8 accumulators block by block, so that every sum is the one the 8-lane loop makes.
template <bool kWide_, KernelBuild kBuild>
struct Repulsion {
    static constexpr bool kWide = kWide_;
    static constexpr KernelBuild kFilter = kBuild;  // candidates filtered to the circle
    float xi[kChunk], yi[kChunk], zi[kChunk], ri[kChunk];
    // Lane accumulators of the chunk's moving agents, written by their first segment (every
    // agent has one, if empty) from zero where fresh, else from what they hold.
    alignas(32) float fx[kChunk][kLanes];
    alignas(32) float fy[kChunk][kLanes];
    alignas(32) float deepest[kChunk][kLanes];
    alignas(32) int32_t overlaps[kChunk][kLanes];
    bool fresh[kChunk];
    float a, invD, cut, zsep;

    /// Agents [0, count) start from zero (marks them, instead of zeroing 128 bytes each).
    [[gnu::always_inline]] inline void clear(int count) { __builtin_memset(fresh, 1, size_t(count)); }

    /// One lane: the push -R(s) n of candidate idx on the agent at (x0, y0), 0 unless it counts,
    /// and whether and how deep they overlap.
    template <bool kLevels>
    [[gnu::always_inline]] inline void lane(const float* __restrict px, const float* __restrict py, const float* __restrict pz,
                                            const float* __restrict pr, int idx, float x0, float y0, float z0, float r0, float& cx,
                                            float& cy, int32_t& over, float& depth) const {
        const float dx = px[idx] - x0, dy = py[idx] - y0;
        const float d2 = dx * dx + dy * dy;
        const float reach = r0 + pr[idx];
        const float interact = reach + cut;
        const float dz = kLevels ? pz[idx] - z0 : 0.0f;
        // One floor: dz = 0 always passes (the one-floor build runs only with zsep >= 0), and
        // no test is written, which GCC would otherwise build lane by lane from a scalar.
        const bool floorOk = kLevels ? (dz <= zsep) & (dz >= -zsep) : true;
        const bool ok = floorOk & (d2 > 1e-12f) & (d2 < interact * interact);
        const float d = std::sqrt(d2 > 1e-12f ? d2 : 1e-12f);
        const float R = a * fastExp((reach - d) * invD) / d;
        const float w = ok ? R : 0.0f;  // finite either way: d >= 1e-6, the exponent clamped
        cx = w * dx;
        cy = w * dy;
        const bool isOver = ok & (d < reach - 0.01f);
        over = isOver ? 1 : 0;
        depth = isOver ? reach - d : 0.0f;
    }

    template <class B>
    [[gnu::always_inline]] inline void blocks(const B& p) {
        const float* __restrict px = p.x;
        const float* __restrict py = p.y;
        const float* __restrict pz = p.z;
        const float* __restrict pr = p.r;
        if constexpr (kWide) {
            // The blocks of all the segments in order, with their owners.
            int blk[kRepulsionCap / kLanes + 2], own[kRepulsionCap / kLanes + 2];
            int count = 0;
            for (int k = 0; k < p.segments; ++k) {
                const int m = p.segAgent[k];
                if (p.segBegin[k] == p.segEnd[k] && fresh[m]) {  // nobody near: no push
                    storeLanes(fx[m], F8{});
                    storeLanes(fy[m], F8{});
                    storeLanes(deepest[m], F8{});
                    storeLanes(overlaps[m], I8{});
                    fresh[m] = false;
                }
                for (int b = p.segBegin[k]; b < p.segEnd[k]; ++b) {
                    blk[count] = b;
                    own[count++] = m;
                }
            }
            int current = -1;  // whose accumulators are in AX, AY, DP, OV
            F8 AX = {}, AY = {}, DP = {}, c0, c1, d0, d1;
            I8 OV = {}, o0, o1;
            auto enter = [&](int m) __attribute__((always_inline)) {
                if (m == current) return;
                if (current >= 0) {
                    storeLanes(fx[current], AX);
                    storeLanes(fy[current], AY);
                    storeLanes(deepest[current], DP);
                    storeLanes(overlaps[current], OV);
                }
                current = m;
                if (fresh[m]) {
                    AX = AY = DP = F8{};
                    OV = I8{};
                    fresh[m] = false;
                } else {
                    loadLanes(AX, fx[m]);
                    loadLanes(AY, fy[m]);
                    loadLanes(DP, deepest[m]);
                    loadLanes(OV, overlaps[m]);
                }
            };
            for (int t = 0; t < count;) {
                const int b = blk[t], ma = own[t];
                const bool two = t + 1 < count && blk[t + 1] == b + 1;
                const int mb = two ? own[t + 1] : ma;
                alignas(64) float x0[2 * kLanes], y0[2 * kLanes], z0[2 * kLanes], r0[2 * kLanes];
                const float xa = xi[ma], xb = xi[mb], ya = yi[ma], yb = yi[mb], za = zi[ma], zb = zi[mb], ra = ri[ma], rb = ri[mb];
                const F16 vx = {xa, xa, xa, xa, xa, xa, xa, xa, xb, xb, xb, xb, xb, xb, xb, xb};
                const F16 vy = {ya, ya, ya, ya, ya, ya, ya, ya, yb, yb, yb, yb, yb, yb, yb, yb};
                const F16 vz = {za, za, za, za, za, za, za, za, zb, zb, zb, zb, zb, zb, zb, zb};
                const F16 vr = {ra, ra, ra, ra, ra, ra, ra, ra, rb, rb, rb, rb, rb, rb, rb, rb};
                storeLanes(x0, vx);
                storeLanes(y0, vy);
                storeLanes(z0, vz);
                storeLanes(r0, vr);
                alignas(64) float cx[2 * kLanes], cy[2 * kLanes], depth[2 * kLanes];
                alignas(64) int32_t over[2 * kLanes];
                for (int l = 0; l < 2 * kLanes; ++l)
                    lane<B::kLevels>(px, py, pz, pr, b * kLanes + l, x0[l], y0[l], z0[l], r0[l], cx[l], cy[l], over[l], depth[l]);
                enter(ma);
                loadLanes(c0, cx);
                AX -= c0;
                loadLanes(c0, cy);
                AY -= c0;
                loadLanes(o0, over);
                OV += o0;
                loadLanes(d0, depth);
                DP = d0 > DP ? d0 : DP;
                if (two) {
                    enter(mb);
                    loadLanes(c1, cx + kLanes);
                    AX -= c1;
                    loadLanes(c1, cy + kLanes);
                    AY -= c1;
                    loadLanes(o1, over + kLanes);
                    OV += o1;
                    loadLanes(d1, depth + kLanes);
                    DP = d1 > DP ? d1 : DP;
                }
                t += two ? 2 : 1;
            }
            if (current >= 0) {
                storeLanes(fx[current], AX);
                storeLanes(fy[current], AY);
                storeLanes(deepest[current], DP);
                storeLanes(overlaps[current], OV);
            }
            return;
        }
        for (int k = 0; k < p.segments; ++k) {
            const int m = p.segAgent[k];
            const float x0 = xi[m], y0 = yi[m], z0 = zi[m], r0 = ri[m];
            float ax[kLanes] = {}, ay[kLanes] = {}, dp[kLanes] = {};
            int32_t ov[kLanes] = {};
            if (!fresh[m])
                for (int l = 0; l < kLanes; ++l) { ax[l] = fx[m][l]; ay[l] = fy[m][l]; dp[l] = deepest[m][l]; ov[l] = overlaps[m][l]; }
            fresh[m] = false;
            int b = p.segBegin[k];
            for (; b < p.segEnd[k]; ++b) {
                for (int l = 0; l < kLanes; ++l) {
                    float cx, cy, depth;
                    int32_t over;
                    lane<B::kLevels>(px, py, pz, pr, b * kLanes + l, x0, y0, z0, r0, cx, cy, over, depth);
                    ax[l] -= cx;
                    ay[l] -= cy;
                    ov[l] += over;
                    dp[l] = depth > dp[l] ? depth : dp[l];
                }
            }
            for (int l = 0; l < kLanes; ++l) { fx[m][l] = ax[l]; fy[m][l] = ay[l]; deepest[m][l] = dp[l]; overlaps[m][l] = ov[l]; }
        }
    }
};

/// Headway lanes of each agent of a chunk: the least (s - l) / T, floored at 0, over the
/// neighbours ahead along (ex, ey) within the corridor of half-width l on the agent's floor.
/// kWide: an agent's blocks two at a time in 16 lanes, a lone last one with the 8 lanes after
/// it, whose results are dropped.
template <bool kWide_>
struct Headway {
    static constexpr bool kWide = kWide_;
    static constexpr KernelBuild kFilter = KernelBuild::None;  // the box: every candidate
    float xi[kChunk], yi[kChunk], zi[kChunk], ri[kChunk], ex[kChunk], ey[kChunk];
    alignas(32) float vmin[kChunk][kLanes];
    float invT, zsep;

    template <class B>
    [[gnu::always_inline]] inline void blocks(const B& p) {
        const float* __restrict px = p.x;
        const float* __restrict py = p.y;
        const float* __restrict pz = p.z;
        const float* __restrict pr = p.r;
        for (int k = 0; k < p.segments; ++k) {
            const int m = p.segAgent[k];
            const float x0 = xi[m], y0 = yi[m], z0 = zi[m], r0 = ri[m], e0 = ex[m], e1 = ey[m];
            float vm[kLanes];
            for (int l = 0; l < kLanes; ++l) vm[l] = vmin[m][l];
            auto laneSpeed = [&](int idx) __attribute__((always_inline)) {
                const float dx = px[idx] - x0, dy = py[idx] - y0;
                const float reach = r0 + pr[idx];
                const float dz = B::kLevels ? pz[idx] - z0 : 0.0f;
                const float along = dx * e0 + dy * e1, across = dy * e0 - dx * e1;
                const bool floorOk = B::kLevels ? (dz <= zsep) & (dz >= -zsep) : true;  // as in the repulsion
                const bool ok = floorOk & (along > 0.0f) & (across < reach) & (across > -reach);
                const float gap = (std::sqrt(dx * dx + dy * dy) - reach) * invT;
                return ok ? (gap > 0.0f ? gap : 0.0f) : 1e30f;
            };
            int b = p.segBegin[k];
            if constexpr (kWide) {
                F8 VM, v0, v1;
                loadLanes(VM, vm);
                for (; b < p.segEnd[k]; b += 2) {
                    alignas(64) float vc[2 * kLanes];
                    for (int l = 0; l < 2 * kLanes; ++l) vc[l] = laneSpeed(b * kLanes + l);
                    loadLanes(v0, vc);
                    VM = v0 < VM ? v0 : VM;
                    if (b + 1 < p.segEnd[k]) {  // else the lanes after a lone last block: dropped
                        loadLanes(v1, vc + kLanes);
                        VM = v1 < VM ? v1 : VM;
                    }
                }
                storeLanes(vm, VM);
            }
            for (; b < p.segEnd[k]; ++b)
                for (int l = 0; l < kLanes; ++l) {
                    const float vc = laneSpeed(b * kLanes + l);
                    vm[l] = vc < vm[l] ? vc : vm[l];
                }
            for (int l = 0; l < kLanes; ++l) vmin[m][l] = vm[l];
        }
    }

};

/// Blocks of candidates already in a batch, handed to a policy's blocks() again: the headway
/// pass reads the repulsion pass's candidates through it.
template <bool kFloors>
struct BlockView {
    static constexpr bool kLevels = kFloors;
    const float *x, *y, *z, *r;
    int segAgent[kChunk], segBegin[kChunk], segEnd[kChunk];
    int segments = 0;
};

/// Bilinear wall distance (NavGrid::wallDistance in float, from hash-relative coordinates;
/// 0 outside the layer). [m]
[[gnu::always_inline]] inline float wallDistance(const WallField& w, float x, float y, float invH) {
    const float fx = x * invH - w.fx0, fy = y * invH - w.fy0;
    const float flx = std::floor(fx), fly = std::floor(fy);
    const int i = int(flx), j = int(fly);
    const float tx = fx - flx, ty = fy - fly;
    float v00, v10, v01, v11;
    if (i >= 0 && j >= 0 && i + 1 < w.nx && j + 1 < w.ny) {
        const float* d = w.dist + size_t(j) * size_t(w.nx) + size_t(i);
        v00 = d[0];
        v10 = d[1];
        v01 = d[w.nx];
        v11 = d[w.nx + 1];
    } else {
        auto v = [&](int a, int b) { return a >= 0 && b >= 0 && a < w.nx && b < w.ny ? w.dist[size_t(b) * size_t(w.nx) + size_t(a)] : 0.0f; };
        v00 = v(i, j);
        v10 = v(i + 1, j);
        v01 = v(i, j + 1);
        v11 = v(i + 1, j + 1);
    }
    return (v00 * (1.0f - tx) + v10 * tx) * (1.0f - ty) + (v01 * (1.0f - tx) + v11 * tx) * ty;
}

/// True if q lies in layer's own cell (no hand-over to another layer there).
[[gnu::always_inline]] inline bool stays(const NavGrid& grid, int layer, Vec2 q) {
    const int cell = grid.cellAt(layer, q);
    return cell >= 0 && grid.layer(layer).redirect[size_t(cell)] < 0;
}

/// The wall guard: true if a move to q keeps the centre at least `guard` from walls; then
/// newLayer is the layer that owns q (stairs hand over at their ends).
inline bool accept(const NavGrid& grid, int layer, Vec2 q, double guard, int& newLayer) {
    int l = layer;
    const int cell = grid.cellAt(l, q);
    if (cell < 0) return false;
    const int r = grid.layer(l).redirect[size_t(cell)];
    if (r >= 0) l = grid.layerOfNode(r);
    if (grid.wallDistance(l, q) < guard) return false;
    newLayer = l;
    return true;
}

/// Sum of the lanes in a fixed order, (l0 + l4) + (l2 + l6) + ((l1 + l5) + (l3 + l7)), written
/// with vectors so that it stays in registers; the same on every instruction set.
[[gnu::always_inline]] inline float sumLanes(const float* v) {
    F8 a;
    __builtin_memcpy(&a, v, sizeof a);
    const F8 b = a + __builtin_shufflevector(a, a, 4, 5, 6, 7, 0, 1, 2, 3);
    const F8 d = b + __builtin_shufflevector(b, b, 2, 3, 0, 1, 6, 7, 4, 5);
    return d[0] + d[1];
}

/// Moves the Moving agents among sorted agents [begin, end), end - begin <= kChunk, in four
/// passes over them (each a small loop the compiler keeps in registers): repulsion, heading,
/// headway, move. Compiled three times, for plain x86-64, AVX2 and AVX-512 (chosen at run
/// time; kWide, pairs of blocks in 16 lanes, for AVX-512 only); all give the same bits (no FMA
/// contraction: this file is built with -ffp-contract=off, and every sum is made in one fixed
/// order).
template <bool kFloors, KernelBuild kBuild>
[[gnu::always_inline]] inline void moveAgentsBody(const StepContext& c, int begin, int end, KernelTotals& totals) {
    constexpr bool kWide = kBuild == KernelBuild::Avx512;  // pairs of blocks in 16 lanes
    const NavGrid& grid = *c.grid;
    int moving[kChunk];                 // sorted indices of the agents that move
    float dirX[kChunk], dirY[kChunk];   // model direction, then heading
    float freeV[kChunk], speed[kChunk]; // free (plan) speed, then speed
    float wallDist[kChunk];             // wall distance at the agent, or a lower bound of it [m]
    alignas(64) float lastX[kChunk], lastY[kChunk];  // last step's heading
    alignas(64) float wantX[kChunk], wantY[kChunk];  // desired direction e0
    bool plainNear[kChunk];             // every cell near the agent is its layer's own (no stair end)
    int count = 0;
    for (int self = begin; self < end; ++self) {
        c.out[self].kind = c.in[self].kind;
        if (c.in[self].kind == 2) moving[count++] = self;
    }

    // Pass 1, repulsion: every neighbour closer than r_i + r_max + 6 D (beyond it R < a e^-6
    // of the desired direction's weight 1, the model's validated cutoff): per row of cells,
    // the cells that cover the circle's chord, and of their agents those inside the circle.
    // Overlaps are counted on the way.
    Repulsion<kWide, kBuild> rep;
    Batch<Repulsion<kWide, kBuild>, kFloors, kRepulsionCap> repBatch(rep);
    {
        rep.a = c.a;
        rep.invD = c.invD;
        rep.cut = c.repulsionCut;
        rep.zsep = c.zsep;
        rep.clear(count);
        auto& batch = repBatch;
        // Each circle's rows ya..yb. Where there is no period and no circle spans more than
        // kRowSlots rows (the usual case), each row's run of agents is found for all the
        // chunk's agents at once first: one loop over the agents per row, which the compiler
        // vectorises (the cell indices gathered from cellStart); the same operations, so the
        // same runs, as the one-agent-at-a-time loop below.
        constexpr int kRowSlots = 6;
        alignas(64) float px[kChunk], py[kChunk], pcut[kChunk];
        alignas(64) int32_t rowA[kChunk], rowB[kChunk];
        int rowsMax = 0;
        for (int m = 0; m < count; ++m) {
            const int self = moving[m];
            px[m] = c.sx[self];
            py[m] = c.sy[self];
            pcut[m] = c.sr[self] + c.maxRadius + c.repulsionCut;
        }
        for (int m = 0; m < count; ++m) {
            const int ya = int(std::floor((py[m] - pcut[m]) * c.invCellY)), yb = int(std::floor((py[m] + pcut[m]) * c.invCellY));
            rowA[m] = ya > 0 ? ya : 0;
            rowB[m] = yb < c.hy - 1 ? yb : c.hy - 1;
            rowsMax = std::max(rowsMax, rowB[m] - rowA[m] + 1);
        }
        const bool byRow = c.period <= 0.0f && rowsMax <= kRowSlots;
        alignas(64) int32_t runB[kRowSlots][kChunk], runE[kRowSlots][kChunk];
        if (byRow) {
            const float last = float(c.hx - 1);
            const int32_t* __restrict starts = c.cellStart;
            for (int k = 0; k < rowsMax; ++k)
                for (int m = 0; m < count; ++m) {
                    // As below: the hash has a margin round the building, so the cell
                    // coordinates are not negative and truncation is floor.
                    const float xi = px[m], yi = py[m], cut = pcut[m];
                    const int yy = rowA[m] + k;
                    const float y0 = float(yy) * c.cellY;
                    const float below = y0 - yi, above = yi - (y0 + c.cellY);
                    const float dy = below > above ? below : above;
                    const float dyc = dy > 0.0f ? dy : 0.0f;
                    const float h2 = cut * cut - dyc * dyc;
                    const float h = std::sqrt(h2 > 0.0f ? h2 : 0.0f);
                    float fa = (xi - h) * c.invCellX, fb = (xi + h) * c.invCellX;
                    fa = fa > 0.0f ? fa : 0.0f;
                    fb = fb < last ? fb : last;
                    const int row = yy * c.hx, xa = int(fa), xb = int(fb);
                    const bool ok = (yy <= rowB[m]) & (xa <= xb);
                    const int32_t b = starts[ok ? row + xa : 0], e = starts[ok ? row + xb + 1 : 0];
                    runB[k][m] = ok ? b : 0;
                    runE[k][m] = ok ? e : 0;
                }
        }
        for (int m = 0; m < count; ++m) {
            const int self = moving[m];
            const float xi = c.sx[self], yi = c.sy[self];
            const float ri = c.sr[self];
            rep.xi[m] = xi;
            rep.yi[m] = yi;
            rep.zi[m] = c.sz[self];
            rep.ri[m] = ri;
            batch.filterX = xi;
            batch.filterY = yi;
            batch.filterCut2 = pcut[m] * pcut[m];
            batch.begin(m);
            if (byRow) {
                for (int k = 0; k <= rowB[m] - rowA[m]; ++k)
                    if (runE[k][m] > runB[k][m]) batch.append(c, runB[k][m], runE[k][m], 0.0f);
                batch.end();
                continue;
            }
            const int ownCellX = std::clamp(int(xi * c.invCellX), 0, c.hx - 1);
            const float cut = pcut[m];
            const int ya = rowA[m], yb = rowB[m];
            if (c.period > 0.0f) {
                for (int yy = ya; yy <= yb; ++yy) {
                    const float y0 = float(yy) * c.cellY;
                    const float dy = std::max(0.0f, std::max(y0 - yi, yi - (y0 + c.cellY)));
                    const float h = std::sqrt(std::max(0.0f, cut * cut - dy * dy));
                    batch.addRow(c, yy, xi - h, xi + h, ownCellX);
                }
            } else {
                // The common case, lean: the hash has a margin round the building, so the
                // cell coordinates are not negative and truncation is floor.
                const float last = float(c.hx - 1), cut2 = cut * cut;
                for (int yy = ya; yy <= yb; ++yy) {
                    const float y0 = float(yy) * c.cellY;
                    const float below = y0 - yi, above = yi - (y0 + c.cellY);
                    const float dy = below > above ? below : above;
                    const float dyc = dy > 0.0f ? dy : 0.0f;
                    const float h2 = cut2 - dyc * dyc;
                    const float h = std::sqrt(h2 > 0.0f ? h2 : 0.0f);
                    float fa = (xi - h) * c.invCellX, fb = (xi + h) * c.invCellX;
                    fa = fa > 0.0f ? fa : 0.0f;
                    fb = fb < last ? fb : last;
                    const int row = yy * c.hx, xa = int(fa), xb = int(fb);
                    if (xa <= xb) batch.append(c, c.cellStart[row + xa], c.cellStart[row + xb + 1], 0.0f);
                }
            }
            batch.end();
        }
        batch.finish();
        totals.spills += batch.spills;
        I8 overlapLanes = {};
        F8 deepestLanes = {};
        for (int m = 0; m < count; ++m) {
            const AgentIn& in = c.in[moving[m]];
            dirX[m] = in.e0x + sumLanes(rep.fx[m]);
            dirY[m] = in.e0y + sumLanes(rep.fy[m]);
            I8 over;
            F8 deepest;
            __builtin_memcpy(&over, rep.overlaps[m], sizeof over);
            __builtin_memcpy(&deepest, rep.deepest[m], sizeof deepest);
            overlapLanes += over;
            deepestLanes = deepestLanes > deepest ? deepestLanes : deepest;
        }
        for (int l = 0; l < kLanes; ++l) {
            totals.overlaps += overlapLanes[l];
            totals.maxOverlap = std::max(totals.maxOverlap, deepestLanes[l]);
        }
    }

    // Pass 2, heading: walls act on the direction like a neighbour at the wall; then the
    // relaxation of the heading, and on a stair the free speed up or down.
    for (int m = 0; m < count; ++m) {
        const int self = moving[m];
        const AgentIn& in = c.in[self];
        const float ri = c.sr[self];
        const int layer = in.layer;
        float dirx = dirX[m], diry = dirY[m];
        // The tile's lower bound first: where it is far enough from walls for no wall term,
        // it is all Pass 4's guard test needs too (a lower bound only sends a move the long
        // way round, which ends the same); else the bilinear distance.
        const WallField& w = c.walls[layer];
        const float lx = c.sx[self] * c.invH - w.fx0, ly = c.sy[self] * c.invH - w.fy0;
        float low = 0.0f;
        plainNear[m] = false;
        if (c.shortcuts && lx >= 0.0f && ly >= 0.0f) {
            const int ti = int(lx) >> kWallTileShift, tj = int(ly) >> kWallTileShift;
            if (ti < w.tnx && tj < w.tny) {
                const size_t t = size_t(tj) * size_t(w.tnx) + size_t(ti);
                low = w.low[t];
                plainNear[m] = w.plain[t] != 0;
            }
        }
        const float wallReach = 6.0f * c.Dw + 0.3f;
        float dw = low;
        if (low - ri >= wallReach) {
            ++totals.tileBounds;
        } else {
            dw = wallDistance(w, c.sx[self], c.sy[self], c.invH);
            if (dw - ri < wallReach) {
                const Vec2 nw = grid.wallNormal(layer, {in.x, in.y});
                const float Rw = std::min(c.awMax, c.aw * std::exp((ri - dw) / c.Dw));
                dirx += Rw * float(nw.x);
                diry += Rw * float(nw.y);
            }
        }
        wallDist[m] = dw;
        dirX[m] = dirx;
        dirY[m] = diry;
        lastX[m] = in.ex;
        lastY[m] = in.ey;
        wantX[m] = in.e0x;
        wantY[m] = in.e0y;
    }
    // The direction's unit vector, then the heading relaxation: the heading turns towards the
    // model's direction with time constant tau instead of jumping to it, so a boxed-in person
    // cannot flip back and forth every step (as in the anticipation velocity model, Xu, Chraibi
    // & Seyfried 2021, Transp. Res. C 133, which relaxes the CSM's direction the same way).
    // Turning by more than a right angle goes through the perpendicular on the side of the
    // target, so that an exact reversal still turns. Written with selects for all the agents
    // at once (vectorised; what a discarded branch computes is dropped).
    {
        const float k = std::min(1.0f, float(c.dt) / c.tauDir);
        // Whether to relax at all is decided outside the loop (a scalar in the loop's masks
        // would be built lane by lane).
        auto heading = [&](auto relaxing) __attribute__((always_inline)) {
            for (int m = 0; m < count; ++m) {
                const float dirx = dirX[m], diry = dirY[m];
                const float len = std::sqrt(dirx * dirx + diry * diry);
                float ex = len > 1e-6f ? dirx / len : wantX[m], ey = len > 1e-6f ? diry / len : wantY[m];
                if constexpr (decltype(relaxing)::value) {
                    const float px = lastX[m], py = lastY[m];
                    const bool reverse = px * ex + py * ey < 0.0f;
                    const float side = px * ey - py * ex >= 0.0f ? 1.0f : -1.0f;
                    const float tx = reverse ? -py * side : ex, ty = reverse ? px * side : ey;
                    const float nx = px + k * (tx - px), ny = py + k * (ty - py);
                    const float nl = std::sqrt(nx * nx + ny * ny);
                    const bool turn = ((px != 0.0f) | (py != 0.0f)) & (nl > 1e-3f);
                    ex = turn ? nx / nl : ex;
                    ey = turn ? ny / nl : ey;
                }
                dirX[m] = ex;
                dirY[m] = ey;
            }
        };
        if (c.tauDir > 0.0f)
            heading(std::true_type{});
        else
            heading(std::false_type{});
    }
    // On a stair, the free speed up or down.
    for (int m = 0; m < count; ++m) {
        const int self = moving[m];
        const AgentIn& in = c.in[self];
        const int layer = in.layer;
        const float ex = dirX[m], ey = dirY[m];
        float v0 = in.v0;
        const NavLayer& L = grid.layer(layer);
        if (L.kind == NavLayer::Kind::Stair) {
            const Stair& st = grid.scene().stairs[size_t(L.index)];
            const size_t i = size_t(c.sortedId[self]);
            const bool up = ex * float(st.along.x) + ey * float(st.along.y) > 0.0f;
            v0 = float((up ? c.traits->v_up[i] : c.traits->v_down[i]) * (st.run / st.slope_length));
        }
        freeV[m] = v0;
    }

    // Pass 3, headway: v = min(v0, (s - l_ij) / T) over the agents ahead in the corridor of
    // half-width l_ij = r_i + r_j along e. Only those with s < l_ij + v0 T can slow the
    // agent, so the box searched is the corridor's first r_i + r_max + v0 T metres.
    //   In a crowd most people are held up by someone close: then the repulsion pass's
    // candidates settle it. They hold everyone nearer than r_i + r_max + 6 D, so anyone else
    // allows at least (s - l_ij) / T >= 6 D / T; a least speed from them at or below that (less
    // a margin for rounding) is the least over the whole box, bit for bit (a minimum, and
    // candidates ahead beyond the box allow v0 or more). Only the others search the box. Who
    // tries first is guessed from the last step's speed; the guess changes no result.
    {
        Headway<kWide> head;
        head.invT = 1.0f / c.T;
        head.zsep = c.zsep;
        const float settled = (c.repulsionCut - 0.01f) * head.invT;
        bool searched[kChunk];
        {
            BlockView<kFloors> view;
            view.x = repBatch.x;
            view.y = repBatch.y;
            view.z = repBatch.z;
            view.r = repBatch.r;
            for (int m = 0; m < count; ++m) {
                const int self = moving[m];
                searched[m] = false;
                head.xi[m] = c.sx[self];
                head.yi[m] = c.sy[self];
                head.zi[m] = c.sz[self];
                head.ri[m] = c.sr[self];
                head.ex[m] = dirX[m];
                head.ey[m] = dirY[m];
                for (float& v : head.vmin[m]) v = freeV[m];
                if (c.shortcuts && c.in[self].speed <= settled && repBatch.intact(m)) {
                    view.segAgent[view.segments] = m;
                    view.segBegin[view.segments] = repBatch.ownBegin[m];
                    view.segEnd[view.segments++] = repBatch.ownEnd[m];
                    searched[m] = true;
                }
            }
            head.blocks(view);
            for (int k = 0; k < view.segments; ++k) {
                const int m = view.segAgent[k];
                float v = freeV[m];
                for (int l = 0; l < kLanes; ++l) v = std::min(v, head.vmin[m][l]);
                speed[m] = v;
                searched[m] = v <= settled;
                totals.settled += searched[m] ? 1 : 0;
            }
        }
        Batch<Headway<kWide>, kFloors> batch(head);
        for (int m = 0; m < count; ++m) {
            if (searched[m]) continue;
            const int self = moving[m];
            const float xi = c.sx[self], yi = c.sy[self];
            const float ri = c.sr[self];
            const float ex = dirX[m], ey = dirY[m], v0 = freeV[m];
            const int ownCellX = std::clamp(int(xi * c.invCellX), 0, c.hx - 1);
            for (float& v : head.vmin[m]) v = v0;
            const float W = ri + c.maxRadius, H = W + v0 * c.T;
            const float ax = std::abs(ex), ay = std::abs(ey);
            const float xlo = xi + std::min(0.0f, ex * H) - ay * W, xhi = xi + std::max(0.0f, ex * H) + ay * W;
            const float ylo = yi + std::min(0.0f, ey * H) - ax * W, yhi = yi + std::max(0.0f, ey * H) + ax * W;
            const int ya = std::max(0, int(std::floor(ylo * c.invCellY)));
            const int yb = std::min(c.hy - 1, int(std::floor(yhi * c.invCellY)));
            batch.begin(m);
            if (c.period > 0.0f) {
                for (int yy = ya; yy <= yb; ++yy) batch.addRow(c, yy, xlo, xhi, ownCellX);
            } else {
                const float last = float(c.hx - 1);
                float fa = xlo * c.invCellX, fb = xhi * c.invCellX;
                fa = fa > 0.0f ? fa : 0.0f;
                fb = fb < last ? fb : last;
                const int xa = int(fa), xb = int(fb);
                if (xa <= xb)
                    for (int yy = ya; yy <= yb; ++yy) batch.append(c, c.cellStart[yy * c.hx + xa], c.cellStart[yy * c.hx + xb + 1], 0.0f);
            }
            batch.end();
        }
        batch.finish();
        totals.spills += batch.spills;
        for (int m = 0; m < count; ++m) {
            if (searched[m]) continue;
            float v = freeV[m];
            for (int l = 0; l < kLanes; ++l) v = std::min(v, head.vmin[m][l]);
            speed[m] = v;
        }
    }

    // Pass 4, move, with the wall guard; hand over between layers.
    for (int m = 0; m < count; ++m) {
        const int self = moving[m];
        const AgentIn& in = c.in[self];
        AgentOut& out = c.out[self];
        const int layer = in.layer;
        const NavLayer& L = grid.layer(layer);
        const float ex = dirX[m], ey = dirY[m];
        float v = speed[m];
        const Vec2 pi{in.x, in.y};
        const Vec2 step{ex * v * c.dt, ey * v * c.dt};
        int newLayer = layer;
        Vec2 q = pi + step;
        if (c.period > 0.0f)
            q.x = c.periodicX0 + std::fmod(std::fmod(q.x - c.periodicX0, double(c.period)) + c.period, double(c.period));
        if (v > 0.0f) {
            // The bilinear wall distance changes by at most sqrt(2) per metre moved: far from
            // walls the guard cannot trip (unless the move changes layers or wraps round).
            const float dw = wallDist[m];
            const double reach = c.wallGuard + 1.5 * double(v) * c.dt + 1e-3;
            // Where every cell near the agent is the layer's own, a move shorter than a cell stays.
            const bool plainMove = plainNear[m] && double(v) * c.dt < 0.9 * c.cellH;
            if (!(double(dw) > reach && c.period <= 0.0f && (plainMove || stays(grid, layer, q))) &&
                !accept(grid, layer, q, c.wallGuard, newLayer)) {
                ++totals.guardHits;
                const Vec2 nq = grid.wallNormal(layer, pi);
                const double inward = dot(step, nq);
                const Vec2 slide = inward < 0.0 ? step - nq * inward : step;
                q = pi + slide;
                if (!accept(grid, layer, q, c.wallGuard, newLayer)) { q = pi; newLayer = layer; v = 0.0f; }
            }
        }
        out.x = q.x;
        out.y = q.y;
        out.layer = newLayer;
        const float flat = c.levelElevation[newLayer];  // NavGrid::elevation's level case
        out.z = std::isnan(flat) ? float(grid.elevation(newLayer, q)) : flat;
        out.ex = ex;
        out.ey = ey;
        out.v = v;
        out.walk = double(v) * c.dt;  // the distance along the floor: on a stair, along its slope
        if (L.kind == NavLayer::Kind::Stair) {
            const Stair& st = grid.scene().stairs[size_t(L.index)];
            out.walk /= st.run / st.slope_length;
        }
    }
}

template <bool kFloors>
__attribute__((target("avx2"))) void moveAgentsAvx2(const StepContext& c, int begin, int end, KernelTotals& totals) {
    moveAgentsBody<kFloors, KernelBuild::Avx2>(c, begin, end, totals);
}

// prefer-vector-width=512: GCC's default tuning would split the 16-lane loops into two
// 256-bit halves.
template <bool kFloors>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512"))) void moveAgentsAvx512(const StepContext& c, int begin, int end,
                                                                                                        KernelTotals& totals) {
    moveAgentsBody<kFloors, KernelBuild::Avx512>(c, begin, end, totals);
}

template <bool kFloors>
void moveAgentsBaseline(const StepContext& c, int begin, int end, KernelTotals& totals) {
    moveAgentsBody<kFloors, KernelBuild::Baseline>(c, begin, end, totals);
}

}  // namespace

CrowdStepStats CrowdModel::step(CrowdState& s, const CrowdTraits& traits, double dt) {
    buildNeighbourGrid(s, traits);
    const int active = int(sortedId_.size());
    out_.resize(size_t(active));
    // The layers' wall distances, from the grid's current data (a door event recomputes them).
    const double h = grid_->cell();
    const float ox = float(hashOrigin_.x), oy = float(hashOrigin_.y);
    if (grid_->wallVersion() != tileVersion_) buildWallTiles(false);
    walls_.resize(grid_->layers().size());
    for (size_t l = 0; l < walls_.size(); ++l) {
        const NavLayer& L = grid_->layer(int(l));
        constexpr int kTile = 1 << crowd_detail::kWallTileShift;
        walls_[l] = {L.wall_dist.data(),
                     L.nx,
                     L.ny,
                     float((grid_->origin().x - double(ox)) / h + 0.5 + L.i0),
                     float((grid_->origin().y - double(oy)) / h + 0.5 + L.j0),
                     tileLow_[l].data(),
                     tilePlain_[l].data(),
                     (L.nx + kTile - 1) / kTile,
                     (L.ny + kTile - 1) / kTile};
    }

    StepContext c;
    c.sx = sx_.data();
    c.sy = sy_.data();
    c.sz = sz_.data();
    c.sr = sr_.data();
    c.cellStart = cellStart_.data();
    c.sortedId = sortedId_.data();
    c.hx = hx_;
    c.hy = hy_;
    c.invCellX = float(1.0 / cellX_);
    c.invCellY = float(1.0 / cellY_);
    c.cellY = float(cellY_);
    c.period = float(p_.periodic_length);
    c.periodicX0 = p_.periodic_x0;
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
    c.walls = walls_.data();
    c.invH = float(1.0 / h);
    c.cellH = h;
    c.traits = &traits;
    c.in = in_.data();
    c.out = out_.data();
    c.shortcuts = gShortcuts;
    // One floor (every z equal, the common case): the kernel built without elevations, which
    // gives the same bits (dz = 0 passes the floor test, unless a separation below zero has
    // nobody interact: then the general build).
    using Kernel = void (*)(const StepContext&, int, int, KernelTotals&);
    const bool flat = oneFloor_ && c.zsep >= 0.0f;
    Kernel kernel = flat ? moveAgentsBaseline<false> : moveAgentsBaseline<true>;
    switch (kernelBuild()) {
    case KernelBuild::Avx512: kernel = flat ? moveAgentsAvx512<false> : moveAgentsAvx512<true>; break;
    case KernelBuild::Avx2: kernel = flat ? moveAgentsAvx2<false> : moveAgentsAvx2<true>; break;
    case KernelBuild::Baseline:
    case KernelBuild::None: break;
    }

    // [move] Each agent reads the sorted copy of the current positions and its own inputs, and
    // writes its results in sorted order; the state is updated afterwards (a double buffer),
    // so the result does not depend on the number of threads or the order of the agents.
    int64_t overlaps = 0, guardHits = 0, settled = 0, tileBounds = 0, spills = 0;
    float maxOverlap = 0.0f;
#pragma omp parallel reduction(+ : overlaps, guardHits, settled, tileBounds, spills) reduction(max : maxOverlap) if (active >= kParallelMin)
    {
        // Chunks of kChunk agents handed out as threads come free: a thread that the machine
        // deschedules for a while holds up nobody (the results do not depend on who moves
        // whom: every agent writes its own output, and the totals are sums and a maximum).
        KernelTotals totals;
        const int chunks = (active + kChunk - 1) / kChunk;
#pragma omp for schedule(dynamic, 4) nowait
        for (int k = 0; k < chunks; ++k) kernel(c, k * kChunk, std::min(active, (k + 1) * kChunk), totals);
        overlaps += totals.overlaps;
        guardHits += totals.guardHits;
        settled += totals.settled;
        tileBounds += totals.tileBounds;
        spills += totals.spills;
        maxOverlap = std::max(maxOverlap, totals.maxOverlap);
    }
    // [scatter]
    const int n = int(s.size());
#pragma omp parallel for SAFETWIN_CROWD_SCHEDULE if (n >= kParallelMin)
    for (int i = 0; i < n; ++i) {  // by agent id: each thread writes its own part of the state
        const int k = rank_[size_t(i)];
        if (k < 0) continue;
        const AgentOut& o = out_[size_t(k)];
        if (o.kind == 0) continue;
        if (o.kind == 1) {
            s.speed[size_t(i)] = 0.0f;
            continue;
        }
        s.x[size_t(i)] = o.x;
        s.y[size_t(i)] = o.y;
        s.layer[size_t(i)] = o.layer;
        s.z[size_t(i)] = o.z;
        s.ex[size_t(i)] = o.ex;
        s.ey[size_t(i)] = o.ey;
        s.speed[size_t(i)] = o.v;
        s.walked[size_t(i)] += o.walk;
    }
    CrowdStepStats stats;
    stats.overlapping_pairs = overlaps / 2;
    stats.max_overlap = double(maxOverlap);
    stats.wall_guard_hits = guardHits;
    stats.headway_shortcuts = settled;
    stats.wall_tile_bounds = tileBounds;
    stats.neighbour_spills = spills;
    return stats;
}

}  // namespace safetwin
