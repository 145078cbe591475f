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
// Cells are updated in parallel by z-slabs (OpenMP); the result does not depend on the number
// of threads.
#pragma once

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
};

class Transport {
public:
    Transport(const GasGrid& grid, const WindField& wind, const TransportOptions& options);

    /// The largest stable step for this wind and these diffusivities. [Units: s]
    double stableDt() const { return dtMax_; }
    /// C (cells, kg/m^3) advanced by dt <= stableDt(). Solid cells stay 0.
    void step(std::vector<double>& C, double dt);
    /// Mass that left through open boundaries so far. [Units: kg]
    double outflow() const { return outflow_; }
    /// Total mass of a field. [Units: kg]
    double mass(const std::vector<double>& C) const;

private:
    const GasGrid* g_;
    const WindField* w_;
    TransportOptions o_;
    double dtMax_ = 0.0;
    double outflow_ = 0.0;
    std::vector<double> next_;
};

}  // namespace safetwin
