// The gas solver against exact solutions and conservation laws (sim/gas/GasVerification.cpp
// derives every expected number: analytic puff and plume, Ogata-Banks, hand-computed release
// rates). Each check must pass; a few figures are also asserted here directly.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/gas/GasVerification.hpp"
#include "sim/gas/Gases.hpp"
#include "sim/gas/GaussianPlume.hpp"
#include "sim/gas/Release.hpp"

using namespace safetwin;

namespace {
void requireAll(const std::vector<GasCheck>& checks) {
    REQUIRE(!checks.empty());
    for (const GasCheck& c : checks) {
        INFO(c.name << ": measured " << c.measured << " " << c.unit << ", criterion " << c.criterion << "; " << c.detail);
        CHECK(c.pass);
    }
}
}  // namespace

TEST_CASE("Gas puff in uniform wind matches the exact solution and converges", "[gas]") { requireAll(gasverify::puff()); }

TEST_CASE("Continuous source matches the reflected Gaussian plume beyond ten cells", "[gas]") { requireAll({gasverify::plume()}); }

TEST_CASE("Closed box conserves mass to round-off and stays non-negative", "[gas]") { requireAll(gasverify::closedBox()); }

TEST_CASE("Mass-consistent wind around a block building", "[gas]") { requireAll(gasverify::windBlock()); }

TEST_CASE("Ogata-Banks 1D step", "[gas]") {
    const GasCheck c = gasverify::ogataBanks();
    requireAll({c});
    CHECK(c.measured == Approx(0.8384).margin(0.005));
}

TEST_CASE("Release rate through a hole", "[gas]") {
    requireAll(gasverify::releaseRate());
    SECTION("the general formula at the critical ratio equals the choked form") {
        HoleConditions c;
        const double k = 1.4;
        c.pressure = c.ambient_pressure / criticalPressureRatio(k) * 0.999999;  // just unchoked
        const ReleaseRate a = gasHoleRelease(c, 0.029, k);
        c.pressure = c.ambient_pressure / criticalPressureRatio(k) * 1.5;       // choked, scale by P
        const ReleaseRate b = gasHoleRelease(c, 0.029, k);
        CHECK_FALSE(a.choked);
        CHECK(b.choked);
        // Choked flow is linear in P1 (rho1 P1 ~ P1^2 under the root).
        CHECK(b.mass_rate / a.mass_rate == Approx(1.5 / 0.999999).epsilon(1e-5));
    }
}

TEST_CASE("Gas table and unit conversions", "[gas]") {
    const GasProperties* nh3 = findGas("NH3");
    REQUIRE(nh3);
    CHECK(nh3->id == "ammonia");
    // 1 ppm of ammonia at 20 C: 1e-6 * 101325 * 0.017031 / (8.314462618 * 293.15) kg/m^3 = 0.708 mg/m^3.
    CHECK(nh3->ppmToKgM3(1.0) * 1e6 == Approx(0.70798).epsilon(1e-4));
    CHECK(*nh3->idlh == 300);
    CHECK(findGas("h2s")->id == "hydrogen_sulfide");
    CHECK(findGas("unobtainium") == nullptr);
    CHECK(gasNames().size() >= 7);
    CHECK(findGas("methane")->defaultTenabilityPpm() == Approx(5000));  // 10 % of 5 % LEL
}

TEST_CASE("Briggs coefficients and the plume formula", "[gas]") {
    // Class D at 1 km: sigma_y = 0.08*1000/sqrt(1.1) = 76.28 m, sigma_z = 60/sqrt(2.5) = 37.95 m.
    CHECK(briggsSigmaY(StabilityClass::D, 1000) == Approx(76.277).epsilon(1e-4));
    CHECK(briggsSigmaZ(StabilityClass::D, 1000) == Approx(37.947).epsilon(1e-4));
    // Ground-level centreline of a ground release: Q / (pi u sy sz).
    const double c = plumeConcentration(1.0, 2.0, 10.0, 5.0, 0.0, 0.0, 0.0);
    CHECK(c == Approx(1.0 / (M_PI * 2.0 * 10.0 * 5.0)));
}

TEST_CASE("Coupled case: detector alarm, rerouting around the cloud, monotone doses", "[gas]") { requireAll(gasverify::coupled()); }
