// Wind over the gas grid on a staggered (MAC) lattice: u on x-faces, v on y-faces, w on
// z-faces. The first guess is a power-law profile u(z) = u_ref (z/z_ref)^p with Irwin's (1979)
// rural exponent of the Pasquill-Gifford class (REFERENCES.md). It is then made mass
// consistent, as diagnostic wind models do (Sherman 1978, MATHEW): the field u = u0 + grad(phi)
// closest to u0 that is divergence-free in every air cell, with zero normal velocity on faces
// touching a solid cell or the ground. phi solves the Poisson equation
//     sum over open faces (phi_nb - phi_c) / h^2 = -div(u0)_c
// with phi = 0 outside the open (side and top) boundaries, by conjugate gradients
// preconditioned with a geometric multigrid V-cycle (OpenMP).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/gas/GasGrid.hpp"
#include "sim/gas/GaussianPlume.hpp"

namespace safetwin {

struct WindField {
    std::vector<float> u;            // (nz x ny x (nx+1)) x-face velocities [Units: m/s]
    std::vector<float> v;            // (nz x (ny+1) x nx)
    std::vector<float> w;            // ((nz+1) x ny x nx)
    int nx = 0, ny = 0, nz = 0;
    size_t iu(int i, int j, int k) const { return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx + 1) + size_t(i); }
    size_t iv(int i, int j, int k) const { return (size_t(k) * size_t(ny + 1) + size_t(j)) * size_t(nx) + size_t(i); }
    size_t iw(int i, int j, int k) const { return (size_t(k) * size_t(ny) + size_t(j)) * size_t(nx) + size_t(i); }
    void resize(int nx_, int ny_, int nz_);
    /// Velocity at a point by averaging the faces of the cell that holds it. [m/s]
    void cellVelocity(int i, int j, int k, double& ux, double& uy, double& uz) const;
};

struct WindSpec {
    double speed = 3.0;              // at the reference height [Limit: [0, 50]] [Units: m/s]
    double direction = 270.0;        // where the wind comes from, degrees clockwise from north (+y) [Units: deg]
    double reference_height = 10.0;  // [Limit: (0, 200]] [Units: m]
    StabilityClass stability = StabilityClass::D;
};

struct WindSolveStats {
    int iterations = 0;
    double residual = 0.0;           // final relative residual
    double max_divergence = 0.0;     // max |div u| h / u_ref over air cells (dimensionless)
    double max_solid_flux = 0.0;     // largest |velocity| on a face of a solid cell [m/s]
    double seconds = 0.0;            // wall time of the solve
};

struct WindSolveOptions {
    double tolerance = 1e-8;         // relative residual [Limit: (0, 1e-2]]
    int max_iterations = 500;
};

/// The power-law first guess, with faces touching solids and the ground set to zero.
WindField initialWind(const GasGrid& g, const WindSpec& spec);
/// Uniform wind everywhere (no ground, no solids considered) for analytic checks.
WindField uniformWind(const GasGrid& g, double ux, double uy, double uz);
/// Makes `f` mass consistent on grid g (see the header comment).
WindSolveStats makeMassConsistent(const GasGrid& g, WindField& f, const WindSolveOptions& o = {});
/// The divergence of each air cell (u_out - u_in)/h summed over faces. (cells) [1/s]
std::vector<double> windDivergence(const GasGrid& g, const WindField& f);

}  // namespace safetwin
