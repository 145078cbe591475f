// The viewer window under Xvfb and Mesa's software renderer, driven by the command line as a user
// would (`safetwin view ... --exit-at T --screenshot`): the scene and the people appear where the
// simulation says they are, a scripted drill closing a door makes the people behind it take the
// other exit, and without a display `view` says so and points to `render`.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>
#include <stb/stb_image.h>

#include "render/Camera.hpp"
#include "render/FrameFromSimulation.hpp"
#include "render/RenderSupport.hpp"
#include "render/Renderer.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"
#include "TestSupport.hpp"

using namespace safetwin;
using safetwin::test::colourDistance;
using safetwin::test::pixel;

namespace {

const std::string kCli = SAFETWIN_BINARY_DIR "/app/safetwin";
constexpr int kW = 1280, kH = 720;

/// True when xvfb-run is installed; otherwise WARN and skip (FAIL when CI is set).
bool haveXvfb() {
    if (std::system("command -v xvfb-run >/dev/null 2>&1") == 0) return true;
    if (std::getenv("CI")) FAIL("CI is set but xvfb-run (Debian package xvfb) is missing");
    WARN("skipped: xvfb-run is missing (Debian package xvfb)");
    return false;
}

/// Runs the CLI under a fresh virtual display; returns its exit code, output in `log`.
int underXvfb(const std::string& args, const std::filesystem::path& log) {
    const std::string cmd = "xvfb-run -a -s '-screen 0 " + std::to_string(kW) + "x" + std::to_string(kH) + "x24' " + kCli + " " + args + " > " + log.string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/// A 20 m x 10 m hall with an exit at each end and eight people near the east one.
const char* kHall = R"(name: hall
duration: 120
seed: 3
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[20,0],[20,10],[0,10],[0,0]]}]
      doors:
        - {id: E_e, at: [20, 5], width: 1.2, exit: true}
        - {id: E_w, at: [0, 5], width: 1.2, exit: true}
      spaces:
        - {id: east, polygon: [[13,1],[19,1],[19,9],[13,9]]}
populations:
  - {name: staff, count: 8, where: {space: east}, premovement: 0}
)";

/// A fresh register `dir`/site.sqlite holding one hazard made by `safetwin hazards add` with
/// `fields`; returns its path.
std::string registerWith(const std::filesystem::path& dir, const std::string& fields) {
    const std::string reg = (dir / "site.sqlite").string();
    std::filesystem::remove(reg);
    const std::string add = kCli + " hazards add -r " + reg + " " + fields + " > " + (dir / "add.txt").string() + " 2>&1";
    INFO(test::readFile(dir / "add.txt"));
    REQUIRE(std::system(add.c_str()) == 0);
    return reg;
}

/// The hall's east exit chained shut: a major hazard whose effect closes E_e.
const char* kChainedEast =
    "--id HZ-1 --title 'East exit chained' --domain fire_safety --level major --major-criterion 'exit locked'"
    " --location-object E_e --found-at 2026-11-01 --found-by joint_inspection --effect close_exit:E_e";

std::vector<uint8_t> readPng(const std::filesystem::path& p, int& w, int& h) {
    int n = 0;
    unsigned char* data = stbi_load(p.string().c_str(), &w, &h, &n, 3);
    REQUIRE(data);
    std::vector<uint8_t> rgb(data, data + size_t(w) * size_t(h) * 3);
    stbi_image_free(data);
    return rgb;
}

}  // namespace

