// The table of gases SafeTwin knows: molar mass, exposure thresholds (AEGL-2/3, IDLH),
// flammability limits, probit constants and whether the gas is denser than air as released.
// Values are those of ../shared/REFERENCES.md ("Thresholds", "Dose and incapacitation");
// molar masses and heat capacity ratios from standard tables (NIST Chemistry WebBook).
// Concentrations: ppm by volume at the user-facing edge, kg/m^3 inside (20 C, 101325 Pa).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace safetwin {

/// Reference state of the ppm <-> kg/m^3 conversion: 20 C and one standard atmosphere.
constexpr double kGasRefTemperature = 293.15;     // [Units: K]
constexpr double kGasRefPressure = 101325.0;      // [Units: Pa]
constexpr double kGasConstant = 8.314462618;      // [Units: J/(mol K)]
constexpr double kAirMolarMass = 0.028965;        // [Units: kg/mol]

struct ProbitConstants {
    double a = 0.0, b = 0.0, n = 1.0;  // Pr = a + b ln(C^n t), C in mg/m^3, t in min (TNO)
};

struct GasProperties {
    std::string id;                    // e.g. "ammonia"
    std::string formula;               // e.g. "NH3"
    double molar_mass = 0.0;           // [Units: kg/mol]
    double heat_capacity_ratio = 1.4;  // k = cp/cv of the gas (release rate)
    // Thresholds in ppm; nullopt where REFERENCES.md gives none.
    std::optional<double> aegl2[3];    // 10, 30, 60 min
    std::optional<double> aegl3[3];    // 10, 30, 60 min
    std::optional<double> idlh;
    std::optional<double> lel_percent, uel_percent;  // [Units: % by volume]
    std::optional<ProbitConstants> probit;           // lethality probit
    bool purser_co = false;            // fractional effective dose (Purser) applies
    bool dense = false;                // denser than air as usually released
    std::string dense_note;            // why, shown in results when it is treated as passive

    /// kg/m^3 of one ppm at 20 C, 101325 Pa: 1e-6 P M / (R T).
    double kgPerM3PerPpm() const { return 1e-6 * kGasRefPressure * molar_mass / (kGasConstant * kGasRefTemperature); }
    double ppmToKgM3(double ppm) const { return ppm * kgPerM3PerPpm(); }
    double kgM3ToPpm(double c) const { return c / kgPerM3PerPpm(); }
    /// Default tenability limit [ppm]: IDLH, else AEGL-3 (10 min), else 10 % of the LEL.
    double defaultTenabilityPpm() const;
};

/// The gas of that id (case-insensitive; "h2s", "co", "lng" and formulas accepted), or null.
const GasProperties* findGas(const std::string& name);
/// Ids of all gases in the table.
std::vector<std::string> gasNames();

}  // namespace safetwin
