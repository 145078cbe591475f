#include "sim/gas/GaussianPlume.hpp"

#include <cmath>
#include <numbers>

namespace safetwin {

bool parseStabilityClass(char c, StabilityClass& out) {
    if (c >= 'a' && c <= 'f') c = char(c - 'a' + 'A');
    if (c < 'A' || c > 'F') return false;
    out = StabilityClass(c - 'A');
    return true;
}

char stabilityLetter(StabilityClass s) { return char('A' + int(s)); }

double briggsSigmaY(StabilityClass s, double x) {
    static const double a[] = {0.22, 0.16, 0.11, 0.08, 0.06, 0.04};
    return a[int(s)] * x / std::sqrt(1.0 + 0.0001 * x);
}

double briggsSigmaZ(StabilityClass s, double x) {
    switch (s) {
        case StabilityClass::A: return 0.20 * x;
        case StabilityClass::B: return 0.12 * x;
        case StabilityClass::C: return 0.08 * x / std::sqrt(1.0 + 0.0002 * x);
        case StabilityClass::D: return 0.06 * x / std::sqrt(1.0 + 0.0015 * x);
        case StabilityClass::E: return 0.03 * x / (1.0 + 0.0003 * x);
        case StabilityClass::F: return 0.016 * x / (1.0 + 0.0003 * x);
    }
    return 0.06 * x;
}

double windProfileExponent(StabilityClass s) {
    static const double p[] = {0.07, 0.07, 0.10, 0.15, 0.35, 0.55};
    return p[int(s)];
}

EddyDiffusivity briggsDiffusivity(StabilityClass s, double u, double x) {
    const double sy = briggsSigmaY(s, x), sz = briggsSigmaZ(s, x);
    return {u * sy * sy / (2.0 * x), u * sz * sz / (2.0 * x)};
}

double reflectedVertical(double z, double h, double sz) {
    const double a = (z - h) / sz, b = (z + h) / sz;
    return std::exp(-0.5 * a * a) + std::exp(-0.5 * b * b);
}

double plumeConcentration(double q, double u, double sy, double sz, double y, double z, double h) {
    const double yy = y / sy;
    return q / (2.0 * std::numbers::pi * u * sy * sz) * std::exp(-0.5 * yy * yy) * reflectedVertical(z, h, sz);
}

double puffConcentration(double m, double sx, double sy, double sz, double dx, double y, double z, double h) {
    const double xx = dx / sx, yy = y / sy;
    return m / (std::pow(2.0 * std::numbers::pi, 1.5) * sx * sy * sz) * std::exp(-0.5 * (xx * xx + yy * yy)) *
           reflectedVertical(z, h, sz);
}

}  // namespace safetwin
