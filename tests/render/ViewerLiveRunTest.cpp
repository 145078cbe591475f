// The viewer's simulation thread: commands from the window (the drill panel's buttons) and a drill
// script's injects act on the run through the same path, the run is the same as stepping the
// Simulation directly, and the after-action record holds every action with its moment.
#include <catch2/catch.hpp>

#include <filesystem>

#include "render/viewer/AfterAction.hpp"
#include "render/viewer/LiveRun.hpp"
#include "sim/scenario/ScenarioYaml.hpp"
#include "TestSupport.hpp"

using namespace safetwin;
using namespace safetwin::viewer;

namespace {

const char* const kHall = test::twoExitHall();

render::Frame tinyFrame(const Simulation& sim) {
    render::Frame f;
    f.time = sim.time();
    f.total = int(sim.state().size());
    f.out = sim.evacuated();
    f.remaining = sim.remaining();
    return f;
}

int exitCount(const Simulation& sim, const std::string& id) {
    for (size_t e = 0; e < sim.scenario().scene.exits.size(); ++e)
        if (sim.scenario().scene.exits[e].id == id) return sim.exitTallies()[e].count;
    return -1;
}

std::unique_ptr<LiveRun> make(const DrillScript& script, bool playing) {
    LiveOptions o;
    o.realtime = false;
    o.playing = playing;
    return std::make_unique<LiveRun>(std::make_unique<Simulation>(parseScenarioText(kHall, "hall.yaml", ".")), tinyFrame, o, script, "drill.csv");
}

}  // namespace

TEST_CASE("LiveRun: a scripted inject closes a door at its time and the people take another exit", "[viewer][drill]") {
    const auto script = DrillScript::parseCsv("time,event,target,message\n1,close_door,EAST,East door jammed\n", "drill.csv");
    auto live = make(script, true);
    live->start();
    const auto snap = live->waitUntil(1e9, 60.0);
    REQUIRE(snap->finished);
    live->stop();
    const Simulation& sim = live->simulation();
    CHECK(exitCount(sim, "EAST") == 0);
    CHECK(exitCount(sim, "WEST") == 4);
    REQUIRE(sim.eventLog().size() == 1);
    CHECK(sim.eventLog()[0].time == Approx(1.0));  // exactly at its time: the run replays
    CHECK(sim.eventLog()[0].source == "inject I1");

    const auto j = live->record().toJson(sim, &live->script(), live->scriptPath());
    REQUIRE(j["entries"].size() == 1);
    const auto& e = j["entries"][0];
    CHECK(e["inject"] == "I1");
    CHECK(e["action"] == "close_door");
    CHECK(e["message"] == "East door jammed");
    CHECK(e["time_s"].get<double>() == Approx(1.0));
    CHECK(e["progress"]["out"] == 0);
    CHECK(e["progress"]["remaining"] == 4);
    CHECK(j["injects"][0]["state"] == "fired");
    CHECK(j["final"]["evacuated"] == 4);
    CHECK(j["final"]["exits"][1]["id"] == "WEST");
    CHECK(j["final"]["exits"][1]["count"] == 4);
    // The snapshot the window last read is its own copy.
    CHECK(snap->frame.out == 4);
    CHECK(snap->log.size() == 1);

    const auto dir = test::scratchDir("viewer-aar");
    live->record().write(dir, sim, &live->script(), live->scriptPath());
    const std::string html = test::readFile(dir / "after_action.html");
    CHECK(html.find("East door jammed") != std::string::npos);
    CHECK(html.find("<td>WEST</td>") != std::string::npos);
    CHECK(nlohmann::json::parse(test::readFile(dir / "after_action.json"))["format"] == "safetwin-after-action");
}

TEST_CASE("LiveRun: the panel's button does what the inject does", "[viewer][drill]") {
    auto live = make(DrillScript{}, false);
    live->start();
    live->post(LiveCommand::step(1.0));  // paused: advance 1 s
    REQUIRE(live->waitUntil(1.0, 30.0)->time == Approx(1.0));
    live->post(LiveCommand::door("EAST", true));
    live->post(LiveCommand::speed(100.0));  // clamped to x64
    live->post(LiveCommand::play());
    const auto snap = live->waitUntil(1e9, 60.0);
    CHECK(snap->speed == LiveRun::kMaxSpeed);
    live->stop();
    const Simulation& sim = live->simulation();
    CHECK(exitCount(sim, "WEST") == 4);
    REQUIRE(sim.eventLog().size() == 1);
    CHECK(sim.eventLog()[0].source == "director");
    CHECK(sim.eventLog()[0].time == Approx(1.0));
    REQUIRE(live->record().entries().size() == 1);
    CHECK(live->record().entries()[0].source == "director");

    // The same run stepped directly, with the same action at the same time: identical result.
    Simulation ref(parseScenarioText(kHall, "hall.yaml", "."));
    while (ref.time() < 1.0 - 1e-9) ref.step();
    ref.directDoor("EAST", true);
    ref.run();
    CHECK(ref.summary()["per_agent"] == sim.summary()["per_agent"]);
}

TEST_CASE("LiveRun: a failed action is reported, skipped injects are recorded", "[viewer][drill]") {
    const auto script = DrillScript::parseCsv("time,event,target,message\n2,close_door,NOPE,x\n3,message,,Skip me\n", "drill.csv");
    auto live = make(script, false);
    live->start();
    live->post(LiveCommand::skipInject(1));
    live->post(LiveCommand::door("NOWHERE", true));
    live->post(LiveCommand::play());
    live->waitUntil(1e9, 60.0);
    live->stop();
    const auto& st = live->script().status();
    CHECK(st[0].state == InjectState::Failed);
    CHECK(st[0].error.find("NOPE") != std::string::npos);
    CHECK(st[1].state == InjectState::Skipped);
    CHECK(live->simulation().eventLog().empty());
    const auto snap = live->snapshot();
    REQUIRE(snap->messages.size() == 2);
    CHECK(snap->messages[0].error);
    const auto& entries = live->record().entries();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].outcome == "skipped");
    CHECK(entries[1].outcome.rfind("failed", 0) == 0);
    CHECK(entries[2].inject == "I1");
}
