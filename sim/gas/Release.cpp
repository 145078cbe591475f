#include "sim/gas/Release.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sim/gas/Gases.hpp"

namespace safetwin {

double criticalPressureRatio(double k) { return std::pow(2.0 / (k + 1.0), k / (k - 1.0)); }

ReleaseRate gasHoleRelease(const HoleConditions& c, double molar_mass, double k) {
    const double area = 0.25 * std::numbers::pi * c.diameter * c.diameter;
    const double rho1 = c.pressure * molar_mass / (kGasConstant * c.temperature);
    const double crit = criticalPressureRatio(k);
    const double ratio = c.ambient_pressure / c.pressure;
    ReleaseRate r;
    r.choked = ratio <= crit;
    r.pressure_ratio = std::max(ratio, crit);
    const double eta = r.pressure_ratio;
    const double bracket = std::max(0.0, std::pow(eta, 2.0 / k) - std::pow(eta, (k + 1.0) / k));
    r.mass_rate = c.discharge_coefficient * area * std::sqrt(rho1 * c.pressure * (2.0 * k / (k - 1.0)) * bracket);
    return r;
}

double liquidHoleRelease(const HoleConditions& c, double liquid_density) {
    const double area = 0.25 * std::numbers::pi * c.diameter * c.diameter;
    return c.discharge_coefficient * area * std::sqrt(2.0 * liquid_density * std::max(0.0, c.pressure - c.ambient_pressure));
}

}  // namespace safetwin
