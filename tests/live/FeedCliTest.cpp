// `safetwin live` as a user meets it: a drill replayed with no broker, a live session against a
// real mosquitto fed by `safetwin live publish`, recorded and replayed to the same state, and
// bad input (no sensors, a broken recording) with exit code 2.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "MqttBroker.hpp"
#include "TestSupport.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace safetwin::test;

namespace {

struct CliResult {
    int code = -1;
    std::string out;
};

CliResult runLive(const fs::path& dir, const std::string& args) {
    const std::string cmd = "cd '" + dir.string() + "' && '" +
                            (binaryDir() / "app" / "safetwin").string() + "' " + args +
                            " > out.txt 2>&1";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, readFile(dir / "out.txt")};
}

/// The bundled office scenario's sensors: GD-M1 (%LEL, warning 10, alarm 25, on-delay 2 s)...
const std::string kDrill =
    R"({"t": 0, "topic": "safetwin/office/sensors/GD-M1", "text": {"id": "GD-M1", "t": 1764350000, "value": 3, "unit": "%LEL"}}
{"t": 0.5, "topic": "safetwin/office/sensors/GD-KITCHEN", "text": {"id": "GD-KITCHEN", "t": 1764350000.5, "value": 12, "unit": "%LEL"}}
{"t": 1, "topic": "safetwin/office/sensors/GD-M1", "text": {"id": "GD-M1", "t": 1764350001, "value": 30, "unit": "%LEL"}}
{"t": 1.5, "topic": "safetwin/office/sensors/GD-M1", "text": "not json"}
{"t": 1.6, "topic": "safetwin/office/sensors/NOPE", "text": {"id": "NOPE", "t": 1764350001, "value": 1, "unit": "%LEL"}}
{"t": 1.7, "topic": "safetwin/office/sensors/PT-SPRINKLER", "text": {"id": "PT-SPRINKLER", "t": 1764350001, "value": 7, "unit": "psi"}}
{"t": 3.5, "topic": "safetwin/office/sensors/PT-SPRINKLER", "text": {"id": "PT-SPRINKLER", "t": 1764350003.5, "value": 7.2, "unit": "bar"}}
)";

const json& sensorIn(const json& state, const std::string& id) {
    for (const json& s : state.at("sensors"))
        if (s.at("id") == id) return s;
    FAIL("no sensor " << id);
    return state;
}

}  // namespace

TEST_CASE("safetwin live --replay runs a drill without a broker", "[live][cli]") {
    const fs::path dir = scratchDir("live-cli-replay");
    writeFile(dir / "drill.jsonl", kDrill);
    const std::string office = (sourceDir() / "scenarios" / "office.yaml").string();
    const CliResult r = runLive(
        dir, "live '" + office +
                 "' --replay drill.jsonl --speed 0 --state-out state.json --log issues.txt");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const json s = json::parse(readFile(dir / "state.json"));
    CHECK(s.at("format") == "safetwin-live-state");
    // GD-M1 above its alarm limit from t = 1 s, held past its 2 s on-delay: active, unacknowledged.
    CHECK(sensorIn(s, "GD-M1").at("alarm") == "active_unacknowledged");
    CHECK(sensorIn(s, "GD-M1").at("severity") == "alarm");
    CHECK(sensorIn(s, "GD-M1").at("value") == 30);
    // GD-KITCHEN above its warning limit 10 since 0.5 s.
    CHECK(sensorIn(s, "GD-KITCHEN").at("severity") == "warning");
    CHECK(sensorIn(s, "TT-R1_03").at("quality") == "unknown");
    CHECK(sensorIn(s, "TT-R1_03").at("safe") == false);
    CHECK(sensorIn(s, "PT-SPRINKLER").at("value") == 7.2);  // the psi reading was refused
    CHECK(s.at("counters").at("received") == 7);
    CHECK(s.at("counters").at("malformed") == 1);
    CHECK(s.at("counters").at("unknown_sensor") == 1);
    CHECK(s.at("counters").at("wrong_unit") == 1);
    const std::string log = readFile(dir / "issues.txt");
    CHECK(log.find("wrong_unit") != std::string::npos);
    CHECK(r.out.find("alarms active: 1 GD-M1") != std::string::npos);
}

