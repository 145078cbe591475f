// `safetwin run` with a gas release: summary.json gains a "gas" object and the run writes PNG
// maps; bad gas input exits 2 with the file and line and writes nothing.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "TestSupport.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using json = nlohmann::json;

using safetwin::test::readFile;
using safetwin::test::lineOf;

namespace {

// A room 20 x 10 m (doors south and north) 12 m downwind of a small ammonia leak; a detector
// between them starts the evacuation.
const std::string kGas = R"(name: Gas room
duration: 60
seed: 5
scene:
  levels:
    - id: L0
      walls:
        - {points: [[20,0],[40,0],[40,10],[20,10],[20,0]], thickness: 0.2, height: 3}
      doors:
        - {id: S, at: [30, 0], width: 1.2, exit: true}
        - {id: N, at: [30, 10], width: 1.2, exit: true}
      spaces:
        - {id: room, rect: {min: [20.2, 0.2], max: [39.8, 9.8]}}
populations:
  - name: staff
    count: 10
    where: {space: room}
    premovement: 5
gas:
  gas: ammonia
  wind: {speed: 3, direction: 270}
  grid: {cell: 1.0, margin: 14, height_above: 5}
  sources:
    - {id: leak, level: L0, at: [8, 2], height: 1, rate: 0.05}
  detectors:
    - {id: GD, level: L0, at: [14, 2], threshold: 25 ppm, response_time: 5}
  alarm_starts_evacuation: true
  record_interval: 5
)";

struct Result {
    int code = -1;
    std::string err;
};

Result runScenario(const fs::path& dir, const std::string& text) {
    { std::ofstream(dir / "gas.yaml") << text; }
    const fs::path bin = fs::path(SAFETWIN_BINARY_DIR) / "app" / "safetwin";
    REQUIRE(fs::exists(bin));
    const std::string cmd = "cd '" + dir.string() + "' && '" + bin.string() + "' run gas.yaml --out out > stdout.txt 2> stderr.txt";
    const int status = std::system(cmd.c_str());
    REQUIRE(WIFEXITED(status));
    return {WEXITSTATUS(status), readFile(dir / "stderr.txt")};
}

std::string edited(const std::string& from, const std::string& to) {
    std::string s = kGas;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("run: a gas scenario writes the gas results and maps", "[cli][gas]") {
    const fs::path dir = safetwin::test::scratchDir("gas_cli_good");
    const Result r = runScenario(dir, kGas);
    INFO(r.err);
    REQUIRE(r.code == 0);
    const json s = json::parse(readFile(dir / "out" / "summary.json"));
    REQUIRE(s.contains("gas"));
    const json& g = s["gas"];
    CHECK(g["gas"] == "ammonia");
    CHECK_FALSE(g["dense_gas_note"].is_null());  // ammonia is flagged as possibly dense, treated as passive
    for (const char* key : {"wind", "grid", "sources", "mass_kg", "detectors", "first_alarm_s", "series", "incapacitated", "agents", "aset"}) CHECK(g.contains(key));
    // The detector alarms, and the alarm starts the evacuation: nobody leaves before alarm + 5 s.
    REQUIRE(g["first_alarm_s"].is_number());
    const double alarm = g["first_alarm_s"];
    for (const json& a : s["per_agent"])
        if (a["exit_time_s"].is_number()) CHECK(a["exit_time_s"].get<double>() >= alarm + 5.0);
    // Mass balance: released = in the grid + left the grid (to round-off of the sums).
    const json& m = g["mass_kg"];
    CHECK(std::abs(m["balance_error"].get<double>()) <= 1e-9 * m["released"].get<double>() + 1e-12);
    // Released mass = rate x time simulated (0.05 kg/s), to the gas time step.
    CHECK(m["released"].get<double>() == Approx(0.05 * s["simulated_time_s"].get<double>()).epsilon(0.02));
    // One series sample per record interval, one value per detector sample; one exposure per person.
    CHECK(g["series"]["detectors_ppm"]["GD"].size() == g["series"]["time_s"].size());
    CHECK(g["agents"].size() == s["per_agent"].size());
    // The PNG map of the level exists and is a PNG.
    const std::string png = readFile(dir / "out" / "gas_max_L0.png");
    REQUIRE(png.size() > 8);
    CHECK(png.substr(1, 3) == "PNG");
}

TEST_CASE("run: bad gas input exits 2 naming the file and line", "[cli][gas]") {
    struct Case {
        const char* name;
        std::string text;
        std::string lineNeedle;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"unknown gas", edited("gas: ammonia", "gas: amonia"), "gas: amonia", "did you mean 'ammonia'"},
        {"source inside a solid", edited("at: [8, 2], height: 1, rate", "at: [20, 5], height: 1, rate"), "- {id: leak", "inside a solid"},
        {"grid too large", edited("grid: {cell: 1.0, margin: 14, height_above: 5}", "grid: {cell: 0.5, margin: 1000, height_above: 5}"), "grid: {cell: 0.5", "MB"},
        {"no wind for the plume model", edited("wind: {speed: 3, direction: 270}", "model: plume\n  wind: {speed: 0, direction: 270}"), "speed: 0", "plume"},
        {"threshold without a unit", edited("threshold: 25 ppm", "threshold: 25"), "threshold: 25", "has no unit"},
        {"threshold with a wrong unit", edited("threshold: 25 ppm", "threshold: 25 ppb"), "threshold: 25", "unknown concentration unit 'ppb'"},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            const fs::path dir = safetwin::test::scratchDir("gas_cli_bad");
            const Result r = runScenario(dir, c.text);
            INFO(r.err);
            CHECK(r.code == 2);
            CHECK_THAT(r.err, Contains("gas.yaml:" + std::to_string(lineOf(c.text, c.lineNeedle)) + ":"));
            CHECK_THAT(r.err, Contains(c.message));
            CHECK_FALSE(fs::exists(dir / "out"));
        }
    }
}
