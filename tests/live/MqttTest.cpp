// The live feed against a real mosquitto broker on a loopback port: a scripted sequence
// (normal, warning, alarm, ack, clear, malformed, unknown sensor, wrong unit, duplicate and
// out-of-order times, absurd value, stale by silence, a Sparkplug node's death by its will,
// the broker killed and restarted with the gap shown), then throughput: 10,000 messages per
// second for 10 s over 120 sensors without losing the latest state of any sensor.
#include <catch2/catch.hpp>

#include <cstdio>

#include "MqttBroker.hpp"
#include "live/feed/Mqtt.hpp"
#include "live/feed/Sparkplug.hpp"

using namespace safetwin;
using namespace safetwin::live;
using namespace safetwin::test;

namespace {

SensorSpec spec(const std::string& id, const std::string& unit, double stale = 60) {
    SensorSpec s;
    s.id = id;
    s.kind = "gas";
    s.unit = unit;
    s.level_id = "L0";
    s.warning_high = 10;
    s.alarm_high = 20;
    s.deadband = 1;
    s.stale_after = stale;
    s.plausible_min = 0;
    s.plausible_max = 100;
    return s;
}

std::string reading(const std::string& id, double t, double v, const std::string& unit = "%LEL") {
    return nlohmann::json{{"id", id}, {"t", t}, {"value", v}, {"unit", unit}}.dump();
}

}  // namespace

TEST_CASE("scripted feed through a real broker, with a broker restart", "[live][mqtt]") {
    if (!haveMosquitto()) return;
    MosquittoBroker broker("live-mqtt-script");
    SensorSpec pt = spec("PT1", "bar");
    pt.kind = "pressure";
    pt.sp_group = "Plant";
    pt.sp_node = "Edge1";
    pt.sp_device = "";
    pt.sp_metric = "Pressure";
    LiveFeed feed({spec("GD1", "%LEL"), spec("GD2", "%LEL", 1.0), pt});
    MqttOptions o = parseBroker(broker.address());
    o.reconnect_max_s = 1;
    MqttClient client(feed, o);
    client.start();
    REQUIRE(client.waitConnected(10));
    auto received = [&](uint64_t n) {
        return waitFor([&] { return feed.snapshot().counters.received >= n; }, 10);
    };
    auto gd1 = [&] { return *feed.snapshot().find("GD1"); };
    const double t0 = unixNow();
    const std::string topic = "safetwin/site/sensors/GD1";
    {
        MqttPublisher pub(o);
        pub.publish(topic, reading("GD1", t0, 3), 1);
        REQUIRE(received(1));
        CHECK(gd1().quality == Quality::Good);
        CHECK(gd1().alarm == AlarmState::Normal);
        pub.publish(topic, reading("GD1", t0 + 1, 12), 1);  // warning
        REQUIRE(received(2));
        CHECK(gd1().alarm == AlarmState::ActiveUnacknowledged);
        CHECK(gd1().severity == Severity::Warning);
        pub.publish(topic, reading("GD1", t0 + 2, 25), 1);  // alarm
        REQUIRE(received(3));
        CHECK(gd1().severity == Severity::Alarm);
        CHECK(feed.acknowledge("GD1", unixNow()));
        CHECK(gd1().alarm == AlarmState::ActiveAcknowledged);
        pub.publish(topic, reading("GD1", t0 + 3, 4), 1);  // clear
        REQUIRE(received(4));
        CHECK(gd1().alarm == AlarmState::Normal);

        // Bad messages, each followed by nothing that hides the good reading of 4 %LEL.
        pub.publish(topic, "{\"id\": \"GD1\", \"t\": ", 1);                      // malformed
        pub.publish("safetwin/site/sensors/GD9", reading("GD9", t0 + 3, 1), 1);  // unknown
        pub.publish(topic, reading("GD1", t0 + 4, 4, "ppm"), 1);                 // wrong unit
        pub.publish(topic, reading("GD1", t0 + 3, 50), 1);                       // duplicate t
        pub.publish(topic, reading("GD1", t0 + 1.5, 50), 1);                     // out of order
        pub.publish(topic, reading("GD1", t0 + 5, 1e9), 1);                      // absurd
        REQUIRE(received(10));
        FeedCounters c = feed.snapshot().counters;
        CHECK(c.malformed == 1);
        CHECK(c.unknown_sensor == 1);
        CHECK(c.wrong_unit == 1);
        CHECK(c.duplicate == 1);
        CHECK(c.out_of_order == 1);
        CHECK(c.absurd == 1);
        CHECK(gd1().value == 4);
        CHECK(gd1().quality == Quality::Bad);  // the absurd reading: faulty, not safe
        CHECK_FALSE(gd1().safe());
        pub.publish(topic, reading("GD1", t0 + 6, 5), 1);
        REQUIRE(received(11));
        CHECK(gd1().quality == Quality::Good);
        CHECK(gd1().value == 5);
        CHECK(feed.snapshot().counters.accepted == 5);

        // Stale by silence: GD2 goes stale 1 s after its last reading.
        pub.publish("safetwin/site/sensors/GD2", reading("GD2", t0 + 6, 2), 1);
        REQUIRE(received(12));
        CHECK(feed.snapshot().find("GD2")->quality == Quality::Good);
        REQUIRE(pub.flush(5));
    }
    const double silentSince = feed.snapshot().find("GD2")->received;
    CHECK(waitFor(
        [&] {
            feed.tick(unixNow());
            return feed.snapshot().find("GD2")->quality == Quality::Stale;
        },
        5));
    CHECK(unixNow() - silentSince >= 1.0);

    // A Sparkplug edge node whose connection dies: the broker publishes its will, the NDEATH
    // with the bdSeq of its birth, and its sensor turns stale.
    {
        SpMetric bd;
        bd.name = "bdSeq";
        bd.datatype = sp_datatype::UInt64;
        bd.value = 7;
        SpPayload death;
        death.metrics = {bd};
        MqttOptions eo = o;
        eo.keepalive_s = 5;  // libmosquitto's minimum
        MqttPublisher edge(eo, 5, "spBv1.0/Plant/NDEATH/Edge1", encodeSparkplug(death));
        SpMetric p;
        p.name = "Pressure";
        p.alias = 1;
        p.value = 3.5;
        p.unit = "bar";
        SpPayload birth;
        birth.seq = 0;
        birth.timestamp_ms = uint64_t(t0 * 1000);
        birth.metrics = {bd, p};
        edge.publish("spBv1.0/Plant/NBIRTH/Edge1", encodeSparkplug(birth), 1);
        SpMetric q;
        q.alias = 1;
        q.value = 3.7;
        SpPayload data;
        data.seq = 1;
        data.timestamp_ms = uint64_t(t0 * 1000) + 500;
        data.metrics = {q};
        edge.publish("spBv1.0/Plant/NDATA/Edge1", encodeSparkplug(data), 1);
        REQUIRE(edge.flush(5));
        REQUIRE(received(14));
        CHECK(feed.snapshot().find("PT1")->value == 3.7);
        CHECK(feed.snapshot().find("PT1")->quality == Quality::Good);
        edge.abort();  // no DISCONNECT: the broker sends the will
    }
    CHECK(waitFor([&] { return feed.snapshot().find("PT1")->quality == Quality::Stale; }, 10));
    CHECK(feed.snapshot().counters.deaths == 1);

    // The broker is killed: every sensor with a value goes stale and a gap opens.
    broker.stop();
    REQUIRE(waitFor([&] { return !client.connected(); }, 15));
    LiveState s = feed.snapshot();
    REQUIRE(s.gaps.size() == 1);
    CHECK(s.gaps[0].end < 0);
    CHECK(s.find("GD1")->quality == Quality::Stale);
    CHECK_FALSE(s.find("GD1")->safe());
    broker.start();
    REQUIRE(client.waitConnected(15));
    {
        MqttPublisher pub(o);
        pub.publish(topic, reading("GD1", t0 + 100, 6), 1);  // newer than every reading before
        REQUIRE(pub.flush(5));
    }
    CHECK(waitFor([&] { return gd1().quality == Quality::Good && gd1().value == 6; }, 10));
    s = feed.snapshot();
    REQUIRE(s.gaps.size() == 1);
    CHECK(s.gaps[0].end >= s.gaps[0].start);
    CHECK(s.counters.broker_lost == 1);
    CHECK(s.counters.reconnects == 1);
    CHECK(s.find("GD2")->quality == Quality::Stale);  // nothing new from GD2
    client.stop();
}

