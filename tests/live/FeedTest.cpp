// The live feed without a broker: the plain JSON layout, ISA-18.2 alarm states with deadband and
// delays, quality apart from alarm state, bad messages counted and never hiding a good reading,
// Sparkplug B births, aliases, sequence numbers and deaths, recording and replay, the state file.
#include <catch2/catch.hpp>

#include <cmath>

#include "TestSupport.hpp"
#include "app/LiveFrame.hpp"
#include "live/feed/LiveFeed.hpp"
#include "live/feed/Recorder.hpp"
#include "live/feed/Sparkplug.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

using namespace safetwin;
using namespace safetwin::live;
using namespace safetwin::test;

namespace {

SensorSpec gasDetector(const std::string& id) {
    SensorSpec s;
    s.id = id;
    s.kind = "gas";
    s.unit = "%LEL";
    s.level_id = "L0";
    s.at = {5, 5};
    s.warning_high = 10;
    s.alarm_high = 20;
    s.deadband = 2;
    s.stale_after = 30;
    s.plausible_min = 0;
    s.plausible_max = 100;
    return s;
}

std::string msg(const std::string& id, double t, double value, const std::string& unit = "%LEL") {
    return nlohmann::json{{"id", id}, {"t", t}, {"value", value}, {"unit", unit}}.dump();
}

std::string topic(const std::string& id) {
    return "safetwin/site/sensors/" + id;
}

const SensorState& sensor(const LiveState& s, const std::string& id) {
    const SensorState* p = s.find(id);
    REQUIRE(p);
    return *p;
}

}  // namespace

TEST_CASE("plain JSON readings drive ISA-18.2 states with deadband", "[live][feed]") {
    LiveFeed feed({gasDetector("GD1")});
    const double t0 = 1.7e9;
    CHECK(sensor(feed.snapshot(), "GD1").quality == Quality::Unknown);
    CHECK_FALSE(sensor(feed.snapshot(), "GD1").safe());  // unknown is never safe

    feed.ingest(topic("GD1"), msg("GD1", t0, 3), t0);
    LiveState s = feed.snapshot();
    CHECK(sensor(s, "GD1").quality == Quality::Good);
    CHECK(sensor(s, "GD1").alarm == AlarmState::Normal);
    CHECK(sensor(s, "GD1").safe());

    feed.ingest(topic("GD1"), msg("GD1", t0 + 1, 12), t0 + 1);  // above the warning limit
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").alarm == AlarmState::ActiveUnacknowledged);
    CHECK(sensor(s, "GD1").severity == Severity::Warning);

    feed.ingest(topic("GD1"), msg("GD1", t0 + 2, 25), t0 + 2);  // above the alarm limit
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").severity == Severity::Alarm);
    REQUIRE(s.alarming().size() == 1);
    CHECK(feed.acknowledge("GD1", t0 + 3));
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::ActiveAcknowledged);

    // 19 is below the alarm limit 20 but within the deadband 2: still in alarm.
    feed.ingest(topic("GD1"), msg("GD1", t0 + 4, 19), t0 + 4);
    CHECK(sensor(feed.snapshot(), "GD1").severity == Severity::Alarm);
    // 17.5 < 20 - 2: back to warning (acknowledged stays acknowledged on de-escalation).
    feed.ingest(topic("GD1"), msg("GD1", t0 + 5, 17.5), t0 + 5);
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").severity == Severity::Warning);
    CHECK(sensor(s, "GD1").alarm == AlarmState::ActiveAcknowledged);
    // 9 is within the warning deadband (10 - 2 = 8): still active.
    feed.ingest(topic("GD1"), msg("GD1", t0 + 6, 9), t0 + 6);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::ActiveAcknowledged);
    feed.ingest(topic("GD1"), msg("GD1", t0 + 7, 5), t0 + 7);  // clear
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").alarm == AlarmState::Normal);
    CHECK(sensor(s, "GD1").severity == Severity::None);

    // Unacknowledged alarm that clears: returned to normal, waits for the acknowledgement.
    feed.ingest(topic("GD1"), msg("GD1", t0 + 8, 30), t0 + 8);
    feed.ingest(topic("GD1"), msg("GD1", t0 + 9, 1), t0 + 9);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::ReturnedUnacknowledged);
    CHECK(feed.acknowledge("GD1", t0 + 10));
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::Normal);

    // The journal holds every transition with its time, in order.
    s = feed.snapshot();
    std::vector<AlarmState> states;
    for (const AlarmEvent& e : s.journal) states.push_back(e.state);
    const std::vector<AlarmState> expected = {
        AlarmState::ActiveUnacknowledged,    // warning at t0+1
        AlarmState::ActiveUnacknowledged,    // alarm at t0+2 (escalation re-annunciates)
        AlarmState::ActiveAcknowledged,      // ack at t0+3
        AlarmState::ActiveAcknowledged,      // de-escalation to warning at t0+5
        AlarmState::Normal,                  // cleared at t0+7
        AlarmState::ActiveUnacknowledged,    // alarm at t0+8
        AlarmState::ReturnedUnacknowledged,  // cleared unacknowledged at t0+9
        AlarmState::Normal};                 // ack at t0+10
    CHECK(states == expected);
    CHECK(s.journal[1].time == t0 + 2);
    CHECK(s.counters.accepted == 9);  // every reading above
}

