// Replay files: what `run --record` writes reads back frame for frame, frameAt interpolates
// between frames, and a folder without a replay, an older format, a damaged file or another
// scenario gives a clear error (InputError, exit code 2 on the command line).
#include <catch2/catch.hpp>

#include <cmath>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>

#include "TestSupport.hpp"
#include "render/FrameFromSimulation.hpp"
#include "render/RenderSupport.hpp"
#include "render/Replay.hpp"
#include "scenes/InputError.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::render;
namespace fs = std::filesystem;

namespace {

/// Records the two-room scenario to 6 s at 2 frames/s into dir; returns the frames seen live.
std::vector<Frame> record(const fs::path& dir, const fs::path& scenarioFile) {
    test::writeFile(scenarioFile, test::twoRoomScenario());
    Simulation sim(loadScenarioFile(scenarioFile.string()));
    ReplayRecorder rec(sim, scenarioFile.string(), 2.0);
    std::vector<Frame> live;
    rec.capture(sim);
    live.push_back(frameFromSimulation(sim));
    while (sim.time() < 6.0 - 1e-9 && sim.step()) {
        const size_t before = rec.frames();
        rec.capture(sim);
        if (rec.frames() > before) live.push_back(frameFromSimulation(sim));
    }
    test::writeFile(dir / kReplayFileName, rec.finish(sim));
    return live;
}

}  // namespace

TEST_CASE("Replay: recorded frames read back as they were, and interpolate between", "[render][replay]") {
    const fs::path dir = test::scratchDir("render-replay");
    const auto live = record(dir, dir / "two-rooms.yaml");
    const Replay rp = Replay::open(dir);
    REQUIRE(rp.frames() == 13);   // 0, 0.5, ..., 6 s
    REQUIRE(live.size() == 13);
    CHECK(rp.scenarioName() == "two rooms");
    CHECK(rp.scenarioHash() == fileHash(dir / "two-rooms.yaml"));
    CHECK(rp.startTime() == 0.0);
    CHECK(rp.endTime() == Approx(6.0));
    for (size_t k = 0; k < rp.frames(); ++k) {
        const Frame& a = rp.recorded(k);
        const Frame& b = live[k];
        CHECK(a.time == b.time);
        CHECK(a.out == b.out);
        CHECK(a.remaining == b.remaining);
        REQUIRE(a.agents.size() == b.agents.size());
        for (size_t i = 0; i < a.agents.size(); ++i) {
            CHECK(a.agents[i].id == b.agents[i].id);
            CHECK(a.agents[i].x == b.agents[i].x);
            CHECK(a.agents[i].y == b.agents[i].y);
            CHECK(a.agents[i].visual == b.agents[i].visual);
        }
        CHECK(a.door_closed == b.door_closed);
    }
    // half-way between frames 4 (2.0 s) and 5 (2.5 s): the mean position of those who stayed in
    const Frame mid = rp.frameAt(2.25);
    CHECK(mid.time == 2.25);
    const Frame& f4 = rp.recorded(4);
    const Frame& f5 = rp.recorded(5);
    int compared = 0;
    for (const AgentSample& m : mid.agents)
        for (const AgentSample& p : f4.agents)
            for (const AgentSample& q : f5.agents)
                if (m.id == p.id && p.id == q.id) {
                    CHECK(m.x == Approx(0.5 * (p.x + q.x)).margin(1e-5));
                    CHECK(m.y == Approx(0.5 * (p.y + q.y)).margin(1e-5));
                    ++compared;
                }
    CHECK(compared >= 20);
    // clamped outside the recorded span
    CHECK(rp.frameAt(-5).time == 0.0);
    CHECK(rp.frameAt(100).time == Approx(6.0));
}

TEST_CASE("Replay: clear errors for no replay, another version, damage, another scenario", "[render][replay]") {
    const fs::path dir = test::scratchDir("render-replay-bad");
    record(dir, dir / "two-rooms.yaml");
    const std::string good = test::readFile(dir / kReplayFileName);

    SECTION("no such folder, or a results folder without a replay") {
        CHECK_THROWS_WITH(Replay::open(dir / "nothing"), Catch::Contains("no such results folder"));
        const fs::path other = test::scratchDir("render-replay-none");
        test::writeFile(other / "summary.json", "{}");
        CHECK_THROWS_AS(Replay::open(other), InputError);
        CHECK_THROWS_WITH(Replay::open(other), Catch::Contains("has results but no replay") && Catch::Contains("--record"));
    }
    SECTION("an older format version") {
        std::string old = good;
        const uint32_t v = kReplayVersion - 1;
        std::memcpy(old.data() + 16, &v, 4);
        test::writeFile(dir / kReplayFileName, old);
        CHECK_THROWS_WITH(Replay::open(dir), Catch::Contains("version " + std::to_string(v) + " (older)") &&
                                                 Catch::Contains("reads version " + std::to_string(kReplayVersion)));
    }
    SECTION("not a replay, or cut short") {
        test::writeFile(dir / kReplayFileName, "hello");
        CHECK_THROWS_WITH(Replay::open(dir), Catch::Contains("not a SafeTwin replay file"));
        test::writeFile(dir / kReplayFileName, good.substr(0, good.size() - 100));
        CHECK_THROWS_WITH(Replay::open(dir), Catch::Contains("truncated"));
    }
    SECTION("another scenario, or the scenario changed since") {
        const Replay rp = Replay::open(dir);
        CHECK_NOTHROW(rp.checkScenario((dir / "two-rooms.yaml").string()));
        test::writeFile(dir / "other.yaml", test::twoRoomScenario(10));
        CHECK_THROWS_AS(rp.checkScenario((dir / "other.yaml").string()), InputError);
        CHECK_THROWS_WITH(rp.checkScenario((dir / "other.yaml").string()), Catch::Contains("not from") && Catch::Contains("two rooms"));
    }
}

