// The command line as a user meets it: `safetwin run` on small scenario files written here.
// A good run exits 0 and writes a complete, reproducible summary.json (and trajectories.csv on
// request); bad input exits 2 with a message naming the file and line, and writes nothing —
// not even the output folder, and never over an earlier good result.
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "TestSupport.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using json = nlohmann::json;

using safetwin::test::readFile;
using safetwin::test::writeFile;
using safetwin::test::lineOf;

namespace {

/// A 10 m x 6 m room with an exit door D1 in its east wall and a 1 m thick wall stub at x = 4
/// (y 0..2) for the "population inside a wall" case. 20 people start in the east half.
const std::string kGood = R"(name: Small room
duration: 120
seed: 7
scene:
  name: Room
  levels:
    - id: L0
      walls:
        - {points: [[0,0],[10,0],[10,6],[0,6],[0,0]], thickness: 0.2}
        - {points: [[4,0],[4,2]], thickness: 1.0}
      doors:
        - {id: D1, at: [10, 3], width: 1.2, exit: true}
populations:
  - name: staff
    count: 20
    where: {level: L0, rect: {min: [5, 1], max: [9, 5]}}
    premovement: {distribution: uniform, min: 0, max: 10}
)";

// Values of kGood that the checks below are derived from.
constexpr int kAgents = 20;
constexpr double kPremovementMax = 10.0;  // [s] uniform [0, 10]
constexpr double kMaxFreeSpeed = 2.12;    // [m/s] the weidmann profile's upper bound (FORMAT.md)
constexpr double kSpawnMaxX = 9.0;        // people start at x <= 9; the exit line is at x = 10

/// kGood with the first occurrence of `from` replaced by `to` (which must occur).
std::string edited(const std::string& from, const std::string& to) {
    std::string s = kGood;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

struct CliResult {
    int code = -1;       // exit status
    std::string err;     // stderr
};

/// Runs the built `safetwin` with `args` (already quoted), in `dir`.
CliResult runCli(const fs::path& dir, const std::string& args) {
    const fs::path bin = fs::path(SAFETWIN_BINARY_DIR) / "app" / "safetwin";
    REQUIRE(fs::exists(bin));
    const fs::path errFile = dir / "stderr.txt";
    const std::string cmd = "cd '" + dir.string() + "' && '" + bin.string() + "' " + args + " > '" + (dir / "stdout.txt").string() +
                            "' 2> '" + errFile.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    REQUIRE(WIFEXITED(status));
    r.code = WEXITSTATUS(status);
    r.err = readFile(errFile);
    return r;
}

/// Writes `text` as `name` in `dir` and runs `safetwin run name --out out`.
CliResult runScenario(const fs::path& dir, const std::string& name, const std::string& text, const std::string& extra = "") {
    writeFile(dir / name, text);
    return runCli(dir, "run '" + name + "' --out out " + extra);
}

}  // namespace

TEST_CASE("run: a valid scenario exits 0 with a complete summary", "[cli]") {
    const fs::path dir = safetwin::test::scratchDir("cli-valid");
    const CliResult r = runScenario(dir, "room.yaml", kGood);
    INFO(r.err);
    REQUIRE(r.code == 0);
    REQUIRE(fs::exists(dir / "out" / "summary.json"));
    const json s = json::parse(readFile(dir / "out" / "summary.json"));

    SECTION("the documented keys are there") {
        for (const char* key : {"evacuation_time_s", "agents", "evacuated", "unreachable", "exits", "remaining", "per_agent"})
            CHECK(s.contains(key));
        REQUIRE(s["exits"].size() == 1);
        for (const char* key : {"count", "first_s", "last_s"}) CHECK(s["exits"][0].contains(key));
        REQUIRE(s["per_agent"].size() == size_t(kAgents));
        for (const auto& a : s["per_agent"])
            for (const char* key : {"group", "premovement_s", "exit", "exit_time_s", "distance_m"}) CHECK(a.contains(key));
    }

    SECTION("the numbers agree with the scenario and with each other") {
        // A closed room with one open door: everyone leaves by it, nobody is unreachable.
        CHECK(s["agents"] == kAgents);
        CHECK(s["evacuated"] == kAgents);
        CHECK(s["unreachable"].empty());
        // No simulation warnings (bodies overlapping, moves cut at walls).
        CHECK(s["warnings"]["overlapping_pairs"] == 0);
        CHECK(s["warnings"]["wall_guard_hits"] == 0);
        CHECK(s["exits"][0]["count"] == kAgents);
        // Remaining people at each sample time t: those who left after t.
        const auto& times = s["remaining"]["time_s"];
        const auto& counts = s["remaining"]["count"];
        REQUIRE(times.size() == counts.size());
        REQUIRE(times.size() > 1);
        CHECK(counts.front() == kAgents);
        for (size_t k = 0; k < times.size(); ++k) {
            const double t = times[k];
            int later = 0;
            for (const auto& a : s["per_agent"]) later += a["exit_time_s"].get<double>() > t + 1e-9;
            CHECK(counts[k] == later);
        }
        double last = 0.0, first = 1e9;
        for (const auto& a : s["per_agent"]) {
            CHECK(a["group"] == "staff");
            CHECK(a["exit"] == "D1");
            const double pre = a["premovement_s"], out = a["exit_time_s"], dist = a["distance_m"];
            CHECK(pre >= 0.0);
            CHECK(pre <= kPremovementMax);
            CHECK(out >= pre);
            // Everyone walks at least from x <= 9 to the exit cells, which start 0.75 cells
            // (0.15 m) before the door line at x = 10; no one walks faster than the profile's
            // top speed (one time step of slack).
            CHECK(dist >= (10.0 - kSpawnMaxX) - 0.15 - 1e-6);
            CHECK(dist <= kMaxFreeSpeed * (out - pre + 0.05) + 1e-6);
            last = std::max(last, out);
            first = std::min(first, out);
        }
        CHECK(s["evacuation_time_s"].get<double>() == Approx(last));
        CHECK(s["exits"][0]["last_s"].get<double>() == Approx(last));
        CHECK(s["exits"][0]["first_s"].get<double>() == Approx(first));
    }
}

