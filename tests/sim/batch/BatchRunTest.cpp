// Running many runs: the density recorder measures what is there, parallel workers give the
// same results as one, results round-trip through JSON, and a manifest expands into a stable,
// ordered run list whose hash changes with the batch.
#include <fstream>

#include "TestSupport.hpp"
#include "sim/batch/BatchStore.hpp"
#include "sim/batch/Manifest.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using Catch::Matchers::Contains;

namespace {

// A 12 x 6 m room, exit door on the east wall. Eight people stand still (pre-movement beyond
// the run's 2 s) at fixed points inside the 2 m density cell [2, 4] x [2, 4] (the grid starts at
// the room's corner (0, 0)).
const std::string kStill = R"(name: Still
duration: 2
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[12,0],[12,6],[0,6],[0,0]]}]
      doors: [{id: D1, at: [12, 3], width: 1.2, exit: true}]
populations:
  - name: group
    where: {level: L0, points: [[2.5,2.5],[3.0,2.5],[3.5,2.5],[2.5,3.0],[3.5,3.0],[2.5,3.5],[3.0,3.5],[3.5,3.5]]}
    premovement: 100
)";

const std::string kMoving = R"(name: Moving
duration: 60
seed: 5
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[12,0],[12,6],[0,6],[0,0]]}]
      doors: [{id: D1, at: [12, 3], width: 1.0, exit: true}]
      spaces: [{id: room, rect: {min: [0.5,0.5], max: [8,5.5]}}]
populations:
  - {name: staff, count: 25, where: {space: room}, premovement: {distribution: uniform, min: 0, max: 5}}
variants:
  - name: wide
    resize: [{id: D1, width: 2.0}]
)";

}  // namespace

TEST_CASE("The density recorder measures people per square metre in 2 m cells", "[batch]") {
    const Scenario s = parseScenarioText(kStill, "still.yaml", ".");
    RunSpec spec;
    spec.seed = 1;
    const RunResult r = runOne(s, spec);
    REQUIRE(r.ok);
    // 8 people in a 4 m^2 cell: 2.0 /m^2, level E (1.08-2.15), not F; for the whole 2 s run.
    CHECK(r.density.peak == Approx(2.0));
    CHECK(r.density.peak_at.x == Approx(3.0));
    CHECK(r.density.peak_at.y == Approx(3.0));
    CHECK(r.density.los_e_s == Approx(2.0));
    CHECK(r.density.los_f_s == 0.0);
    CHECK(r.density.los_e_area_s == Approx(4.0 * 2.0));
    REQUIRE(r.density.maps.size() == 1);
    CHECK(r.density.maps[0].nx == 6);
    CHECK(r.density.maps[0].ny == 3);
    CHECK(!r.complete);
    CHECK(std::isnan(r.evacuation_time));
}

TEST_CASE("Runs on several workers equal runs on one, and round-trip through JSON", "[batch]") {
    const ScenarioFamily f = ScenarioFamily::parse(kMoving, "moving.yaml", ".");
    const Scenario base = f.build(0), wide = f.build(1);
    std::vector<RunSpec> jobs;
    std::vector<const Scenario*> scenarios;
    for (uint64_t s = 0; s < 4; ++s)
        for (int v = 0; v < 2; ++v) {
            RunSpec spec;
            spec.index = jobs.size();
            spec.variant = v ? "wide" : "base";
            spec.seed = 5 + s;
            spec.key = std::to_string(spec.index);
            jobs.push_back(spec);
            scenarios.push_back(v ? &wide : &base);
        }
    auto collect = [&](int threads) {
        std::vector<RunResult> out(jobs.size());
        runAll(jobs, scenarios, threads, [&](const RunResult& r) { out[r.spec.index] = r; });
        return out;
    };
    const std::vector<RunResult> one = collect(1), two = collect(2);
    for (size_t k = 0; k < jobs.size(); ++k) {
        REQUIRE(one[k].ok);
        CHECK(one[k].complete);
        nlohmann::json a = toJson(one[k]), b = toJson(two[k]);
        a.erase("wall_s");
        b.erase("wall_s");
        CHECK(a == b);
        const RunResult back = runResultFromJson(toJson(one[k]), "test");
        nlohmann::json c = toJson(back);
        c.erase("wall_s");
        CHECK(c == a);
    }
    // A failing callback stops the batch and is reported.
    CHECK_THROWS_WITH(
        runAll(jobs, scenarios, 2, [](const RunResult&) { throw std::runtime_error("disk full"); }),
        Contains("disk full"));
}

TEST_CASE("A manifest expands into an ordered run list with a batch hash", "[batch]") {
    const auto dir = test::scratchDir("manifest");
    std::ofstream(dir / "moving.yaml") << kMoving;
    std::ofstream(dir / "m.yaml")
        << "scenarios:\n  - {file: moving.yaml, variants: [base, wide]}\nseeds: 3\n"
           "parameters:\n  populations.staff.count: [10, 20]\n";
    const Manifest m = Manifest::load((dir / "m.yaml").string());
    REQUIRE(m.runs().size() == 2 * 2 * 3);
    CHECK(m.runs()[0].variant == "base");
    CHECK(m.runs()[0].seed == 5);  // the scenario's seed, then the next ones
    CHECK(m.runs()[2].seed == 7);
    CHECK(m.runs()[3].parameters[0].second == "20");
    CHECK(m.runs()[6].variant == "wide");
    CHECK(m.build(3).populations[0].count == 20);
    CHECK(m.build(6).scene.exits[0].width() == Approx(2.0));

    std::ofstream(dir / "m2.yaml") << "scenarios: [moving.yaml]\nseeds: {first: 1, count: 2}\n";
    const Manifest m2 = Manifest::load((dir / "m2.yaml").string());
    CHECK(m2.runs().size() == 4);
    CHECK(m2.hash() != m.hash());

    std::ofstream(dir / "bad.yaml")
        << "scenarios:\n  - {file: moving.yaml, variants: [wid]}\nseeds: 2\n";
    CHECK_THROWS_WITH(Manifest::load((dir / "bad.yaml").string()),
                      Contains("bad.yaml:2:36") && Contains("did you mean 'wide'"));
    std::ofstream(dir / "bad2.yaml")
        << "scenarios: [moving.yaml]\nseeds: 2\nparameters:\n  populations.staf.count: [3]\n";
    CHECK_THROWS_WITH(Manifest::load((dir / "bad2.yaml").string()),
                      Contains("did you mean 'staff'"));
}
