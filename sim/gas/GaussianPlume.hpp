// Analytic dispersion in open terrain (REFERENCES.md "Gaussian plume", "Gaussian puff"):
//   plume  C = Q / (2 pi u sy sz) exp(-y^2/(2 sy^2)) [exp(-(z-h)^2/(2 sz^2)) + exp(-(z+h)^2/(2 sz^2))]
//   puff   C = M / ((2 pi)^1.5 sx sy sz) exp(-(x-ut)^2/(2 sx^2)) exp(-y^2/(2 sy^2)) [same ground image term]
// x downwind, y crosswind, z up from the ground; the ground reflects (image source at -h).
// Dispersion coefficients: Briggs (1973) open-country curves by Pasquill-Gifford class, or
// sigma^2 = 2 K t for a constant eddy diffusivity K (then the puff is an exact solution of the
// advection-diffusion equation, used to check the grid solver).
#pragma once

namespace safetwin {

enum class StabilityClass { A, B, C, D, E, F };

/// 'A'..'F' -> class; false if not one of them.
bool parseStabilityClass(char c, StabilityClass& out);
char stabilityLetter(StabilityClass s);

/// Briggs (1973) rural sigma_y and sigma_z at downwind distance x [m] (valid ~100 m-10 km). [Units: m]
double briggsSigmaY(StabilityClass s, double x);
double briggsSigmaZ(StabilityClass s, double x);

/// Irwin (1979) rural power-law exponent p of u(z) = u_ref (z/z_ref)^p.
double windProfileExponent(StabilityClass s);

/// Eddy diffusivities matching the Briggs spreads at distance x_ref: K = u sigma(x_ref)^2 / (2 x_ref),
/// from sigma^2 = 2 K t with t = x/u. [Units: m^2/s]
struct EddyDiffusivity {
    double horizontal = 1.0;
    double vertical = 0.5;
};
EddyDiffusivity briggsDiffusivity(StabilityClass s, double wind_speed, double x_ref = 100.0);

/// Ground term [exp(-(z-h)^2/(2 sz^2)) + exp(-(z+h)^2/(2 sz^2))].
double reflectedVertical(double z, double h, double sz);
/// Steady plume [kg/m^3] for source rate q [kg/s], wind u [m/s], release height h [m].
double plumeConcentration(double q, double u, double sy, double sz, double y, double z, double h);
/// Puff [kg/m^3] for mass m [kg]; dx = x - x_centre.
double puffConcentration(double m, double sx, double sy, double sz, double dx, double y, double z, double h);

}  // namespace safetwin