TEST_CASE("Viewer: a screenshot shows the people where the simulation says they are", "[viewer][xvfb]") {
    if (!haveXvfb()) return;
    const auto dir = test::scratchDir("viewer-shot");
    test::writeFile(dir / "rooms.yaml", test::twoRoomScenario());
    const double T = 1.5;
    const int rc = underXvfb("view " + (dir / "rooms.yaml").string() + " --exit-at 1.5 --camera top --no-panels --size 1280x720 --screenshot " +
                                 (dir / "shot.png").string() + " --out " + (dir / "out").string(),
                             dir / "log.txt");
    INFO(test::readFile(dir / "log.txt"));
    REQUIRE(rc == 0);
    int w = 0, h = 0;
    const auto shot = readPng(dir / "shot.png", w, h);
    REQUIRE(w == kW);
    REQUIRE(h == kH);

    // The same run stepped here, and the same view drawn offscreen without people: the background.
    const Scenario sc = parseScenarioText(test::twoRoomScenario(), "rooms.yaml", ".");
    Simulation sim(sc);
    while (sim.time() < T - 1e-9 && sim.step()) {
    }
    const render::Frame f = render::frameFromSimulation(sim);
    const render::Camera cam = *render::findBookmark(sc.scene, "top");
    std::vector<uint8_t> background;
    if (auto ctx = test::offscreenOrSkip()) {
        render::Renderer r(sc.scene);
        render::OffscreenTarget target(kW, kH, 1);
        render::DrawOptions none;
        none.show_agents = false;
        target.bind();
        r.draw(f, cam, none, kW, kH);
        background = target.readRgb();
    }
    REQUIRE(f.agents.size() >= 20);
    int checked = 0;
    for (size_t k = 0; k < f.agents.size(); k += 4) {
        const render::AgentSample& a = f.agents[k];
        const auto p = cam.project(a.x, a.y, a.z + render::DrawOptions{}.body_height, kW, kH);
        REQUIRE(p);
        const int px = int(std::floor((*p)[0])), py = int(std::floor((*p)[1]));
        if (px < 0 || py < 0 || px >= kW || py >= kH) continue;
        if (px > kW - 420 && py < 220) continue;  // under the clock overlay (top right)
        const auto drawn = pixel(shot, kW, px, py);
        INFO("agent " << a.id << " at (" << a.x << ", " << a.y << ") -> pixel (" << px << ", " << py << ")");
        // Moving people are green (render::stateColour): green dominates at their centre.
        CHECK(drawn[1] > drawn[0] + 40);
        CHECK(drawn[1] > drawn[2] + 20);
        if (!background.empty()) CHECK(colourDistance(drawn, pixel(background, kW, px, py)) > 60);
        ++checked;
    }
    CHECK(checked >= 4);
    // And the scene is there: the floor of the east room (nobody there yet) is drawn, not the
    // clear colour, and matches the offscreen drawing of the same view.
    const auto q = cam.project(18.0, 4.0, 0.0, kW, kH);
    REQUIRE(q);
    const auto floorPx = pixel(shot, kW, int((*q)[0]), int((*q)[1]));
    const auto bg = render::DrawOptions{}.background;
    CHECK(colourDistance(floorPx, {int(bg[0] * 255), int(bg[1] * 255), int(bg[2] * 255)}) > 30);
    if (!background.empty()) CHECK(colourDistance(floorPx, pixel(background, kW, int((*q)[0]), int((*q)[1]))) < 40);
    // The results of the viewed run.
    const auto summary = nlohmann::json::parse(test::readFile(dir / "out" / "summary.json"));
    CHECK(summary["simulated_time_s"].get<double>() == Approx(T));
    CHECK(std::filesystem::exists(dir / "out" / "after_action.html"));
}

TEST_CASE("Viewer: a scripted drill closes a door and the people behind it take the other exit", "[viewer][xvfb][drill]") {
    if (!haveXvfb()) return;
    const auto dir = test::scratchDir("viewer-drill");
    test::writeFile(dir / "rooms.yaml", kHall);
    test::writeFile(dir / "drill.csv", "time,event,target,message\n1,close_door,E_e,East exit blocked by a delivery\n");
    // Without the drill everyone leaves by the near east exit.
    Simulation ref(parseScenarioText(kHall, "rooms.yaml", "."));
    ref.run();
    const int east = ref.exitTallies()[size_t(ref.scenario().scene.exitIndex("E_e"))].count;
    REQUIRE(east == 8);

    const int rc = underXvfb("view " + (dir / "rooms.yaml").string() + " --script " + (dir / "drill.csv").string() + " --exit-at 120 --out " + (dir / "out").string(),
                             dir / "log.txt");
    INFO(test::readFile(dir / "log.txt"));
    REQUIRE(rc == 0);
    const auto aar = nlohmann::json::parse(test::readFile(dir / "out" / "after_action.json"));
    REQUIRE(aar["entries"].size() == 1);
    CHECK(aar["entries"][0]["action"] == "close_door");
    CHECK(aar["entries"][0]["target"] == "E_e");
    CHECK(aar["entries"][0]["time_s"].get<double>() == Approx(1.0));
    CHECK(aar["entries"][0]["message"] == "East exit blocked by a delivery");
    int eastAfter = -1, westAfter = -1;
    for (const auto& e : aar["final"]["exits"]) {
        if (e["id"] == "E_e") eastAfter = e["count"];
        if (e["id"] == "E_w") westAfter = e["count"];
    }
    CHECK(eastAfter == 0);
    CHECK(westAfter == 8);
    CHECK(aar["final"]["evacuated"] == 8);
    const auto summary = nlohmann::json::parse(test::readFile(dir / "out" / "summary.json"));
    REQUIRE(summary.contains("event_log"));
    CHECK(summary["event_log"][0]["source"] == "inject I1");
}

TEST_CASE("Viewer: without a display it says so and points to render", "[viewer]") {
    const auto dir = test::scratchDir("viewer-nodisplay");
    const std::string cmd = "env -u DISPLAY -u WAYLAND_DISPLAY " + kCli + " view " + (test::sourceDir() / "scenarios" / "office.yaml").string() + " > " +
                            (dir / "log.txt").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    const std::string log = test::readFile(dir / "log.txt");
    INFO(log);
    CHECK(WEXITSTATUS(rc) == 2);
    CHECK(log.find("no display") != std::string::npos);
    CHECK(log.find("safetwin render") != std::string::npos);
}

