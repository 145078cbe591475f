// A strong source in a small cell: its injection is a spike of one cell each step, and the
// transport that follows must keep the field within its bounds (no negatives, no new maximum
// in a divergence-free wind), so no spreading over several cells is needed for stability.
#include <catch2/catch.hpp>

#include <algorithm>

#include "sim/gas/GasGrid.hpp"
#include "sim/gas/Transport.hpp"
#include "sim/gas/Wind.hpp"

using namespace safetwin;

TEST_CASE("A one-cell source spike keeps the transport within its bounds", "[gas]") {
    // 0.5 m cells (the smallest allowed), 3 m/s across the grid, 1 kg/s into one cell: each
    // step adds about 0.3 kg/m^3 to a single cell of clean air.
    GasGrid g(40, 16, 12, 0.5);
    const WindField w = uniformWind(g, 3.0, 0.4, 0.0);
    TransportOptions to;
    to.horizontal_diffusivity = 0.3;
    to.vertical_diffusivity = 0.1;
    Transport tr(g, w, to);
    std::vector<double> C(g.cells(), 0.0);
    const size_t src = g.at(5, 8, 4);
    const double dt = tr.stableDt(), V = g.h * g.h * g.h;
    double released = 0.0;
    for (int s = 0; s < 300; ++s) {
        C[src] += 1.0 * dt / V;
        tr.touch(src);
        released += dt;
        const double before = *std::max_element(C.begin(), C.end());
        tr.step(C, dt);
        const auto [lo, hi] = std::minmax_element(C.begin(), C.end());
        REQUIRE(*lo >= 0.0);
        REQUIRE(*hi <= before * (1.0 + 1e-12));
    }
    // Everything released is in the grid or has left it.
    CHECK(tr.mass(C) + tr.outflow() == Approx(released).epsilon(1e-12));
    // The maximum is at the source or the cell it has just been carried into (downwind in x).
    const size_t top = size_t(std::max_element(C.begin(), C.end()) - C.begin());
    CHECK((top == src || top == src + 1));
}
