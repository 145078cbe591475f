// The forecast from the register: a blocked exit recorded as an open hazard changes the routes
// and the evacuation time; the impact ranking puts a blocked main exit above a minor hazard;
// an alarming detector picks the nearest candidate leak source; bad effects are named.
#include <sys/wait.h>

#include <cmath>

#include "TestSupport.hpp"
#include "live/forecast/Forecast.hpp"
#include "live/forecast/HazardScene.hpp"
#include "live/register/HazardEffect.hpp"
#include "sim/run/Simulation.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::test;
namespace fs = std::filesystem;

namespace {

/// A 30 m x 10 m hall: main exit M1 (2.4 m) in the middle of the south wall, a narrow fire
/// exit FE (0.9 m) in the east wall; 40 people near M1, all moving at once.
const std::string kHall = R"(name: Hall
duration: 400
seed: 3
scene:
  name: Hall
  levels:
    - id: L0
      walls:
        - {points: [[0,0],[30,0],[30,10],[0,10],[0,0]], thickness: 0.2}
      doors:
        - {id: M1, at: [15, 0], width: 2.4, exit: true}
        - {id: FE, at: [30, 5], width: 0.9, exit: true}
      spaces:
        - {id: HALL, name: Main hall, rect: {min: [0.2, 0.2], max: [29.8, 9.8]}}
populations:
  - name: staff
    count: 40
    where: {level: L0, rect: {min: [10, 3], max: [20, 8]}}
    premovement: 0
hazards: {register: hall.sqlite}
)";

Hazard hazard(const std::string& id, const std::string& level, const std::string& effect) {
    Hazard h;
    h.id = id;
    h.title = "hazard " + id;
    h.level = level;
    if (level == "major") h.major_criterion = "GB 35181-2025 (exit blocked)";
    h.domain = "fire_safety";
    h.found_at = "2026-11-20";
    h.effect = effect;
    return h;
}

}  // namespace

TEST_CASE("forecast: a blocked exit in the register changes the routes and the evacuation time", "[forecast]") {
    const fs::path dir = scratchDir("forecast-blocked");
    writeFile(dir / "hall.yaml", kHall);
    const Scenario s = loadScenarioFile((dir / "hall.yaml").string());
    REQUIRE(s.hazard_register == (dir / "hall.sqlite").string());
    auto reg = HazardRegister::open(s.hazard_register, true);
    ForecastOptions opt;
    opt.seeds = 3;
    opt.jobs = 2;

    const ForecastResult before = runForecast(s, reg->openHazards(), nullptr, opt);
    reg->add(hazard("H1", "major", "close_exit:M1"), "inspector");
    reg->add(hazard("H2", "general", ""), "inspector");  // no effect on a run
    const ForecastResult after = runForecast(s, reg->openHazards(), nullptr, opt);

    // Before: most people leave by the wide exit next to them.
    REQUIRE_FALSE(before.exits.empty());
    CHECK(before.exits.front().id == "M1");
    CHECK(before.avoid.empty());
    // After: nobody uses M1, everyone takes FE, and M1 is a route to avoid.
    REQUIRE(after.exits.size() == 1);
    CHECK(after.exits.front().id == "FE");
    CHECK(after.exits.front().share == Approx(1.0));
    REQUIRE(after.avoid.size() == 1);
    CHECK(after.avoid[0].id == "M1");
    CHECK(after.applied.size() == 1);
    CHECK(after.without_effect.size() == 1);
    CHECK(after.mean_trapped == 0);
    // 40 people through a 0.9 m door at no more than 1.9 persons/(m s) (the highest laboratory
    // specific flow, DESIGN.md) need at least 40 / (1.9 x 0.9) = 23.4 s at the door alone;
    // through 2.4 m the same bound is 8.8 s. The forecast must be slower by more than the
    // difference of those bounds.
    CHECK(after.evacuation.value > 40.0 / (1.9 * 0.9));
    CHECK(after.evacuation.value - before.evacuation.value > 40.0 / (1.9 * 0.9) - 40.0 / (1.9 * 2.4));
    CHECK(after.evacuation.lo > before.evacuation.hi);
    // Faster than real time.
    CHECK(after.simulated_s > after.wall_s);

    // Rectified (accepted), the hazard no longer counts.
    reg->update("H1", {{"status", "planned"}, {"measures", "remove the chain"}, {"responsible_person", "Li"},
                       {"deadline", "2026-11-21"}, {"funds", "0"}, {"interim_measures", "guard"}, {"emergency_plan", "EP-1"}},
                "t");
    reg->update("H1", {{"status", "rectifying"}}, "t");
    reg->update("H1", {{"status", "self_checked"}}, "t");
    reg->update("H1", {{"status", "accepted"}, {"acceptance_evidence", "site visit"}}, "t");
    const ForecastResult fixed = runForecast(s, reg->openHazards(), nullptr, opt);
    CHECK(fixed.exits.front().id == "M1");
    CHECK(fixed.evacuation.value == Approx(before.evacuation.value));  // same seeds, same runs
}

