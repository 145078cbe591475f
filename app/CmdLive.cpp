// safetwin live SCENARIO [--broker HOST:PORT] [--record FILE] [--replay FILE --speed X]
//                        [--state-out FILE] [--duration S] [--log FILE]
// safetwin live publish --broker HOST:PORT --script FILE [--speed X]
//
// The live sensor feed of a scenario (live/feed/): from a broker, or replayed from a recording
// with no broker; prints the sensors' state and writes it as JSON for the forecast and viewer.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/Commands.hpp"
#include "app/Output.hpp"
#include "live/feed/LiveFeed.hpp"
#include "live/feed/Mqtt.hpp"
#include "live/feed/Recorder.hpp"
#include "scenes/InputError.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

namespace {

std::atomic<bool> g_interrupted{false};

void onSignal(int) {
    g_interrupted = true;
}

std::string formatTime(double unix) {
    if (unix <= 0) return "-";
    const std::time_t t = std::time_t(unix);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char b[32];
    std::strftime(b, sizeof b, "%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", b, int((unix - double(t)) * 1000));
    return out;
}

void printState(const live::LiveState& s) {
    std::printf("%-14s %12s %-6s %-8s %-24s %-8s %s\n", "sensor", "value", "unit", "quality",
                "alarm", "severity", "time (UTC)");
    for (const live::SensorState& v : s.sensors) {
        char value[32] = "-";
        if (v.has_value) std::snprintf(value, sizeof value, "%.4g", v.value);
        std::printf("%-14s %12s %-6s %-8s %-24s %-8s %s%s\n", v.id.c_str(), value, v.unit.c_str(),
                    live::toString(v.quality), live::toString(v.alarm), live::toString(v.severity),
                    formatTime(v.has_value ? v.time : 0).c_str(), v.safe() ? "" : "  (not safe)");
    }
    const live::FeedCounters& c = s.counters;
    std::printf(
        "messages %llu, accepted %llu; malformed %llu, unknown sensor %llu, wrong unit "
        "%llu, duplicate %llu, out of order %llu, absurd %llu, seq gaps %llu, no birth "
        "%llu, deaths %llu\n",
        (unsigned long long)c.received, (unsigned long long)c.accepted,
        (unsigned long long)c.malformed, (unsigned long long)c.unknown_sensor,
        (unsigned long long)c.wrong_unit, (unsigned long long)c.duplicate,
        (unsigned long long)c.out_of_order, (unsigned long long)c.absurd,
        (unsigned long long)c.seq_gap, (unsigned long long)c.no_birth,
        (unsigned long long)c.deaths);
    const auto alarms = s.alarming();
    std::printf("alarms active: %zu", alarms.size());
    for (const live::SensorState* a : alarms) std::printf(" %s", a->id.c_str());
    std::printf("\n");
    for (const live::BrokerGap& g : s.gaps)
        std::printf("broker lost %s -> %s\n", formatTime(g.start).c_str(),
                    g.end < 0 ? "(still lost)" : formatTime(g.end).c_str());
}

}  // namespace