TEST_CASE("render CLI: from a scenario and from recorded results, and bad input exits 2", "[render][cli]") {
    const fs::path dir = test::scratchDir("render-cli");
    const fs::path scen = dir / "two-rooms.yaml";
    test::writeFile(scen, test::twoRoomScenario());
    const std::string exe = std::string(SAFETWIN_BINARY_DIR) + "/app/safetwin";
    auto run = [&](const std::string& args) {
        const int rc = std::system((exe + " " + args + " > " + (dir / "log.txt").string() + " 2>&1").c_str());
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    };
    // no OpenGL here: the drawing commands cannot run (the offscreen tests say so too)
    if (!test::offscreenOrSkip()) return;
    REQUIRE(run("run " + scen.string() + " --record --out " + (dir / "res").string()) == 0);
    REQUIRE(fs::exists(dir / "res" / kReplayFileName));
    CHECK(run("render " + scen.string() + " --time 3 --size 320x200 --out " + (dir / "a.png").string()) == 0);
    CHECK(run("render --results " + (dir / "res").string() + " --time 3 --size 320x200 --camera top --out " + (dir / "b.png").string()) == 0);
    for (const char* png : {"a.png", "b.png"}) {
        const std::string bytes = test::readFile(dir / png);
        REQUIRE(bytes.size() > 8);
        CHECK(bytes.substr(1, 3) == "PNG");
    }
    CHECK(run("render " + scen.string() + " --size 12x7 --out " + (dir / "c.png").string()) == 2);
    CHECK(run("render " + scen.string() + " --camera nowhere --out " + (dir / "c.png").string()) == 2);
    CHECK(test::readFile(dir / "log.txt").find("overview, top, level:L0") != std::string::npos);
    CHECK(run("render --results " + (dir / "nothing").string() + " --out " + (dir / "c.png").string()) == 2);
    CHECK_FALSE(fs::exists(dir / "c.png"));
}

TEST_CASE("render CLI: the hidden-window fallback under Xvfb draws the same picture as EGL", "[render][cli]") {
    if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0) {
        if (std::getenv("CI")) FAIL("CI is set but xvfb-run is missing");
        WARN("skipped: xvfb-run is not installed");
        return;
    }
    if (!test::offscreenOrSkip()) return;
    const fs::path dir = test::scratchDir("render-fallback");
    const fs::path scen = dir / "two-rooms.yaml";
    test::writeFile(scen, test::twoRoomScenario());
    const std::string exe = std::string(SAFETWIN_BINARY_DIR) + "/app/safetwin";
    const std::string args = " render " + scen.string() + " --time 2 --size 320x200 --samples 1 --no-overlay --out ";
    auto run = [&](const std::string& cmd) {
        const int rc = std::system((cmd + " > " + (dir / "log.txt").string() + " 2>&1").c_str());
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    };
    REQUIRE(run("SAFETWIN_GL_CONTEXT=egl " + exe + args + (dir / "egl.png").string()) == 0);
    CHECK(test::readFile(dir / "log.txt").find("egl-surfaceless") != std::string::npos);
    REQUIRE(run("SAFETWIN_GL_CONTEXT=glfw xvfb-run -a -s '-screen 0 640x480x24' " + exe + args + (dir / "glfw.png").string()) == 0);
    INFO(test::readFile(dir / "log.txt"));
    CHECK(test::readFile(dir / "log.txt").find("glfw-hidden") != std::string::npos);
    // both are Mesa's llvmpipe drawing into a framebuffer object: the same pixels
    CHECK(test::readFile(dir / "egl.png") == test::readFile(dir / "glfw.png"));
    // without a display, the forced fallback fails with a message that says why
    CHECK(run("env -u DISPLAY -u WAYLAND_DISPLAY SAFETWIN_GL_CONTEXT=glfw " + exe + args + (dir / "none.png").string()) == 1);
    CHECK(test::readFile(dir / "log.txt").find("no OpenGL context") != std::string::npos);
}

TEST_CASE("render CLI: open hazards of a register are drawn, a missing register exits 2", "[render][cli]") {
    if (!test::offscreenOrSkip()) return;
    const fs::path dir = test::scratchDir("render-hazards");
    const std::string exe = std::string(SAFETWIN_BINARY_DIR) + "/app/safetwin";
    const std::string office = (test::sourceDir() / "scenarios" / "office.yaml").string();
    auto run = [&](const std::string& args) {
        const int rc = std::system((exe + " " + args + " > " + (dir / "log.txt").string() + " 2>&1").c_str());
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    };
    REQUIRE(run("hazards import " + (test::sourceDir() / "scenarios" / "office-hazards.csv").string() + " -s " + office +
                " --register " + (dir / "hz.sqlite").string()) == 0);
    const std::string common = " render " + office + " --camera top --size 400x240 --samples 1 --no-overlay --out ";
    REQUIRE(run(common + (dir / "plain.png").string()) == 0);
    REQUIRE(run(common + (dir / "hazards.png").string() + " --hazards " + (dir / "hz.sqlite").string()) == 0);
    CHECK(test::readFile(dir / "plain.png") != test::readFile(dir / "hazards.png"));
    CHECK(run(common + (dir / "none.png").string() + " --hazards " + (dir / "missing.sqlite").string()) == 2);
    CHECK_FALSE(fs::exists(dir / "none.png"));
}
