// Release rates. A gas escaping through a hole from a pipe or vessel (ideal gas, isentropic
// expansion; REFERENCES.md "Release rate of a gas through a hole", e.g. CCPS/TNO Yellow Book):
//   eta  = max(Pa/P1, (2/(k+1))^(k/(k-1)))           critical pressure ratio
//   rho1 = P1 M / (R T1)
//   mdot = Cd A sqrt(rho1 P1 (2k/(k-1)) (eta^(2/k) - eta^((k+1)/k)))
// which, when choked (Pa/P1 below the critical ratio), equals
//   mdot = Cd A sqrt(k rho1 P1 (2/(k+1))^((k+1)/(k-1))).
// A liquid through a hole: mdot = Cd A sqrt(2 rho_l dP) (Bernoulli).
#pragma once

namespace safetwin {

struct HoleConditions {
    double pressure = 1e6;             // upstream absolute pressure P1 [Limit: > ambient] [Units: Pa]
    double temperature = 293.15;       // upstream temperature T1 [Limit: > 0] [Units: K]
    double diameter = 0.01;            // hole diameter [Limit: > 0] [Units: m]
    double discharge_coefficient = 0.62;  // Cd [Limit: (0, 1]]; 0.6 sharp-edged, 1 conservative
    double ambient_pressure = 101325.0;   // Pa [Units: Pa]
};

struct ReleaseRate {
    double mass_rate = 0.0;            // [Units: kg/s]
    bool choked = false;
    double pressure_ratio = 0.0;       // eta used
};

/// Gas release through a hole; `molar_mass` in kg/mol, `k` = cp/cv.
ReleaseRate gasHoleRelease(const HoleConditions& c, double molar_mass, double k);
/// The critical pressure ratio (2/(k+1))^(k/(k-1)).
double criticalPressureRatio(double k);
/// Liquid release through a hole: Cd A sqrt(2 rho_l (P1 - Pa)). [Units: kg/s]
double liquidHoleRelease(const HoleConditions& c, double liquid_density);

}  // namespace safetwin