CommandFn addLiveCommand(CLI::App& app) {
    struct Options {
        std::string scenario, broker = "127.0.0.1:1883", record, replay, state_out, log, script;
        double speed = 1.0, duration = 0.0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "live",
        "Live sensor feed of a scenario over MQTT (plain JSON or Sparkplug B), or replayed");
    cmd->add_option("scenario", o->scenario, "scenario file (YAML) with a 'sensors' list");
    cmd->add_option("--broker", o->broker, "MQTT broker HOST[:PORT] (default 127.0.0.1:1883)");
    cmd->add_option("--record", o->record, "record every message received to FILE (JSON Lines)");
    cmd->add_option("--replay", o->replay, "replay a recording instead of connecting to a broker");
    cmd->add_option("--speed", o->speed, "replay speed (recording s per wall s; 0 = at once)")
        ->check(CLI::Range(0.0, 1e6));
    cmd->add_option("--state-out", o->state_out,
                    "write the live state JSON here (every second and at the end)");
    cmd->add_option("--duration", o->duration,
                    "stop after S seconds (0: until Ctrl-C, or the recording's end)")
        ->check(CLI::Range(0.0, 1e7));
    cmd->add_option("--log", o->log, "append every malformed/unknown/... message to FILE");
    CLI::App* pub =
        cmd->add_subcommand("publish", "Publish a drill script or a recording to a broker");
    pub->add_option("--broker", o->broker, "MQTT broker HOST[:PORT] (default 127.0.0.1:1883)");
    pub->add_option("--script", o->script, "script or recording (JSON Lines)")->required();
    pub->add_option("--speed", o->speed, "script s per wall s (0 = as fast as possible)")
        ->check(CLI::Range(0.0, 1e6));

    return [o, pub]() -> int {
        if (pub->parsed()) {
            const auto lines = live::readRecording(o->script);
            live::MqttPublisher publisher(live::parseBroker(o->broker));
            const auto wall0 = std::chrono::steady_clock::now();
            const double t0 = lines.empty() ? 0 : lines.front().t;
            size_t sent = 0;
            for (const live::RecordedLine& l : lines) {
                if (o->speed > 0)
                    std::this_thread::sleep_until(
                        wall0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>((l.t - t0) / o->speed)));
                if (l.topic.empty()) continue;  // transport events are not published
                if (!publisher.publish(l.topic, l.payload, 1)) {
                    std::fprintf(stderr, "error: the broker refused a message on %s\n",
                                 l.topic.c_str());
                    return 1;
                }
                ++sent;
            }
            if (!publisher.flush(30)) {
                std::fprintf(stderr, "error: not every message reached the broker within 30 s\n");
                return 1;
            }
            std::printf("published %zu messages to %s\n", sent, o->broker.c_str());
            return 0;
        }
        if (o->scenario.empty())
            throw InputError("live: a scenario file is needed (safetwin live SCENARIO ...)");
        const Scenario scenario = loadScenarioFile(o->scenario);
        if (scenario.sensors.empty())
            throw InputError(o->scenario +
                             ": the scenario has no 'sensors' list (docs/FORMAT.md \"Sensors\")");
        live::LiveFeed feed(scenario.sensors, &scenario.scene);
        std::FILE* log = nullptr;
        if (!o->log.empty()) {
            log = std::fopen(o->log.c_str(), "a");
            if (!log) throw InputError(o->log + ": cannot open the log file");
            feed.setIssueSink([log](const live::FeedIssue& i) {
                std::fprintf(log, "%.3f %s %s %s: %s\n", i.time, i.kind.c_str(), i.topic.c_str(),
                             i.sensor.c_str(), i.detail.c_str());
            });
        }
        auto writeState = [&] {
            if (!o->state_out.empty())
                writeFileAtomic(o->state_out,
                                live::liveStateToJson(feed.snapshot()).dump(1) + "\n");
        };
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        if (!o->replay.empty()) {
            const auto lines = live::readRecording(o->replay);
            feed.setSource("replay:" + o->replay);
            live::ReplayOptions ro;
            ro.speed = o->speed;
            ro.until = o->duration;
            auto last = std::chrono::steady_clock::now();
            ro.stop = [&] {
                if (std::chrono::steady_clock::now() - last > std::chrono::seconds(1)) {
                    writeState();
                    last = std::chrono::steady_clock::now();
                }
                return g_interrupted.load();
            };
            const double reached = live::replay(lines, feed, ro);
            std::printf("replayed %.1f s of %s (%zu lines)\n", reached, o->replay.c_str(),
                        lines.size());
        } else {
            std::unique_ptr<live::Recorder> recorder;
            if (!o->record.empty()) recorder = std::make_unique<live::Recorder>(o->record);
            live::MqttClient client(feed, live::parseBroker(o->broker), recorder.get());
            client.start();
            const double start = live::unixNow();
            double lastWrite = 0;
            while (!g_interrupted && (o->duration <= 0 || live::unixNow() - start < o->duration)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                const double now = live::unixNow();
                feed.tick(now);
                if (now - lastWrite >= 1.0) {
                    writeState();
                    lastWrite = now;
                }
            }
            client.stop();
            feed.tick(live::unixNow());
            // The end, so a replay ticks its delays and silences up to the same moment.
            if (recorder) recorder->event(live::unixNow(), "end");
        }
        writeState();
        if (log) std::fclose(log);
        printState(feed.snapshot());
        return 0;
    };
}

}  // namespace safetwin
