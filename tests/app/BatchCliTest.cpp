// `safetwin compare` and `safetwin batch` as a user meets them, on a small room written here:
// the report and machine results, a batch that resumes after an interruption without losing or
// changing a result, failures recorded while the rest go on, an output folder of another batch
// refused, a full disk stopping cleanly, and the MPI runner giving the same merged results.
#include <sys/wait.h>

#include <algorithm>
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
using safetwin::test::writeFile;

namespace {

// A 12 x 8 m room; 24 people leave by D1 (0.9 m, east). Variant `two_doors` adds D2 (1.2 m,
// north); `wide` widens D1 to 2 m.
const std::string kRoom = R"(name: Room
duration: 120
seed: 3
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[12,0],[12,8],[0,8],[0,0]]}]
      doors: [{id: D1, at: [12, 2], width: 0.9, exit: true}]
      obstacles: [{id: table, rect: {min: [5,3], max: [7,5]}}]
      spaces: [{id: hall, rect: {min: [0.5,0.5], max: [8,7.5]}}]
populations:
  - {name: staff, count: 24, where: {space: hall}, premovement: {distribution: uniform, min: 0, max: 4}}
variants:
  - name: two_doors
    description: a second exit door in the north wall
    add: [{level: L0, doors: [{id: D2, at: [3, 8], width: 1.2, exit: true}]}]
  - name: wide
    resize: [{id: D1, width: 2.0}]
)";

struct Cli {
    int code = -1;
    std::string out, err;
};

/// Runs a shell command line in `dir` ("$ST" is the built safetwin); captures stdout and stderr.
Cli shell(const fs::path& dir, const std::string& line) {
    const fs::path bin = fs::path(SAFETWIN_BINARY_DIR) / "app" / "safetwin";
    REQUIRE(fs::exists(bin));
    writeFile(dir / "cmd.sh", "cd '" + dir.string() + "'\nST='" + bin.string() + "'\n(" + line +
                                  ") > stdout.txt 2> stderr.txt\n");
    const int status = std::system(("bash '" + (dir / "cmd.sh").string() + "'").c_str());
    Cli r;
    REQUIRE(WIFEXITED(status));
    r.code = WEXITSTATUS(status);
    r.out = readFile(dir / "stdout.txt");
    r.err = readFile(dir / "stderr.txt");
    return r;
}

size_t lines(const std::string& s) {
    return size_t(std::count(s.begin(), s.end(), '\n'));
}

fs::path batchDir(const std::string& name) {
    const fs::path dir = safetwin::test::scratchDir(name);
    writeFile(dir / "room.yaml", kRoom);
    // 3 variants x 2 counts x 2 seeds = 12 runs; a count of 400 does not fit in the hall, so
    // those 6 runs fail when their people are placed.
    writeFile(dir / "m.yaml",
              "name: room sweep\nscenarios: [room.yaml]\nseeds: 2\n"
              "parameters:\n  populations.staff.count: [12, 400]\n");
    return dir;
}

}  // namespace

TEST_CASE("compare: report.html, results.csv and results.json for every variant",
          "[cli][compare]") {
    const fs::path dir = safetwin::test::scratchDir("cli-compare");
    writeFile(dir / "room.yaml", kRoom);
    const Cli r = shell(dir, "$ST compare room.yaml --seeds 4 --jobs 2 --out cmp");
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Contains("report: cmp/report.html"));
    const std::string html = readFile(dir / "cmp" / "report.html");
    CHECK_THAT(html, Contains("<svg"));
    CHECK_THAT(html, Contains("two_doors"));
    // Self-contained: no script, stylesheet or image fetched from anywhere.
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("href=") == std::string::npos);
    const std::string csv = readFile(dir / "cmp" / "results.csv");
    CHECK(lines(csv) == 1 + 3);
    const json j = json::parse(readFile(dir / "cmp" / "results.json"));
    REQUIRE(j["variants"].size() == 3);
    CHECK(j["runs"].size() == 12);
    CHECK(j["variants"][0]["name"] == "base");
    // A second exit of 1.2 m beside a 0.9 m door: everyone gets out sooner, clearly.
    CHECK_THAT(j["variants"][1]["verdict"].get<std::string>(), Contains("faster than base"));
    for (const auto& v : j["variants"]) {
        CHECK(v["complete"] == 4);
        const auto& t = v["evacuation_time_s"]["mean"];
        CHECK(t["ci_low"].get<double>() <= t["value"].get<double>());
        CHECK(t["value"].get<double>() <= t["ci_high"].get<double>());
    }
    SECTION("an unknown variant is bad input with close matches") {
        const Cli bad = shell(dir, "$ST compare room.yaml --variants base,wid --out cmp2");
        CHECK(bad.code == 2);
        CHECK_THAT(bad.err, Contains("did you mean 'wide'"));
        CHECK(!fs::exists(dir / "cmp2"));
    }
}