TEST_CASE("forecast: the impact ranking puts a blocked main exit above a minor hazard", "[forecast]") {
    const fs::path dir = scratchDir("forecast-impact");
    writeFile(dir / "hall.yaml", kHall);
    const Scenario s = loadScenarioFile((dir / "hall.yaml").string());
    auto reg = HazardRegister::open(s.hazard_register, true);
    // The minor one: goods stacked in the far west corner, away from every route.
    reg->add(hazard("H1", "general", "block:L0:0.5,8.5,1.5,9.5"), "inspector");
    Hazard chained = hazard("H2", "major", "close_exit:M1");
    chained.location_object = "M1";
    reg->add(chained, "inspector");
    ForecastOptions opt;
    opt.seeds = 3;
    opt.jobs = 2;
    opt.impact = true;
    const ForecastResult r = runForecast(s, reg->openHazards(), nullptr, opt);
    REQUIRE(r.impacts.size() == 2);
    CHECK(r.impacts[0].hazard.id == "H2");
    CHECK(r.impacts[0].rank == 1);
    CHECK(r.impacts[0].clear);
    CHECK(r.impacts[0].added.lo > 0.0);
    CHECK(r.impacts[1].hazard.id == "H1");
    CHECK(std::fabs(r.impacts[1].added.value) < 0.25 * r.impacts[0].added.value);
    // Stored for `hazards list` and the viewer's markers.
    reg->storeImpacts(impactRecords(r));
    const auto markers = hazardMarkers(s.scene, *reg);
    REQUIRE(markers.size() == 2);
    for (const HazardMarkerData& m : markers)
        if (m.id == "H2") {
            CHECK(m.evacuation_cost_s == Approx(r.impacts[0].added.value));
            CHECK(m.major);
            CHECK(m.located);
            CHECK(m.x == Approx(15.0));
        } else {
            CHECK_FALSE(m.located);  // no location given
        }
    const std::string page = reportHtml(r);
    CHECK(page.find("What each open hazard costs") != std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    // The plan shows H2's marker (major: red) and M1 closed (red, dashed).
    CHECK(page.find("<svg") != std::string::npos);
    CHECK(page.find("fill=\"#d00\" stroke=\"#fff\"") != std::string::npos);
    CHECK(page.find(">H2</text>") != std::string::npos);
    CHECK(page.find("stroke-dasharray=\"3,2\"") != std::string::npos);
}

TEST_CASE("forecast: effects and markers are checked against the scene", "[forecast]") {
    const Scenario s = parseScenarioText(kHall, "hall.yaml", ".");
    Hazard h = hazard("H1", "general", "close_exit:M2");
    CHECK_THROWS_WITH(applyHazardEffects(s, {h}), Catch::Contains("hazard H1") && Catch::Contains("M1"));
    h.effect = "close_door:FE";
    const Scenario closed = applyHazardEffects(s, {h});
    CHECK(closed.scene.findDoor("FE").has_value());
    CHECK(closed.scene.levels[0].doors[1].closed);
    h.effect = "block:L0:5,5,6,6; slow:HALL:0.5";
    const Scenario blocked = applyHazardEffects(s, {h});
    CHECK(blocked.scene.levels[0].obstacles.size() == 1);
    REQUIRE(blocked.speed_zones.size() == 1);
    CHECK(blocked.speed_zones[0].factor == 0.5);
    CHECK_THROWS_WITH(parseHazardEffects("slow:HALL:1.5", "x"), Catch::Contains("outside (0, 1]"));
    CHECK_THROWS_WITH(parseHazardEffects("close:M1", "x"), Catch::Contains("unknown kind"));

    // Markers: at a door's middle, at a space's centre, or at a point.
    int level = -1;
    Vec2 at;
    h.location_object = "M1";
    REQUIRE(locateHazard(s.scene, h, level, at));
    CHECK(at.x == Approx(15.0));
    CHECK(at.y == Approx(0.0).margin(0.2));
    h.location_object = "Main hall";  // a space by its name
    REQUIRE(locateHazard(s.scene, h, level, at));
    CHECK(at.x == Approx(15.0));
    CHECK(at.y == Approx(5.0));
    h.location_object = "";
    h.location_level = "L0";
    h.x = 3;
    h.y = 4;
    REQUIRE(locateHazard(s.scene, h, level, at));
    CHECK(at.x == 3.0);
}

TEST_CASE("forecast: the command line runs the forecast and ranks hazards in `hazards list`", "[forecast][cli]") {
    const fs::path dir = scratchDir("forecast-cli");
    writeFile(dir / "hall.yaml", kHall);
    const fs::path bin = fs::path(SAFETWIN_BINARY_DIR) / "app" / "safetwin";
    REQUIRE(fs::exists(bin));
    auto run = [&](const std::string& args) {
        const std::string cmd = "cd '" + dir.string() + "' && '" + bin.string() + "' " + args + " > out.txt 2> err.txt";
        const int status = std::system(cmd.c_str());
        REQUIRE(WIFEXITED(status));
        return WEXITSTATUS(status);
    };
    REQUIRE(run("hazards add -s hall.yaml --id H1 --title 'Pallets in the corner' --found-at 2026-11-20 "
                "--effect block:L0:0.5,8.5,1.5,9.5 --author t") == 0);
    REQUIRE(run("hazards add -s hall.yaml --id H2 --title 'Main exit chained' --level major "
                "--major-criterion 'exit locked' --found-at 2026-11-20 --effect close_exit:M1 --author t") == 0);
    REQUIRE(run("forecast hall.yaml --seeds 2 --jobs 2 --impact --out fc") == 0);
    const std::string out = readFile(dir / "out.txt");
    CHECK(out.find("exits to use:\n  FE") != std::string::npos);
    CHECK(out.find("exit M1: hazard H2") != std::string::npos);
    CHECK(fs::exists(dir / "fc" / "forecast.json"));
    CHECK(fs::exists(dir / "fc" / "report.html"));
    REQUIRE(run("hazards list -s hall.yaml --rank") == 0);
    const std::string list = readFile(dir / "out.txt");
    CHECK(list.find("H2") < list.find("H1 "));
    // An effect naming nothing in the scene is bad input, and nothing is written.
    REQUIRE(run("hazards add -s hall.yaml --id H3 --title x --found-at 2026-11-20 --effect close_door:D9 --author t") == 0);
    CHECK(run("forecast hall.yaml --seeds 1 --out fc2") == 2);
    CHECK(readFile(dir / "err.txt").find("hazard H3") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "fc2"));
    REQUIRE(run("hazards update H3 -s hall.yaml --effect '' --author t") == 0);

    // With a live state file: a stale sensor is reported, never assumed safe; a bad file is
    // bad input.
    live::LiveState state;
    live::SensorState tt;
    tt.id = "TT-1";
    tt.kind = "temperature";
    tt.quality = live::Quality::Stale;
    state.sensors = {tt};
    writeFile(dir / "state.json", live::liveStateToJson(state).dump());
    REQUIRE(run("forecast hall.yaml --live state.json --seeds 1 --out fc3") == 0);
    CHECK(readFile(dir / "out.txt").find("TT-1 (stale)") != std::string::npos);
    writeFile(dir / "bad.json", "{\"format\": \"something else\"}");
    CHECK(run("forecast hall.yaml --live bad.json --seeds 1 --out fc4") == 2);
    CHECK_FALSE(fs::exists(dir / "fc4"));
}