TEST_CASE("on and off delays keep a noisy value from chattering", "[live][feed]") {
    SensorSpec spec = gasDetector("GD1");
    spec.on_delay = 3;
    spec.off_delay = 5;
    LiveFeed feed({spec});
    const double t0 = 1.7e9;
    feed.ingest(topic("GD1"), msg("GD1", t0, 25), t0);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::Normal);  // not yet 3 s
    feed.ingest(topic("GD1"), msg("GD1", t0 + 1, 3), t0 + 1);           // a spike: gone
    feed.tick(t0 + 5);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::Normal);
    feed.ingest(topic("GD1"), msg("GD1", t0 + 6, 25), t0 + 6);
    feed.tick(t0 + 8.9);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::Normal);
    feed.tick(t0 + 9.0);  // held 3 s without a new message: the tick raises it
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::ActiveUnacknowledged);
    feed.acknowledge("GD1", t0 + 9.5);
    feed.ingest(topic("GD1"), msg("GD1", t0 + 10, 1), t0 + 10);
    feed.tick(t0 + 14.9);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::ActiveAcknowledged);  // off delay
    feed.tick(t0 + 15.0);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::Normal);
}

TEST_CASE("shelving hides annunciation, unshelving restores it", "[live][feed]") {
    LiveFeed feed({gasDetector("GD1")});
    const double t0 = 1.7e9;
    feed.ingest(topic("GD1"), msg("GD1", t0, 5), t0);
    CHECK(feed.shelve("GD1", true, t0 + 1));
    feed.ingest(topic("GD1"), msg("GD1", t0 + 2, 50), t0 + 2);
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::Shelved);
    CHECK_FALSE(sensor(feed.snapshot(), "GD1").safe());
    CHECK(feed.shelve("GD1", false, t0 + 3));
    CHECK(sensor(feed.snapshot(), "GD1").alarm == AlarmState::ActiveUnacknowledged);
    CHECK(sensor(feed.snapshot(), "GD1").severity == Severity::Alarm);
}