TEST_CASE("batch: failures are recorded, an interrupted batch resumes to the same results",
          "[cli][batch]") {
    const fs::path dir = batchDir("cli-batch");
    const Cli first = shell(dir, "$ST batch m.yaml --out out -j 2");
    INFO(first.out << first.err);
    CHECK(first.code == 1);  // some runs failed
    CHECK_THAT(first.out, Contains("12 runs, 6 ok, 6 failed"));
    const std::string csv = readFile(dir / "out" / "results.csv");
    const std::string summary = readFile(dir / "out" / "summary.json");
    REQUIRE(lines(csv) == 1 + 12);
    CHECK_THAT(csv, Contains("failed,,,,,,,,,,,,,") && Contains("only "));  // the error is kept
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir / "out" / "runs"))
        files += e.path().extension() == ".json";
    CHECK(files == 12);

    SECTION("a restart after a kill skips finished runs and changes nothing") {
        // What a kill -9 leaves: some runs never written, a temporary file of a run in flight.
        size_t removed = 0;
        for (const auto& e : fs::directory_iterator(dir / "out" / "runs"))
            if (removed < 5 && e.path().filename().string().find("count=12") != std::string::npos) {
                fs::remove(e.path());
                ++removed;
            }
        REQUIRE(removed == 5);
        writeFile(dir / "out" / "runs" / "000000_x.json.tmp123", "{\"half");
        fs::remove(dir / "out" / "results.csv");
        const Cli again = shell(dir, "$ST batch m.yaml --out out -j 2");
        CHECK_THAT(again.out, Contains("12 runs, 7 already done, 5 to run"));
        CHECK(readFile(dir / "out" / "results.csv") == csv);
        CHECK(readFile(dir / "out" / "summary.json") ==
              summary);  // statistics too, to the last digit
        CHECK(!fs::exists(dir / "out" / "runs" / "000000_x.json.tmp123"));  // cleared away
    }
    SECTION("another manifest is refused and nothing is touched") {
        writeFile(dir / "m2.yaml", "scenarios: [room.yaml]\nseeds: 3\n");
        const Cli other = shell(dir, "$ST batch m2.yaml --out out");
        CHECK(other.code == 2);
        CHECK_THAT(other.err, Contains("holds a different batch"));
        CHECK(readFile(dir / "out" / "results.csv") == csv);
    }
    SECTION("a bad manifest is bad input at its line") {
        writeFile(dir / "m3.yaml",
                  "scenarios: [room.yaml]\nseeds: 2\nparameters:\n  populations.staf.count: [5]\n");
        const Cli bad = shell(dir, "$ST batch m3.yaml --out out3");
        CHECK(bad.code == 2);
        CHECK_THAT(bad.err, Contains("m3.yaml:4") && Contains("did you mean 'staff'"));
        CHECK(!fs::exists(dir / "out3"));
    }
}

TEST_CASE("batch: a full disk stops the batch with a clear error and no half-written result",
          "[cli][batch]") {
    const fs::path dir = batchDir("cli-batch-full");
    // A file size limit of 1 KiB (with SIGXFSZ ignored, writes fail with EFBIG) stands in for a
    // full disk: batch.json fits, a run's result file does not (its agents-remaining series is
    // sampled every 0.05 s: about 2 KiB).
    writeFile(
        dir / "m.yaml",
        "scenarios: [room.yaml]\nseeds: 2\nparameters:\n  output.remaining_interval: [0.05]\n");
    const Cli r = shell(dir, "ulimit -f 1; trap '' XFSZ; $ST batch m.yaml --out out -j 1");
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Contains("failed: File too large") &&
                          Contains("run the same command again to resume"));
    for (const auto& e : fs::directory_iterator(dir / "out" / "runs")) {
        INFO(e.path());
        CHECK(false);  // neither a result nor a temporary file is left
    }
    // With space again, the same command completes the batch.
    const Cli again = shell(dir, "$ST batch m.yaml --out out -j 2");
    CHECK(again.code == 0);
    CHECK_THAT(again.out, Contains("6 runs, 6 ok, 0 failed"));
}

TEST_CASE("batch under MPI: mpirun -np 3 merges the same results as one process",
          "[cli][batch][mpi]") {
    const fs::path mpiBin = fs::path(SAFETWIN_BINARY_DIR) / "app" / "safetwin-mpi";
    const bool haveMpirun = std::system("command -v mpirun > /dev/null 2>&1") == 0;
    if (!haveMpirun || !fs::exists(mpiBin)) {
        if (std::getenv("CI"))
            FAIL(
                "CI is set but mpirun or safetwin-mpi is missing (install openmpi-bin "
                "libopenmpi-dev)");
        WARN(
            "skipped: mpirun or safetwin-mpi is missing (install openmpi-bin and libopenmpi-dev, "
            "then rebuild)");
        return;
    }
    const fs::path dir = batchDir("cli-batch-mpi");
    writeFile(dir / "m.yaml", "scenarios: [room.yaml]\nseeds: 3\n");  // 3 variants x 3 seeds
    const Cli single = shell(dir, "$ST batch m.yaml --out one -j 1");
    REQUIRE(single.code == 0);
    // Loopback only, no ssh: the isolated launcher; root needs --allow-run-as-root.
    const Cli mpi = shell(
        dir,
        "OMPI_MCA_plm=isolated OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo "
        "OMPI_MCA_btl_vader_single_copy_mechanism=none "
        "OMPI_MCA_rmaps_base_oversubscribe=1 mpirun --allow-run-as-root --oversubscribe -np 3 '" +
            mpiBin.string() + "' m.yaml --out many");
    INFO(mpi.out << mpi.err);
    REQUIRE(mpi.code == 0);
    CHECK_THAT(mpi.out, Contains("on 3 ranks") && Contains("overhead_per_run_s"));
    CHECK(readFile(dir / "many" / "results.csv") == readFile(dir / "one" / "results.csv"));
    CHECK(readFile(dir / "many" / "summary.json") == readFile(dir / "one" / "summary.json"));
}