TEST_CASE("forecast: a slow area (failed emergency lighting) scales the walking time by 1 / factor", "[forecast]") {
    // One person walking 1 m/s along a 2 m wide corridor to an exit 20 m away: 20 s of walking
    // (plus the body's last half metre); with the whole corridor at factor 0.5 it takes twice
    // as long. Route and exit detection add the same few tenths of a second to both.
    const std::string corridor = R"(name: Corridor
duration: 200
scene:
  name: Corridor
  levels:
    - id: L0
      walls: [{points: [[0,0],[30,0]]}, {points: [[0,2],[30,2]]}]
      exits: [{id: end, from: [30,0], to: [30,2]}]
      spaces: [{id: C, rect: {min: [0, 0.1], max: [30, 1.9]}}]
populations:
  - name: walker
    where: {level: L0, points: [[10, 1]]}
    profile: {speed: 1.0}
    premovement: 0
)";
    const Scenario s = parseScenarioText(corridor, "corridor.yaml", ".");
    Hazard h = hazard("H1", "general", "slow:C:0.5");
    auto timeOf = [](const Scenario& sc) {
        Simulation sim(sc);
        sim.run();
        return sim.summary()["evacuation_time_s"].get<double>();
    };
    const double normal = timeOf(s);
    const double dark = timeOf(applyHazardEffects(s, {h}));
    CHECK(normal == Approx(20.0).margin(1.5));
    CHECK(dark - normal == Approx(normal).margin(1.5));  // t / 0.5 - t = t
}