TEST_CASE("bad messages are counted and logged, good readings still apply", "[live][feed]") {
    LiveFeed feed({gasDetector("GD1"), gasDetector("GD2")});
    const double t0 = 1.7e9;
    feed.ingest(topic("GD1"), msg("GD1", t0, 4), t0);
    feed.ingest(topic("GD1"), "{not json", t0 + 0.1);                            // malformed
    feed.ingest(topic("GD1"), msg("GD2", t0 + 0.2, 4), t0 + 0.2);                // id != topic
    feed.ingest("safetwin/site/other/GD1", msg("GD1", t0 + 0.3, 4), t0 + 0.3);   // bad topic
    feed.ingest(topic("GD1"), R"({"id":"GD1","t":1,"unit":"%LEL"})", t0 + 0.4);  // no value
    feed.ingest(topic("GD9"), msg("GD9", t0 + 1, 4), t0 + 1);                    // unknown sensor
    feed.ingest(topic("GD1"), msg("GD1", t0 + 2, 4, "ppm"), t0 + 2);             // wrong unit
    feed.ingest(topic("GD1"), msg("GD1", t0, 30), t0 + 3);                       // duplicate time
    feed.ingest(topic("GD1"), msg("GD1", t0 - 5, 30), t0 + 4);                   // out of order
    LiveState s = feed.snapshot();
    CHECK(s.counters.received == 9);
    CHECK(s.counters.malformed == 4);
    CHECK(s.counters.unknown_sensor == 1);
    CHECK(s.counters.wrong_unit == 1);
    CHECK(s.counters.duplicate == 1);
    CHECK(s.counters.out_of_order == 1);
    CHECK(s.issues.size() == 8);
    CHECK(s.issues.back().kind == "out_of_order");
    // None of them replaced the good reading of 4 %LEL at t0.
    CHECK(sensor(s, "GD1").value == 4);
    CHECK(sensor(s, "GD1").time == t0);
    CHECK(sensor(s, "GD1").quality == Quality::Good);
    CHECK(sensor(s, "GD1").alarm == AlarmState::Normal);

    // An absurd value makes the quality bad (never safe) without overwriting the value...
    feed.ingest(topic("GD1"), msg("GD1", t0 + 5, 1e6), t0 + 5);
    s = feed.snapshot();
    CHECK(s.counters.absurd == 1);
    CHECK(sensor(s, "GD1").quality == Quality::Bad);
    CHECK(sensor(s, "GD1").value == 4);
    CHECK_FALSE(sensor(s, "GD1").safe());
    // ...and the next good reading is taken.
    feed.ingest(topic("GD1"), msg("GD1", t0 + 6, 6), t0 + 6);
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").quality == Quality::Good);
    CHECK(sensor(s, "GD1").value == 6);
}

TEST_CASE("silence and a lost broker make values stale, never safe", "[live][feed]") {
    LiveFeed feed({gasDetector("GD1"), gasDetector("GD2")});
    const double t0 = 1.7e9;
    feed.brokerConnected(t0);
    feed.ingest(topic("GD1"), msg("GD1", t0, 4), t0);
    feed.ingest(topic("GD2"), msg("GD2", t0, 4), t0);
    feed.tick(t0 + 30);
    CHECK(sensor(feed.snapshot(), "GD1").quality == Quality::Good);  // stale only after 30 s
    feed.ingest(topic("GD2"), msg("GD2", t0 + 20, 4), t0 + 20);
    feed.tick(t0 + 30.5);
    LiveState s = feed.snapshot();
    CHECK(sensor(s, "GD1").quality == Quality::Stale);
    CHECK_FALSE(sensor(s, "GD1").safe());
    CHECK(sensor(s, "GD2").quality == Quality::Good);

    feed.brokerLost(t0 + 40);
    s = feed.snapshot();
    CHECK(sensor(s, "GD2").quality == Quality::Stale);
    CHECK_FALSE(s.connected);
    REQUIRE(s.gaps.size() == 1);
    CHECK(s.gaps[0].end < 0);
    feed.brokerConnected(t0 + 47);
    feed.ingest(topic("GD2"), msg("GD2", t0 + 48, 5), t0 + 48);
    s = feed.snapshot();
    CHECK(s.gaps[0].start == t0 + 40);
    CHECK(s.gaps[0].end == t0 + 47);
    CHECK(s.counters.broker_lost == 1);
    CHECK(s.counters.reconnects == 1);
    CHECK(sensor(s, "GD2").quality == Quality::Good);
    CHECK(sensor(s, "GD1").quality == Quality::Stale);
}

