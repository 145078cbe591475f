// Advection and diffusion of a passive gas on the gas grid: a conservative finite-volume scheme
// on the MAC wind field. Each face flux is
//   F = a C_up + 1/2 |a| (1 - |a| dt/h) phi(r) (C_down - C_up)  -  K (C_R - C_L) / h
// (flux-limited Lax-Wendroff advection, Sweby 1984, with van Leer's limiter
// phi(r) = (r + |r|)/(1 + |r|), r the ratio of the upwind to the local gradient; second order
// where smooth, monotone at fronts), plus gradient diffusion with eddy diffusivities K_h and
// K_z. Faces of solid cells and the ground carry no flux; air enters open boundaries clean and
// leaves them by upwind advection. Every face flux is added to one cell and taken from the
// other, so mass changes only through open boundaries and sources.
// The time step satisfies  sum_d max|u_d| dt / (cfl h) + 2 (2 K_h + K_z) dt / h^2 <= 1,
// which keeps every update a convex combination for the first-order part (no negatives).
//
// Speed (bench gas): one sweep per step computes each face flux once (advection and diffusion
// fused), row by row with x innermost and no branches in the interior loops (they vectorise);
// solid faces are masked arithmetically. Cells are updated in parallel by z-slabs (OpenMP,
// static schedule); the result does not depend on the number of threads. With
// TransportOptions::active_box only the active box is swept: the bounding box of the nonzero cells grown by one cell, since a face flux is
// exactly 0 when both its cells are 0 (its upwind value, its limited slope and its gradient
// all vanish), so a cell two or more cells from any gas stays exactly 0 over a step. The box
// is recomputed from the new field every step, so it also shrinks (a cloud blown out of the
// grid). Callers that add gas between steps in cells outside the box say so with touch(),
// and invalidate() after any other change (a new vector: its address may be a freed one's).
#pragma once

#include <cstddef>
#include <vector>

#include "sim/gas/GasGrid.hpp"
#include "sim/gas/Wind.hpp"

namespace safetwin {

struct TransportOptions {
    double horizontal_diffusivity = 1.0;  // K_h [Limit: >= 0] [Units: m^2/s]
    double vertical_diffusivity = 0.5;    // K_z [Limit: >= 0] [Units: m^2/s]
    double cfl = 0.4;                     // advective Courant number [Limit: (0, 0.5]]
    bool limiter = true;                  // false: first-order upwind
    /// Concentration of the air entering through the x-low boundary, held there as a Dirichlet
    /// value for diffusion too (the Ogata-Banks check); 0 = clean air. [Units: kg/m^3]
    double inflow_x_low = 0.0;
    /// Sweep only the active box (below). The caller then passes the vector the last step
    /// returned, reports cells it changed in place outside the box with touch(), and calls
    /// invalidate() for any other change. false: every cell every step.
    bool active_box = false;
};

/// Cells [i0, i1) x [j0, j1) x [k0, k1); empty when any range is.
struct CellBox {
    int i0 = 0, i1 = 0, j0 = 0, j1 = 0, k0 = 0, k1 = 0;
    bool empty() const { return i0 >= i1 || j0 >= j1 || k0 >= k1; }
    size_t cells() const { return empty() ? 0 : size_t(i1 - i0) * size_t(j1 - j0) * size_t(k1 - k0); }
};

class Transport {
public:
    Transport(const GasGrid& grid, const WindField& wind, const TransportOptions& options);

    /// The largest stable step for this wind and these diffusivities. [Units: s]
    double stableDt() const { return dtMax_; }
    /// C (cells, kg/m^3) advanced by dt <= stableDt(). Solid cells stay 0.
    void step(std::vector<double>& C, double dt);
    /// Cell c of the vector last returned by step() was changed in place (a source).
    void touch(size_t c);
    /// The next step scans its vector in full (after the grid's solid cells or C changed
    /// anywhere).
    void invalidate() { lastOut_ = nullptr; }
    /// The wind or the grid's solid cells changed (a door): the stable step is recomputed and
    /// the next step scans its vector in full. The outflow so far is kept.
    void refresh();
    /// Mass that left through open boundaries so far. [Units: kg]
    double outflow() const { return outflow_; }
    /// Total mass of a field. [Units: kg]
    double mass(const std::vector<double>& C) const;
    /// The box swept by the last step, and the nonzero box of its result.
    const CellBox& sweptBox() const { return swept_; }
    const CellBox& activeBox() const { return active_; }

private:
    CellBox nonzeroBox(const std::vector<double>& C) const;

    const GasGrid* g_;
    const WindField* w_;
    TransportOptions o_;
    double dtMax_ = 0.0;
    double outflow_ = 0.0;
    std::vector<double> next_;
    const double* lastOut_ = nullptr;  // C.data() after the last step
    CellBox active_;                   // holds every nonzero of the last result (and touches)
    CellBox stale_;                    // holds every nonzero of next_ (the previous field)
    CellBox swept_;
    struct Scratch {
        std::vector<double> fzLo, fzHi, fyLo, fyHi, fx;  // (nx ny), (nx ny), (nx), (nx), (nx+1)
    };
    std::vector<Scratch> scratch_;     // (threads)
    struct BoxAcc {                    // nonzero rows seen by one thread in a step
        int i0 = 1 << 30, i1 = -1, j0 = 1 << 30, j1 = -1, k0 = 1 << 30, k1 = -1;
        void addRow(int j, int k, int first, int last);  // cells [first, last] of row (j, k)
        void merge(const BoxAcc& o);
        CellBox box() const { return i1 < 0 ? CellBox{} : CellBox{i0, i1, j0, j1, k0, k1}; }
    };
    std::vector<BoxAcc> boxes_;        // (threads)
    std::vector<double> zeroRow_;      // (nx) zeros for missing neighbours
    std::vector<uint8_t> solidRow_;    // (nx) ones for missing neighbours
};

}  // namespace safetwin
