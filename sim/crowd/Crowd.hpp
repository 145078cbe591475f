// Crowd state and the operational model.
//
// The model is the collision-free speed model (CSM) of Tordeux, Chraibi & Seyfried (2016),
// "Collision-free speed model for pedestrian dynamics", Traffic and Granular Flow '15,
// pp. 225-232 (arXiv:1512.05597). It is first order: each agent's velocity is a speed times
// a direction, both functions of the current positions only:
//   direction  e_i = u( e0_i + sum_j R(s_ij) n_ji + R_w(d_i) n_w )      u(.) normalises
//              R(s) = a exp((l_ij - s) / D)                              neighbour repulsion
//   speed      v_i = min(v0_i, max(0, (s_i - l_ij) / T))                 s_i: nearest agent
//              ahead in the corridor of width l_ij around e_i
// with e0 the route field's direction, l_ij = r_i + r_j and T the time gap. We chose it over
// the social force model for validity first: it reproduces the fundamental diagram and
// bottleneck flows (checked in `safetwin verify crowd`), agents cannot overlap by
// construction of the speed function, and there are no oscillations or "pushing through
// walls" that force-based models need small steps and contact forces to avoid. Second, it is
// fast: one neighbour pass per step and a stable step of 0.05 s.
//
// Parallel update: every agent reads the current state (its inputs and a float copy of the
// positions gathered in cell order), then all move (results written in cell order and copied
// back by id). The neighbour loops run over each agent's neighbours packed into blocks of 8
// lanes, vectorised, with an AVX-512 build (blocks in pairs) or an AVX2 one chosen at run
// time; the headway reads the repulsion's neighbours first and searches further only when
// they do not settle it. Results depend on neither the thread count, nor the instruction
// set, nor that shortcut (sim/crowd/CrowdModel.cpp, tests/sim/crowd).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/nav/NavGrid.hpp"

namespace safetwin {

enum class AgentStatus : uint8_t { Waiting, Moving, Out, Trapped, Incapacitated };  // Incapacitated: by gas (sim/gas)

/// Mutable state of all agents, structure of arrays, (n) each.
struct CrowdState {
    std::vector<double> x, y;        // plan position [m]
    std::vector<float> z;            // floor elevation under the agent [m]
    std::vector<int32_t> layer;      // NavGrid layer
    std::vector<AgentStatus> status;
    std::vector<float> ex, ey;       // heading (unit)
    std::vector<float> speed;        // plan speed [m/s]
    std::vector<float> e0x, e0y;     // desired direction from the route stage (unit or 0)
    std::vector<double> walked;      // path length walked [m]