TEST_CASE("Sparkplug B: births, aliases, seq, bdSeq and deaths", "[live][feed][sparkplug]") {
    SensorSpec a = gasDetector("GD1");
    a.sp_group = "Plant";
    a.sp_node = "Edge1";
    a.sp_device = "Gas";
    a.sp_metric = "CH4";
    SensorSpec b = gasDetector("PT1");
    b.kind = "pressure";
    b.unit = "bar";
    b.sp_metric = "PT1";  // by name, any node
    LiveFeed feed({a, b});
    const double t0 = 1.7e9;
    const uint64_t ms0 = uint64_t(t0 * 1000);
    auto metric = [](const std::string& name, std::optional<uint64_t> alias, double v) {
        SpMetric m;
        m.name = name;
        m.alias = alias;
        m.value = v;
        return m;
    };
    auto payload = [&](uint64_t seq, uint64_t ms, std::vector<SpMetric> ms_) {
        SpPayload p;
        p.seq = seq;
        p.timestamp_ms = ms;
        p.metrics = std::move(ms_);
        return encodeSparkplug(p);
    };
    // DATA before any birth: counted, rebirth requested.
    auto out =
        feed.ingest("spBv1.0/Plant/NDATA/Edge1", payload(0, ms0, {metric("PT1", {}, 2)}), t0);
    REQUIRE(out.size() == 1);
    CHECK(out[0].topic == "spBv1.0/Plant/NCMD/Edge1");
    const auto cmd = decodeSparkplug(out[0].payload);
    REQUIRE(cmd);
    CHECK(cmd->metrics.at(0).name == "Node Control/Rebirth");
    CHECK(cmd->metrics.at(0).value == 1);

    SpMetric bd = metric("bdSeq", {}, 3);
    bd.datatype = sp_datatype::UInt64;
    feed.ingest("spBv1.0/Plant/NBIRTH/Edge1", payload(0, ms0, {bd, metric("PT1", 1, 2.5)}), t0);
    feed.ingest("spBv1.0/Plant/DBIRTH/Edge1/Gas", payload(1, ms0, {metric("CH4", 2, 4)}), t0);
    LiveState s = feed.snapshot();
    CHECK(sensor(s, "PT1").value == 2.5);
    CHECK(sensor(s, "PT1").source == "sparkplug:Plant/Edge1");
    CHECK(sensor(s, "GD1").value == 4);
    CHECK(sensor(s, "GD1").source == "sparkplug:Plant/Edge1/Gas");
    // DDATA by alias only, seq 2 then 3; 255 -> 0 wrap checked below.
    feed.ingest("spBv1.0/Plant/DDATA/Edge1/Gas", payload(2, ms0 + 1000, {metric("", 2, 22)}),
                t0 + 1);
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").value == 22);
    CHECK(sensor(s, "GD1").alarm == AlarmState::ActiveUnacknowledged);
    CHECK(s.counters.seq_gap == 0);
    // A gap: seq 5 instead of 3. Counted, rebirth requested, the reading is still applied.
    out = feed.ingest("spBv1.0/Plant/NDATA/Edge1", payload(5, ms0 + 2000, {metric("", 1, 2.6)}),
                      t0 + 10);
    CHECK(feed.snapshot().counters.seq_gap == 1);
    CHECK(out.size() == 1);
    CHECK(sensor(feed.snapshot(), "PT1").value == 2.6);
    // Wrap: after 255 comes 0.
    uint64_t seq = 5;
    for (int k = 0; k < 252; ++k) {
        seq = (seq + 1) % 256;
        feed.ingest("spBv1.0/Plant/NDATA/Edge1",
                    payload(seq, ms0 + 3000 + uint64_t(k), {metric("", 1, 2.7)}), t0 + 11);
    }
    CHECK(seq == 1);
    CHECK(feed.snapshot().counters.seq_gap == 1);
    // A metric nobody maps: unknown sensor.
    seq = (seq + 1) % 256;
    feed.ingest("spBv1.0/Plant/NDATA/Edge1", payload(seq, ms0 + 9000, {metric("TT9", {}, 1)}),
                t0 + 12);
    CHECK(feed.snapshot().counters.unknown_sensor == 1);
    // A wrong payload.
    feed.ingest("spBv1.0/Plant/NDATA/Edge1", std::string("\xff\xff\xff", 3), t0 + 12);
    feed.ingest("spBv1.0/Plant/BOGUS/Edge1", payload(0, ms0, {}), t0 + 12);
    CHECK(feed.snapshot().counters.malformed == 2);

    // DDEATH: the device's sensors stale, the node's not.
    seq = (seq + 1) % 256;
    feed.ingest("spBv1.0/Plant/DDEATH/Edge1/Gas", payload(seq, ms0 + 10000, {}), t0 + 13);
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").quality == Quality::Stale);
    CHECK(sensor(s, "PT1").quality == Quality::Good);
    // NDEATH with an old bdSeq is ignored; with the birth's bdSeq it kills the node.
    SpMetric oldBd = bd;
    oldBd.value = 2;
    SpPayload death;
    death.metrics = {oldBd};
    feed.ingest("spBv1.0/Plant/NDEATH/Edge1", encodeSparkplug(death), t0 + 14);
    s = feed.snapshot();
    CHECK(s.counters.stale_deaths == 1);
    CHECK(sensor(s, "PT1").quality == Quality::Good);
    death.metrics = {bd};
    feed.ingest("spBv1.0/Plant/NDEATH/Edge1", encodeSparkplug(death), t0 + 15);
    s = feed.snapshot();
    CHECK(s.counters.deaths == 2);
    CHECK(sensor(s, "PT1").quality == Quality::Stale);
    CHECK_FALSE(sensor(s, "PT1").safe());
}