TEST_CASE("forecast: an alarming gas detector starts a leak at the nearest candidate source", "[forecast]") {
    std::string text = kHall;
    text.replace(text.find("hazards: {register: hall.sqlite}"), std::string::npos, R"(gas:
  gas: ammonia
  model: plume
  wind: {speed: 3, direction: 0, reference_height: 10, stability: D}
  sources:
    - {id: W, level: L0, at: [3, 5], height: 1, rate: 0.5}
    - {id: E, level: L0, at: [27, 5], height: 1, rate: 0.5}
  tenability: 300 ppm
hazards: {gas_sources: [W, E]}
)");
    const Scenario s = parseScenarioText(text, "hall.yaml", ".");
    REQUIRE(s.hazard_gas_sources.size() == 2);
    live::LiveState state;
    live::SensorState gd;
    gd.id = "GD-E";
    gd.kind = "gas";
    gd.level = "L0";
    gd.x = 25;
    gd.y = 6;
    gd.quality = live::Quality::Good;
    gd.alarm = live::AlarmState::ActiveUnacknowledged;
    gd.severity = live::Severity::Alarm;
    live::SensorState tt;
    tt.id = "TT-1";
    tt.kind = "temperature";
    tt.quality = live::Quality::Stale;
    state.sensors = {gd, tt};
    ForecastOptions opt;
    opt.seeds = 1;

    const ForecastResult r = runForecast(s, {}, &state, opt);
    CHECK(r.gas_source == "E");
    CHECK(r.alarming == std::vector<std::string>{"GD-E"});
    CHECK(r.not_good == std::vector<std::string>{"TT-1 (stale)"});
    const Scenario withLeak = forecastScenario(s, {}, r.gas_source);
    REQUIRE(withLeak.gas);
    REQUIRE(withLeak.gas->sources.size() == 1);
    CHECK(withLeak.gas->sources[0].id == "E");
    CHECK_FALSE(withLeak.gas->alarm_starts_evacuation);  // the alarm has sounded already

    // Only W a candidate: W, though E is nearer.
    Scenario onlyW = s;
    onlyW.hazard_gas_sources = {"W"};
    CHECK(runForecast(onlyW, {}, &state, opt).gas_source == "W");
    // No detector in alarm: no leak assumed, and the run has no gas.
    state.sensors[0].alarm = live::AlarmState::Normal;
    const ForecastResult calm = runForecast(s, {}, &state, opt);
    CHECK(calm.gas_source.empty());
    CHECK_FALSE(forecastScenario(s, {}, "").gas);
}

TEST_CASE("forecast: a viewer's marker source follows changes made by another process", "[forecast]") {
    const fs::path dir = scratchDir("forecast-markers");
    const Scenario s = parseScenarioText(kHall, "hall.yaml", ".");
    const std::string path = (dir / "hall.sqlite").string();
    HazardMarkerSource source(s.scene, path);
    CHECK_FALSE(source.poll("2026-11-20T10:00:00Z"));  // no register yet
    auto office = HazardRegister::open(path, true);
    Hazard h = hazard("H1", "major", "close_exit:M1");
    h.location_object = "M1";
    office->add(h, "inspector");
    CHECK(source.poll("2026-11-20T10:00:00Z"));
    REQUIRE(source.markers().size() == 1);
    CHECK(source.markers()[0].major);
    CHECK(source.stats().open == 1);
    CHECK_FALSE(source.poll("2026-11-20T10:00:01Z"));  // nothing changed
    office->update("H1", {{"status", "planned"}, {"measures", "m"}, {"responsible_person", "Li"}, {"deadline", "2026-11-21"},
                          {"funds", "0"}, {"interim_measures", "guard"}, {"emergency_plan", "EP"}},
                   "t");
    CHECK(source.poll("2026-11-20T10:00:02Z"));
    CHECK(source.markers()[0].status == "planned");
    CHECK_FALSE(source.markers()[0].overdue);
    // The next days: overdue from the day after the deadline, without any write.
    CHECK(source.poll("2026-11-22T08:00:00Z"));
    CHECK(source.markers()[0].overdue);
    CHECK(source.stats().overdue == 1);
}