TEST_CASE("10,000 messages per second for 10 s keep every sensor's latest state",
          "[live][mqtt][throughput]") {
    if (!haveMosquitto()) return;
    MosquittoBroker broker("live-mqtt-rate");
    constexpr int kSensors = 120;
    constexpr int kRate = 10000;  // messages per second
    constexpr double kSeconds = 10;
    constexpr int kTotal = int(kRate * kSeconds);
    std::vector<SensorSpec> specs;
    for (int i = 0; i < kSensors; ++i) {
        SensorSpec s = spec("S" + std::to_string(i), "ppm");
        s.plausible_max = 1e9;
        s.warning_high.reset();
        s.alarm_high.reset();
        specs.push_back(s);
    }
    LiveFeed feed(specs);
    const MqttOptions o = parseBroker(broker.address());
    MqttClient client(feed, o);
    client.start();
    REQUIRE(client.waitConnected(10));
    MqttPublisher pub(o);
    const double t0 = unixNow();
    std::vector<double> lastValue(kSensors, -1);
    const auto wall0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kTotal; ++k) {
        if (k % 100 == 0)  // paced in batches of 100 (10 ms)
            std::this_thread::sleep_until(wall0 +
                                          std::chrono::microseconds(int64_t(k) * 1000000 / kRate));
        const int i = k % kSensors;
        const std::string id = "S" + std::to_string(i);
        REQUIRE(
            pub.publish("safetwin/site/sensors/" + id, reading(id, t0 + k * 1e-4, k, "ppm"), 0));
        lastValue[size_t(i)] = k;
    }
    const double pubSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    REQUIRE(pub.flush(60));
    waitFor([&] { return feed.snapshot().counters.accepted >= uint64_t(kTotal); }, 60);
    const double allSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const LiveState s = feed.snapshot();
    std::printf(
        "throughput: %d messages published in %.2f s (%.0f msg/s), all received and "
        "applied after %.2f s (%.0f msg/s); received %llu, accepted %llu\n",
        kTotal, pubSeconds, kTotal / pubSeconds, allSeconds, kTotal / allSeconds,
        (unsigned long long)s.counters.received, (unsigned long long)s.counters.accepted);
    int wrong = 0;
    for (int i = 0; i < kSensors; ++i) {
        const SensorState* v = s.find("S" + std::to_string(i));
        REQUIRE(v);
        if (!(v->quality == Quality::Good && v->value == lastValue[size_t(i)])) ++wrong;
    }
    CHECK(wrong == 0);
    CHECK(s.counters.received == uint64_t(kTotal));
    CHECK(s.counters.malformed + s.counters.duplicate + s.counters.out_of_order == 0);
    client.stop();
}