    size_t size() const { return x.size(); }
    void resize(size_t n);
};

/// Per-agent constants, (n) each. [Units: m/s, m]
struct CrowdTraits {
    std::vector<float> v_flat, v_up, v_down, radius;
    void resize(size_t n) { v_flat.resize(n); v_up.resize(n); v_down.resize(n); radius.resize(n); }
};

/// CSM parameters. a and D are Tordeux et al.'s (2016) values. The time gap T is calibrated
/// here: with the paper's T = 1 s our speeds at 1.5-3 persons/m^2 lie 20-35 % below Weidmann's
/// fundamental diagram and the bottleneck flow below the laboratory band; T = 0.8 s keeps the
/// fundamental diagram within 0.2 m/s of Weidmann and bottleneck flows of 0.8-2.4 m inside
/// 1.2-2.0 persons/(m s) (see `safetwin verify crowd`). The wall terms are ours (short range, so that walls act
/// like a neighbour standing at the wall).
struct CsmParams {
    double time_gap = 0.8;             // T [Limit: > 0] [Units: s]
    double neighbour_strength = 5.0;   // a [Limit: >= 0]
    double neighbour_range = 0.1;      // D [Limit: > 0] [Units: m]
    double wall_strength = 5.0;        // a_w [Limit: >= 0]
    double wall_range = 0.05;          // D_w [Limit: > 0] [Units: m]
    /// Cap of the wall term relative to the desired direction (weight 1). Uncapped, the
    /// exponential wall push of a person pressed into a corner outweighs everything else, and
    /// two such people can block each other for ever; capped, neighbours and the route still
    /// turn them. [Limit: > 0]
    double wall_strength_max = 3.0;
    /// Time constant of the heading's relaxation towards the model direction; 0 turns it off
    /// (the original CSM). Removes step-to-step heading flips of boxed-in people; the
    /// fundamental diagram is unchanged by it. [Limit: >= 0] [Units: s]
    double direction_relaxation = 0.3;
    /// A move that would bring an agent's centre closer than this to a solid cell is cut to
    /// its tangential part, or dropped: the guard that keeps bodies out of walls whatever the
    /// forces say. [Units: m]
    double wall_guard = 0.05;
    double neighbour_cell = 0.5;       // spatial hash cell [Limit: (0.2, 2]] [Units: m]
    double level_separation = 1.2;     // agents further apart in z do not interact [m]
    /// Periodic boundary in x (corridor experiments): positions wrap into
    /// [periodic_x0, periodic_x0 + periodic_length) when periodic_length > 0. [Units: m]
    double periodic_x0 = 0.0;
    double periodic_length = 0.0;
};

/// Counters of one or more steps (MuJoCo-style warning counters: shown, never fatal).
struct CrowdStepStats {
    int64_t overlapping_pairs = 0;     // pair-steps with bodies overlapping by more than 1 cm
    double max_overlap = 0.0;          // deepest overlap seen [m]
    int64_t wall_guard_hits = 0;       // moves cut or dropped by the wall guard
    int64_t headway_shortcuts = 0;     // speeds settled by the repulsion's neighbours (a shortcut, no effect on results)
    int64_t wall_tile_bounds = 0;      // wall distances a tile's lower bound settled (likewise)
    int64_t neighbour_spills = 0;      // neighbour batches evaluated mid-person to make room (likewise)
    void merge(const CrowdStepStats& o);
};

/// exp(x) from a degree-5 polynomial for 2^f on [-1/2, 1/2] and the exponent bits: relative
/// error below 4e-6 on [-8, 6] (the repulsion's arguments), 5e-6 for |x| <= 20 and 1e-5 for
/// |x| <= 69 (measured in tests/sim/crowd: truncation below 2.5e-6 plus float rounding); the argument is clamped to [-69.3, 69.3] (2^-100 and 2^100, so that nothing
/// underflows into slow subnormal numbers). Branch-free and written so that GCC vectorises it;
/// uses +, *, one conversion and bit operations only, so every instruction set gives the same
/// bits (tests/sim/crowd).
inline float fastExp(float x) {
    const float y0 = x * 1.44269504f;  // log2(e)
    const float y = y0 < -100.0f ? -100.0f : (y0 > 100.0f ? 100.0f : y0);
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds y to an integer
    const float n = (y + magic) - magic;
    const float f = y - n;  // [-1/2, 1/2]
    // 2^f = e^(f ln 2), Taylor series to degree 5: truncation error (ln2 / 2)^6 / 6! < 2.5e-6.
    float p = 1.33335581e-3f;
    p = p * f + 9.61812911e-3f;
    p = p * f + 5.55041087e-2f;
    p = p * f + 2.40226507e-1f;
    p = p * f + 6.93147181e-1f;
    p = p * f + 1.0f;
    const int32_t bits = (int32_t(n) + 127) * (1 << 23);
    float scale;
    __builtin_memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/// Which build of the movement kernel runs: the widest the CPU has (Auto: AVX-512, else AVX2,
/// else plain x86-64), or at most AVX2, or the plain one (Baseline). All give the same bits;
/// tests/sim/crowd checks that.
enum class CrowdKernelIsa { Auto, Avx2, Baseline };
void setCrowdKernelIsa(CrowdKernelIsa isa);
/// The build the next step runs: "avx512", "avx2" or "x86-64".
const char* crowdKernelName();
/// The kernel's shortcuts on or off: the headway read from the repulsion pass's neighbours
/// (CrowdModel.cpp, Pass 3) and the wall tiles (a lower bound of the wall distance, and where
/// no stair hands people over). They give the same bits either way (tests/sim/crowd); off is
/// for those tests only.
void setCrowdShortcuts(bool on);

namespace crowd_detail {
/// A person's inputs to the movement kernel, gathered in cell order each step: one cache line,
/// so that the gather by id writes one line per person.
struct alignas(64) AgentIn {
    double x, y;               // plan position [m]
    float e0x, e0y;            // desired direction
    float ex, ey;              // heading of the last step
    float v0;                  // free speed on flat floor [m/s]
    float z, radius;           // floor elevation, body radius [m]
    float speed;               // plan speed of the last step [m/s]
    int32_t layer;
    uint8_t kind;              // 0 does not move, 1 Moving without a route (stands), 2 Moving
};
/// What the kernel writes for one person, in cell order; copied to the state by id.
struct AgentOut {
    double x, y, walk;         // new position, distance walked this step [m]
    float z, ex, ey, v;
    int32_t layer;
    uint8_t kind;              // as AgentIn::kind: 0 untouched, 1 stands (speed 0), 2 moved
};
/// A layer's wall distance for the kernel's float lookups (the grid's data, never copied).
struct WallField {
    const float* dist;         // (ny x nx) NavLayer::wall_dist
    int nx, ny;
    float fx0, fy0;            // lattice coordinate = hash-relative position / h - (fx0, fy0)
    // Tiles of kWallTile x kWallTile lattice nodes, (tny x tnx), tile (i >> 3, j >> 3) for the
    // lattice coordinate (i + f, j + g):
    const float* low;          // a lower bound of the bilinear wall distance in the tile [m]
    const uint8_t* plain;      // 1: every cell within two of the tile's is the layer's own
    int tnx, tny;
};
constexpr int kWallTileShift = 3;  // tiles of 8 x 8 nodes
}  // namespace crowd_detail

class CrowdModel {
public:
    CrowdModel(const NavGrid& grid, const CsmParams& params);

    /// Moves every Moving agent by one time step from its desired direction e0. Hands agents
    /// between layers (stairs) and updates z. Waiting agents stand still but others see them.
    CrowdStepStats step(CrowdState& s, const CrowdTraits& traits, double dt);

    const CsmParams& params() const { return p_; }

    /// Agent ids in the order of the last step's neighbour grid (cell by cell, rows of cells
    /// south to north): neighbours in space are neighbours here. Waiting and Moving agents only.
    const std::vector<int32_t>& cellOrder() const { return sortedId_; }
    /// (n) each agent's index in cellOrder(), or -1 if not in it; empty before the first step.
    const std::vector<int32_t>& cellRank() const { return rank_; }

private:
    void buildNeighbourGrid(const CrowdState& s, const CrowdTraits& traits);

    const NavGrid* grid_;
    CsmParams p_;
    Vec2 hashOrigin_;
    // Spatial hash (rebuilt every step): rows of cellY_ = 2 neighbour_cell metres (a search
    // circle spans about three), each cut into hx_ cells of cellX_ = neighbour_cell / 4, so
    // that a row's run of cells ends close to the circle's chord. (Measured on the bench room:
    // fewer instructions than rows of 0.5 or 1.5 m, or cells of 0.25 m.)
    double cellX_ = 0.125, cellY_ = 1.0;  // [m]
    int hx_ = 0, hy_ = 0;
    std::vector<int32_t> cellStart_;   // (hx*hy + 1)
    std::vector<int32_t> sortedId_;    // (active)
    std::vector<int32_t> rank_;        // (n) index in sortedId_, or -1 if not in the grid
    std::vector<int32_t> agentCell_;   // (n)
    std::vector<int32_t> fill_;        // (hx*hy) scratch of the counting sort
    // Neighbour data in sorted order, padded with far-away entries so that the neighbour
    // loops may read whole blocks of lanes past the end. Positions relative to hashOrigin_.
    std::vector<float> sx_, sy_, sz_, sr_;   // (active + pad) [m]
    float maxRadius_ = 0.0f;                 // of the agents in the grid [m]
    bool oneFloor_ = true;                   // all agents in the grid at one elevation
    std::vector<float> levelElevation_;      // (layers) a level layer's floor, NaN on stairs [m]
    std::vector<crowd_detail::WallField> walls_;  // (layers), refreshed every step
    // Per layer, WallField's tiles: the lower bounds follow the grid's wall distances
    // (rebuilt when wallVersion() changes), the plain flags its cells (built once).
    std::vector<std::vector<float>> tileLow_;
    std::vector<std::vector<uint8_t>> tilePlain_;
    uint64_t tileVersion_ = ~uint64_t(0);
    void buildWallTiles(bool plainToo);
    // The step's inputs and results in sorted order (results copied to the state by id).
    std::vector<crowd_detail::AgentIn> in_;  // (active)
    std::vector<crowd_detail::AgentOut> out_;  // (active)
};

}  // namespace safetwin