TEST_CASE("Viewer: the register's open hazards appear at their place in the window", "[viewer][xvfb][hazards]") {
    if (!haveXvfb()) return;
    const auto dir = test::scratchDir("viewer-hazards");
    test::writeFile(dir / "hall.yaml", kHall);
    // One open hazard at a point in the empty west half of the hall (nobody walks there by 0.5 s).
    const std::string reg = registerWith(dir, "--id HZ-1 --title 'Blocked corridor' --domain fire_safety --level general --location-level L0 --x 5 --y 5"
                                              " --found-at 2026-11-01 --found-by self_inspection --deadline 2030-01-01");
    const std::string common = "view " + (dir / "hall.yaml").string() + " --exit-at 0.5 --camera top --no-panels --size 1280x720 --out " + (dir / "out").string();
    REQUIRE(underXvfb(common + " --screenshot " + (dir / "plain.png").string(), dir / "log1.txt") == 0);
    const int rc = underXvfb(common + " --register " + reg + " --screenshot " + (dir / "marked.png").string(), dir / "log2.txt");
    INFO(test::readFile(dir / "log2.txt"));
    REQUIRE(rc == 0);
    int w = 0, h = 0;
    const auto plain = readPng(dir / "plain.png", w, h);
    const auto marked = readPng(dir / "marked.png", w, h);
    const Scenario sc = parseScenarioText(kHall, "hall.yaml", ".");
    const render::Camera cam = *render::findBookmark(sc.scene, "top");
    // Near the hazard's point the two windows differ (the marker); at the far east floor they do not.
    const auto at = cam.project(5.0, 5.0, 0.0, kW, kH);
    REQUIRE(at);
    int changed = 0;
    for (int dy = -12; dy <= 12; dy += 3)
        for (int dx = -12; dx <= 12; dx += 3)
            if (colourDistance(pixel(plain, kW, int((*at)[0]) + dx, int((*at)[1]) + dy), pixel(marked, kW, int((*at)[0]) + dx, int((*at)[1]) + dy)) > 40) ++changed;
    CHECK(changed >= 3);
    const auto far = cam.project(17.0, 2.0, 0.0, kW, kH);
    REQUIRE(far);
    CHECK(colourDistance(pixel(plain, kW, int((*far)[0]), int((*far)[1])), pixel(marked, kW, int((*far)[0]), int((*far)[1]))) < 10);
    // A register that does not exist is bad input, exit code 2.
    CHECK(underXvfb(common + " --register " + (dir / "missing.sqlite").string(), dir / "log3.txt") == 2);
}

TEST_CASE("Viewer: Forecast now evacuates with the register's blocked exit", "[viewer][xvfb][hazards][forecast]") {
    if (!haveXvfb()) return;
    const auto dir = test::scratchDir("viewer-forecast");
    test::writeFile(dir / "hall.yaml", kHall);
    const std::string reg = registerWith(dir, kChainedEast);
    const int rc = underXvfb("view " + (dir / "hall.yaml").string() + " --register " + reg + " --forecast --exit-at 0.5 --size 1280x720 --out " +
                                 (dir / "out").string(),
                             dir / "log.txt");
    const std::string log = test::readFile(dir / "log.txt");
    INFO(log);
    REQUIRE(rc == 0);
    // The forecast ran from the window with the hazard's effect: everyone to the west exit,
    // the east one listed as a route to avoid because of HZ-1.
    CHECK(log.find("view: forecast at t=") != std::string::npos);
    CHECK(log.find("E_w (L0): 100 % of people") != std::string::npos);
    CHECK(log.find("exit E_e: hazard HZ-1") != std::string::npos);
}

TEST_CASE("Viewer: --apply-hazards runs the drill with the register's chained exit closed", "[viewer][xvfb][hazards]") {
    if (!haveXvfb()) return;
    const auto dir = test::scratchDir("viewer-apply-hazards");
    test::writeFile(dir / "hall.yaml", kHall);
    const std::string reg = registerWith(dir, kChainedEast);
    auto exitCounts = [&](const std::string& flags, const std::string& out) {
        const int rc = underXvfb("view " + (dir / "hall.yaml").string() + " --register " + reg + " " + flags +
                                     " --exit-at 60 --size 640x360 --no-panels --out " + (dir / out).string(),
                                 dir / (out + ".txt"));
        const std::string log = test::readFile(dir / (out + ".txt"));
        INFO(log);
        REQUIRE(rc == 0);
        const auto summary = nlohmann::json::parse(test::readFile(dir / out / "summary.json"));
        std::map<std::string, int> counts;
        for (const auto& e : summary.at("exits")) counts[e.at("id").get<std::string>()] = e.at("count").get<int>();
        CHECK(summary.at("evacuated").get<int>() == 8);
        return std::pair{counts, log};
    };
    // As written, the eight people next to the east exit take it; with the register's chained
    // east exit in effect, all eight walk the length of the hall to the west one.
    const auto [asWritten, log1] = exitCounts("", "as-written");
    CHECK(asWritten.at("E_e") == 8);
    const auto [applied, log2] = exitCounts("--apply-hazards", "applied");
    CHECK(applied.at("E_w") == 8);
    CHECK((applied.count("E_e") == 0 || applied.at("E_e") == 0));
    CHECK(log2.find("view: in effect: HZ-1 East exit chained (close_exit:E_e)") != std::string::npos);
}
