// The crowd verification suite in ctest: one test case per check, each running it and
// requiring a pass. On failure the measured figure, the criterion and the check's details are
// printed. The same checks run with `safetwin verify crowd`.
#include <catch2/catch.hpp>

#include <algorithm>

#include "scenes/InputError.hpp"
#include "sim/verify/CrowdVerification.hpp"

using namespace safetwin;

namespace {

// Every check in the registry, each with a test case below.
const std::vector<std::string> kChecks = {"rimea01_corridor",
                                          "rimea02_stair_up",
                                          "rimea03_stair_down",
                                          "rimea04_fundamental_diagram",
                                          "rimea05_premovement",
                                          "rimea06_corner",
                                          "rimea07_speed_distribution",
                                          "rimea09_door_closure",
                                          "rimea10_assigned_exits",
                                          "rimea11_exit_choice",
                                          "rimea12_bottlenecks",
                                          "rimea13_stair_queue",
                                          "bottleneck_0.8m",
                                          "bottleneck_1.2m",
                                          "bottleneck_1.6m",
                                          "bottleneck_2.0m",
                                          "bottleneck_2.4m",
                                          "determinism"};

void requirePass(const std::string& name) {
    const std::vector<VerificationResult> results = verifyCrowd(name);
    REQUIRE(results.size() == 1);
    const VerificationResult& r = results.front();
    INFO(r.name << ": measured " << r.measured << " " << r.unit << "; criterion: " << r.criterion);
    INFO(r.detail);
    REQUIRE(r.pass);
}

}  // namespace

TEST_CASE("every registered crowd check has a test case here", "[verify]") {
    std::vector<std::string> names;
    for (const VerificationInfo& v : crowdVerifications()) names.push_back(v.name);
    REQUIRE(names == kChecks);
    SECTION("a prefix selects a family, an unknown name is an input error") {
        REQUIRE(selectCrowdVerifications("bottleneck").size() == 5);
        REQUIRE(selectCrowdVerifications("rimea01_corridor").size() == 1);
        REQUIRE_THROWS_AS(selectCrowdVerifications("rimea08"), InputError);
    }
}

TEST_CASE("RiMEA 1: travel time along a 40 m corridor", "[verify]") {
    requirePass("rimea01_corridor");
}
TEST_CASE("RiMEA 2: time up a stair", "[verify]") {
    requirePass("rimea02_stair_up");
}
TEST_CASE("RiMEA 3: time down a stair", "[verify]") {
    requirePass("rimea03_stair_down");
}
TEST_CASE("RiMEA 4: fundamental diagram in a periodic corridor", "[verify]") {
    requirePass("rimea04_fundamental_diagram");
}
TEST_CASE("RiMEA 5: each person starts at its pre-movement time", "[verify]") {
    requirePass("rimea05_premovement");
}
TEST_CASE("RiMEA 6: nobody crosses a wall at a corner", "[verify]") {
    requirePass("rimea06_corner");
}
TEST_CASE("RiMEA 7: drawn speeds match the distribution", "[verify]") {
    requirePass("rimea07_speed_distribution");
}
TEST_CASE("RiMEA 9: closing two of four exits about doubles the time", "[verify]") {
    requirePass("rimea09_door_closure");
}
TEST_CASE("RiMEA 10: everyone uses the assigned exit", "[verify]") {
    requirePass("rimea10_assigned_exits");
}
TEST_CASE("RiMEA 11: the nearer exit is preferred, the other used", "[verify]") {
    requirePass("rimea11_exit_choice");
}
TEST_CASE("RiMEA 12: congestion only at the first bottleneck", "[verify]") {
    requirePass("rimea12_bottlenecks");
}
TEST_CASE("RiMEA 13: congestion at the room exit and the stair foot", "[verify]") {
    requirePass("rimea13_stair_queue");
}
TEST_CASE("bottleneck 0.8 m: specific flow in the laboratory band", "[verify]") {
    requirePass("bottleneck_0.8m");
}
TEST_CASE("bottleneck 1.2 m: specific flow in the laboratory band", "[verify]") {
    requirePass("bottleneck_1.2m");
}
TEST_CASE("bottleneck 1.6 m: specific flow in the laboratory band", "[verify]") {
    requirePass("bottleneck_1.6m");
}
TEST_CASE("bottleneck 2.0 m: specific flow in the laboratory band", "[verify]") {
    requirePass("bottleneck_2.0m");
}
TEST_CASE("bottleneck 2.4 m: specific flow in the laboratory band", "[verify]") {
    requirePass("bottleneck_2.4m");
}
TEST_CASE("one seed gives byte-identical results", "[verify]") {
    requirePass("determinism");
}