TEST_CASE("Sparkplug payloads round-trip through protobuf", "[live][sparkplug]") {
    SpPayload p;
    p.seq = 255;
    p.timestamp_ms = 1700000000123ull;
    SpMetric m;
    m.name = "Tank/Level";
    m.alias = 7;
    m.datatype = sp_datatype::Int32;
    m.value = -12;
    m.quality = 192;
    m.unit = "m";
    p.metrics.push_back(m);
    SpMetric f;
    f.name = "T";
    f.datatype = sp_datatype::Float;
    f.value = 21.5;  // exact in binary32
    p.metrics.push_back(f);
    const auto q = decodeSparkplug(encodeSparkplug(p));
    REQUIRE(q);
    CHECK(*q->seq == 255);
    CHECK(*q->timestamp_ms == 1700000000123ull);
    REQUIRE(q->metrics.size() == 2);
    CHECK(q->metrics[0].name == "Tank/Level");
    CHECK(*q->metrics[0].alias == 7);
    CHECK(q->metrics[0].value == -12);  // Int32 as two's complement in int_value
    CHECK(*q->metrics[0].quality == 192);
    CHECK(q->metrics[0].unit == "m");
    CHECK(q->metrics[1].value == 21.5);
    CHECK(parseSparkplugTopic("spBv1.0/G/DDATA/N/D")->device == "D");
    CHECK_FALSE(parseSparkplugTopic("spBv1.0/G/DDATA/N"));  // device message without device
    CHECK_FALSE(parseSparkplugTopic("spBv1.0/G/NDATA/N/D"));
    CHECK(parseSparkplugTopic("spBv1.0/STATE/host")->type == SpType::STATE);
}

TEST_CASE("a recording replays to the same state, and the state file round-trips",
          "[live][replay]") {
    const auto dir = scratchDir("live-replay");
    const double t0 = 1.7e9;
    {
        Recorder rec((dir / "rec.jsonl").string());
        rec.event(t0, "connected");
        rec.message(t0 + 1, topic("GD1"), msg("GD1", t0 + 1, 25));
        rec.message(t0 + 2, topic("GD1"), std::string("\x00\x01{bad", 6));
        rec.event(t0 + 3, "broker_lost");
        rec.event(t0 + 5, "connected");
        rec.message(t0 + 6, topic("GD2"), msg("GD2", t0 + 6, 3));
    }
    const auto lines = readRecording((dir / "rec.jsonl").string());
    REQUIRE(lines.size() == 6);
    CHECK(lines[2].payload == std::string("\x00\x01{bad", 6));  // binary-safe
    LiveFeed feed({gasDetector("GD1"), gasDetector("GD2")});
    ReplayOptions o;
    o.speed = 0;
    CHECK(replay(lines, feed, o) == 6);
    LiveState s = feed.snapshot();
    CHECK(sensor(s, "GD1").alarm == AlarmState::ActiveUnacknowledged);
    CHECK(sensor(s, "GD1").quality == Quality::Stale);  // the broker loss at t0+3
    CHECK(sensor(s, "GD2").quality == Quality::Good);
    CHECK(s.counters.malformed == 1);
    REQUIRE(s.gaps.size() == 1);
    CHECK(s.gaps[0].start == t0 + 3);
    CHECK(s.gaps[0].end == t0 + 5);

    const LiveState back = liveStateFromJson(liveStateToJson(s), "x.json");
    CHECK(liveStateToJson(back) == liveStateToJson(s));
    CHECK(back.alarming().size() == 1);

    writeFile(dir / "bad.jsonl",
              "{\"t\": 1, \"topic\": \"a\", \"b64\": \"AA\"}\n{\"t\": 0.5, \"topic\": \"a\", "
              "\"b64\": \"AA\"}\n");
    CHECK_THROWS_WITH(readRecording((dir / "bad.jsonl").string()),
                      Catch::Contains("bad.jsonl:2") && Catch::Contains("back in time"));
}