TEST_CASE("run: the same scenario and seed give byte-identical summaries", "[cli]") {
    const fs::path dir = safetwin::test::scratchDir("cli-repeat");
    writeFile(dir / "room.yaml", kGood);
    std::string first, second, other;
    REQUIRE(runCli(dir, "run room.yaml --out a --seed 11").code == 0);
    REQUIRE(runCli(dir, "run room.yaml --out b --seed 11").code == 0);
    REQUIRE(runCli(dir, "run room.yaml --out c --seed 12").code == 0);
    first = readFile(dir / "a" / "summary.json");
    second = readFile(dir / "b" / "summary.json");
    other = readFile(dir / "c" / "summary.json");
    REQUIRE_FALSE(first.empty());
    CHECK(first == second);
    // ... and the seed matters (pre-movement times and start positions are drawn from it).
    CHECK(first != other);
}

TEST_CASE("run --trajectories writes trajectories.csv", "[cli]") {
    const fs::path dir = safetwin::test::scratchDir("cli-trajectories");
    const CliResult r = runScenario(dir, "room.yaml", kGood, "--trajectories");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const fs::path csv = dir / "out" / "trajectories.csv";
    REQUIRE(fs::exists(csv));
    std::istringstream in(readFile(csv));
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line == "frame,time,id,x,y,z");
    // Frame 0 holds everyone, six fields a row.
    int rows0 = 0;
    while (std::getline(in, line) && line.rfind("0,", 0) == 0) {
        CHECK(std::count(line.begin(), line.end(), ',') == 5);
        ++rows0;
    }
    CHECK(rows0 == kAgents);
}

TEST_CASE("run: bad input exits 2, names the file and line, and writes nothing", "[cli]") {
    const fs::path dir = safetwin::test::scratchDir("cli-bad");
    // Each case: the file's text, the text of the line the message must point to ("" if the
    // message cannot have a line), and a piece of the message.
    struct Case {
        const char* name;
        std::string text;
        std::string line;
        std::string says;
    };
    const Case cases[] = {
        {"malformed.yaml", "name: broken\npopulations: [\n  - {name: a\n", "", "malformed YAML"},
        {"unknown-key.yaml", edited("seed: 7", "seed: 7\nspeed_up: 2"), "speed_up: 2", "unknown key 'speed_up'"},
        {"out-of-range.yaml", edited("duration: 120", "duration: 120\ntime_step: 2"), "time_step: 2", "2 s is out of range [0.005, 0.1] s"},
        {"no-exit.yaml", edited(", exit: true", ""), "", "no exit"},
        {"in-wall.yaml", edited("rect: {min: [5, 1], max: [9, 5]}", "rect: {min: [3.7, 0.3], max: [4.3, 1.7]}"), "- name: staff",
         "no walkable floor"},
        {"outside.yaml", edited("rect: {min: [5, 1], max: [9, 5]}", "rect: {min: [20, 20], max: [25, 25]}"), "rect: {min: [20, 20]",
         "outside level 'L0'"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const CliResult r = runScenario(dir, c.name, c.text);
            INFO(r.err);
            CHECK(r.code == 2);
            CHECK_THAT(r.err, Contains(c.says));
            if (!c.line.empty()) {
                CHECK_THAT(r.err, Contains(std::string(c.name) + ":" + std::to_string(lineOf(c.text, c.line)) + ":"));
            } else {  // the file and some line:column
                const size_t at = r.err.find(std::string(c.name) + ":");
                REQUIRE(at != std::string::npos);
                const size_t digit = at + std::string(c.name).size() + 1;
                CHECK((digit < r.err.size() && std::isdigit(static_cast<unsigned char>(r.err[digit]))));
            }
            CHECK_FALSE(fs::exists(dir / "out"));
        }
    }
    SECTION("a missing file") {
        const CliResult r = runCli(dir, "run no-such-file.yaml --out out");
        CHECK(r.code == 2);
        CHECK_THAT(r.err, Contains("no-such-file.yaml"));
        CHECK_THAT(r.err, Contains("not found"));
        CHECK_FALSE(fs::exists(dir / "out"));
    }
}

TEST_CASE("run: a failed run leaves an earlier good summary alone", "[cli]") {
    const fs::path dir = safetwin::test::scratchDir("cli-keep");
    REQUIRE(runScenario(dir, "room.yaml", kGood, "--trajectories").code == 0);
    const std::string summary = readFile(dir / "out" / "summary.json");
    const std::string trajectories = readFile(dir / "out" / "trajectories.csv");
    const auto listing = [&] {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir / "out")) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    };
    const auto before = listing();

    const CliResult r = runScenario(dir, "bad.yaml", edited("duration: 120", "duration: 120\ntime_step: 2"), "--trajectories");
    CHECK(r.code == 2);
    CHECK(readFile(dir / "out" / "summary.json") == summary);
    CHECK(readFile(dir / "out" / "trajectories.csv") == trajectories);
    CHECK(listing() == before);  // no temporary or partial files either
}