TEST_CASE("safetwin live: bad input exits 2 and says why", "[live][cli]") {
    const fs::path dir = scratchDir("live-cli-bad");
    const std::string office = (sourceDir() / "scenarios" / "office.yaml").string();
    writeFile(dir / "broken.jsonl",
              "{\"t\": 0, \"topic\": \"x\", \"b64\": \"AA\"}\n{\"t\": 1, \"topic\": \"x\"}\n");
    CliResult r = runLive(dir, "live '" + office + "' --replay broken.jsonl --state-out s.json");
    CHECK(r.code == 2);
    CHECK(r.out.find("broken.jsonl:2") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "s.json"));
    const std::string noSensors = (sourceDir() / "scenarios" / "workshop.yaml").string();
    r = runLive(dir, "live '" + noSensors + "' --replay broken.jsonl");
    CHECK(r.code == 2);
    CHECK(r.out.find("no 'sensors'") != std::string::npos);
    r = runLive(dir, "live '" + office + "' --broker 127.0.0.1:99999 --duration 1");
    CHECK(r.code == 2);
    CHECK(r.out.find("99999") != std::string::npos);
}

TEST_CASE("safetwin live records a session from a broker, and its replay gives the same state",
          "[live][cli][mqtt]") {
    if (!haveMosquitto()) return;
    MosquittoBroker broker("live-cli-broker");
    const fs::path dir = scratchDir("live-cli-session");
    writeFile(dir / "drill.jsonl", kDrill);
    const std::string office = (sourceDir() / "scenarios" / "office.yaml").string();
    const std::string bin = (binaryDir() / "app" / "safetwin").string();
    // The live session in the background, until SIGTERM (at most 60 s).
    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string cmd =
            "cd '" + dir.string() + "' && exec '" + bin + "' live '" + office + "' --broker " +
            broker.address() +
            " --record rec.jsonl --state-out live.json --duration 60 > live.txt 2>&1";
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    REQUIRE(pid > 0);
    // Published once the session is subscribed (its state file says connected).
    const bool up = waitFor(
        [&] {
            if (!fs::exists(dir / "live.json")) return false;
            const json s = json::parse(readFile(dir / "live.json"), nullptr, false);
            return !s.is_discarded() && s.value("connected", false);
        },
        20);
    CHECK(up);
    const CliResult pub = runLive(
        dir, "live publish --broker " + broker.address() + " --script drill.jsonl --speed 2");
    INFO(pub.out);
    CHECK(pub.code == 0);
    CHECK(pub.out.find("published 7 messages") != std::string::npos);
    // GD-M1's alarm (on-delay 2 s) is raised 2 s after its reading at 0.5 s; then stop.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO(readFile(dir / "live.txt"));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    const json live = json::parse(readFile(dir / "live.json"));
    CHECK(live.at("counters").at("received") == 7);
    CHECK(sensorIn(live, "GD-M1").at("alarm") == "active_unacknowledged");

    const CliResult r =
        runLive(dir, "live '" + office + "' --replay rec.jsonl --speed 0 --state-out replay.json");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const json replayed = json::parse(readFile(dir / "replay.json"));
    CHECK(replayed.at("counters") == live.at("counters"));
    for (const char* id : {"GD-M1", "GD-KITCHEN", "TT-R1_03", "PT-SPRINKLER"}) {
        INFO(id);
        for (const char* key : {"value", "time", "quality", "alarm", "severity"})
            CHECK(sensorIn(replayed, id).at(key) == sensorIn(live, id).at(key));
    }
    CHECK(replayed.at("alarms").size() == live.at("alarms").size());
}