TEST_CASE("sensors in a scenario are checked at their line", "[live][scenario]") {
    const std::string head =
        "scene: scenes/office.yaml\npopulations:\n"
        "  - {name: p, count: 1, where: {space: R0_01}}\n";
    const std::string base = (sourceDir() / "scenarios").string();
    const Scenario ok =
        parseScenarioText(head +
                              "sensors:\n"
                              "  - {id: GD1, kind: gas, unit: '%LEL', object: M1, "
                              "warning_high: 10, alarm_high: 20, plausible: [0, 100]}\n",
                          "s.yaml", base);
    REQUIRE(ok.sensors.size() == 1);
    CHECK(ok.sensors[0].level_id == "L0");
    CHECK(ok.sensors[0].at.x == Approx(20));  // the exit door M1 at [20, 0]
    CHECK(ok.sensors[0].at.y == Approx(0).margin(0.2));
    const std::string bad = head +
                            "sensors:\n  - {id: GD1, unit: ppm, at: [1, 1], level: L0, "
                            "warning_high: 30, alarm_high: 20}\n";
    CHECK_THROWS_WITH(parseScenarioText(bad, "s.yaml", base),
                      Catch::Contains("s.yaml:5") && Catch::Contains("alarm_high"));
    CHECK_THROWS_WITH(
        parseScenarioText(head + "sensors:\n  - {id: GD1, unit: ppm, object: nowhere}\n", "s.yaml",
                          base),
        Catch::Contains("nowhere"));
}

TEST_CASE("the live state becomes the frame's sensor samples for the viewer", "[live][feed]") {
    LiveFeed feed({gasDetector("GD1"), gasDetector("GD2"), gasDetector("GD3")});
    const double t0 = 1.7e9;
    feed.ingest(topic("GD1"), msg("GD1", t0, 30), t0);
    feed.ingest(topic("GD2"), msg("GD2", t0, 12), t0);
    const std::vector<render::SensorSample> s = sensorSamples(feed.snapshot());
    REQUIRE(s.size() == 3);
    CHECK(s[0].alarm == render::AlarmState::Active);
    CHECK(s[0].value == 30);
    CHECK(s[0].z == Approx(1.5));
    CHECK(s[1].alarm == render::AlarmState::Warning);
    CHECK(s[2].quality == render::SensorQuality::Unknown);
    CHECK(s[2].alarm_since == 0);  // never alarmed: no time
    feed.acknowledge("GD1", t0 + 1);
    CHECK(sensorSamples(feed.snapshot())[0].alarm == render::AlarmState::Acknowledged);
    // The alarm list's times: when the shown state was entered (the journal's latest entry).
    CHECK(sensorSamples(feed.snapshot())[0].alarm_since == Approx(t0 + 1));
    CHECK(sensorSamples(feed.snapshot())[1].alarm_since == Approx(t0));
    feed.brokerLost(t0 + 2);
    CHECK(sensorSamples(feed.snapshot())[1].quality == render::SensorQuality::Stale);
}

TEST_CASE("a drill script writes Sparkplug B payloads as JSON", "[live][replay][sparkplug]") {
    const auto dir = scratchDir("live-sparkplug-script");
    writeFile(
        dir / "drill.jsonl",
        R"({"t": 0, "topic": "spBv1.0/Plant/NBIRTH/Edge1", "sparkplug": {"seq": 0, "timestamp": 1700000000000, "metrics": [{"name": "bdSeq", "type": "UInt64", "value": 0}, {"name": "GD1", "alias": 4, "type": "Float", "value": 5, "unit": "%LEL"}]}}
{"t": 1, "topic": "spBv1.0/Plant/NDATA/Edge1", "sparkplug": {"seq": 1, "timestamp": 1700000001000, "metrics": [{"alias": 4, "type": "Float", "value": 21.5}]}}
{"t": 2, "topic": "spBv1.0/Plant/NDATA/Edge1", "sparkplug": {"seq": 2, "timestamp": 1700000002000, "metrics": [{"alias": 4, "type": "Float", "value": null}]}}
)");
    LiveFeed feed({gasDetector("GD1")});
    ReplayOptions o;
    o.speed = 0;
    const auto lines = readRecording((dir / "drill.jsonl").string());
    o.until = 1.5;
    replay(lines, feed, o);
    LiveState s = feed.snapshot();
    CHECK(sensor(s, "GD1").value == 21.5);
    CHECK(sensor(s, "GD1").severity == Severity::Alarm);
    CHECK(sensor(s, "GD1").time == 1700000001.0);
    CHECK(sensor(s, "GD1").source == "sparkplug:Plant/Edge1");
    // A null metric: the sensor reports a fault; quality bad, the last value kept.
    LiveFeed again({gasDetector("GD1")});
    o.until = 0;
    replay(lines, again, o);
    s = again.snapshot();
    CHECK(sensor(s, "GD1").quality == Quality::Bad);
    CHECK(sensor(s, "GD1").value == 21.5);
    CHECK(s.counters.seq_gap == 0);
    CHECK_THROWS_WITH(
        sparkplugFromJson(
            nlohmann::json::parse(R"({"metrics": [{"name": "x", "type": "Quaternion"}]})"),
            "d.jsonl:3"),
        Catch::Contains("d.jsonl:3") && Catch::Contains("Quaternion"));
}

