// The gas verification suite (`safetwin verify gas`, tests/sim/gas): the grid solver against
// exact solutions and conservation laws, the release-rate formula against a hand calculation,
// and a coupled evacuation (REFERENCES.md "Gas dispersion"). Each check returns the figure
// its criterion applies to, the criterion and PASS/FAIL, with supporting numbers in `detail`.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace safetwin {

struct GasCheck {
    std::string name;
    double measured = 0.0;
    std::string unit;
    std::string criterion;
    bool pass = false;
    std::string detail;
};

/// Names of all checks, in the order they run.
std::vector<std::string> gasCheckNames();
/// Runs the checks whose names begin with `only` (all if empty); InputError if none matches.
std::vector<GasCheck> verifyGas(const std::string& only, const std::function<void(const GasCheck&)>& onResult = {});

namespace gasverify {
// Individual checks (each self-contained).
std::vector<GasCheck> puff();          // mass, centroid, spread, peak, order of convergence
GasCheck plume();                      // continuous source vs Gaussian plume with reflection
std::vector<GasCheck> closedBox();     // mass to round-off, no negatives
std::vector<GasCheck> windBlock();     // divergence-free, no flow into solids
GasCheck ogataBanks();                 // 1D step vs Ogata-Banks
std::vector<GasCheck> releaseRate();   // choked and unchoked vs hand calculation
std::vector<GasCheck> coupled();       // leak upwind of a room, detector, rerouting, doses
}  // namespace gasverify

}  // namespace safetwin