TEST_CASE("random bytes on every topic never crash the feed nor hide a good reading",
          "[live][feed]") {
    SensorSpec a = gasDetector("GD1");
    LiveFeed feed({a});
    const double t0 = 1.7e9;
    feed.ingest(topic("GD1"), msg("GD1", t0, 4), t0);
    uint64_t x = 88172645463325252ull;  // xorshift64, fixed seed
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    const std::string topics[] = {
        topic("GD1"),         "spBv1.0/G/NBIRTH/N", "spBv1.0/G/NDATA/N", "spBv1.0/G/DDATA/N/D",
        "spBv1.0/G/NDEATH/N", "safetwin/x",         "spBv1.0/G/NDATA",   ""};
    constexpr int kMessages = 5000;
    for (int k = 0; k < kMessages; ++k) {
        std::string payload(next() % 64, '\0');
        for (char& c : payload) c = char(next() & 0xff);
        // Half the JSON ones are almost right: a random value, unit or time.
        if (k % 2 == 0 && k % 16 < 8)
            payload = R"({"id": "GD1", "t": )" + std::to_string(double(next() % 1000) - 500 + t0) +
                      R"(, "value": )" + std::to_string(double(next() % 400) - 200) +
                      R"(, "unit": ")" + (next() % 2 ? "%LEL" : "ppm") + "\"}";
        feed.ingest(topics[next() % 8], payload, t0 + 1 + k * 1e-3);
    }
    LiveState s = feed.snapshot();
    const FeedCounters& c = s.counters;
    CHECK(c.received == kMessages + 1);
    // Every message either updated a sensor or was counted as one kind of problem (Sparkplug
    // messages that parse but carry nothing for us count as neither).
    CHECK(c.accepted + c.malformed + c.unknown_sensor + c.wrong_unit + c.duplicate +
              c.out_of_order + c.absurd + c.no_birth + c.seq_gap + c.stale_deaths <=
          c.received + c.seq_gap + c.no_birth);
    CHECK(c.malformed > 0);
    // A good reading after all that is taken.
    feed.ingest(topic("GD1"), msg("GD1", t0 + 10000, 7), t0 + 10);
    s = feed.snapshot();
    CHECK(sensor(s, "GD1").value == 7);
    CHECK(sensor(s, "GD1").quality == Quality::Good);
    CHECK(s.issues.size() == LiveState::kMaxIssues);  // the log keeps the newest
}

TEST_CASE("a forecast reads the live state from a state file or a recording", "[live][replay]") {
    const auto dir = scratchDir("live-state-from-file");
    const double t0 = 1.7e9;
    {
        Recorder rec((dir / "rec.jsonl").string());
        rec.message(t0, topic("GD1"), msg("GD1", t0, 30));
        rec.event(t0 + 1, "end");
    }
    const LiveState fromRec =
        liveStateFromFile({gasDetector("GD1")}, nullptr, (dir / "rec.jsonl").string());
    REQUIRE(fromRec.alarming().size() == 1);
    writeFile(dir / "state.json", liveStateToJson(fromRec).dump());
    const LiveState fromState = liveStateFromFile({}, nullptr, (dir / "state.json").string());
    CHECK(liveStateToJson(fromState) == liveStateToJson(fromRec));
    CHECK_THROWS_AS(liveStateFromFile({}, nullptr, (dir / "none.json").string()), InputError);
}
