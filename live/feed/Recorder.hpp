// Recording and replay of a live feed. A recording is JSON Lines (docs/FORMAT.md "Live feed"):
//   {"format": "safetwin-live-recording", "version": 1}                 first line
//   {"t": 1764350000.125, "topic": "...", "b64": "<payload, base64>"}   every message received
//   {"t": 1764350003.0, "event": "broker_lost" | "connected"}          transport events
//   {"t": 1764350009.0, "event": "end"}                                 the session ended
// with t the receive time (Unix seconds). Replaying feeds a LiveFeed the same messages at the
// same feed times, paced by wall clock / speed, so a drill runs with no broker.
//
// A drill script for `safetwin live publish` uses the same lines; there a message may give its
// payload as "text" (a string) or "sparkplug" (a Sparkplug B payload written as JSON, encoded
// on the way out) instead of "b64", and "t" may be relative (seconds from the first line).
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "live/feed/LiveFeed.hpp"

namespace safetwin::live {

std::string base64Encode(std::string_view bytes);
/// nullopt on characters outside the base64 alphabet.
std::optional<std::string> base64Decode(std::string_view text);

/// Wall clock as Unix seconds.
double unixNow();

/// Appends every message to a recording file. Thread-safe.
class Recorder {
  public:
    /// Creates (truncates) `path`; throws InputError if it cannot be written.
    explicit Recorder(const std::string& path);
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    void message(double t, std::string_view topic, std::string_view payload);
    void event(double t, const char* name);
    void flush();
    uint64_t count() const;

  private:
    mutable std::mutex mutex_;
    std::FILE* file_ = nullptr;
    uint64_t count_ = 0;
    double last_flush_ = 0;
};

/// One line of a recording or drill script.
struct RecordedLine {
    double t = 0;
    std::string topic;    // "" for an event
    std::string payload;  // bytes
    std::string event;    // "broker_lost", "connected" or ""
};

/// Reads a recording or script; a bad line is an InputError naming file:line.
std::vector<RecordedLine> readRecording(const std::string& path);

/// A Sparkplug B payload written as JSON ({"seq", "timestamp", "metrics": [{"name", "alias",
/// "type", "value", "timestamp", "quality", "unit", "is_null"}]}) as protobuf bytes.
std::string sparkplugFromJson(const nlohmann::json& j, const std::string& where);

struct ReplayOptions {
    double speed = 1.0;          // recording seconds per wall second; <= 0: as fast as possible
    double tick_s = 0.5;         // feed ticks between messages [Units: s of recording]
    double until = 0;            // stop after this many seconds of recording (0: all)
    std::function<bool()> stop;  // polled; true stops the replay
};

/// Feeds `lines` to `feed` at their recorded times. Returns the recording time reached.
double replay(const std::vector<RecordedLine>& lines, LiveFeed& feed, const ReplayOptions& o);

/// The live state at the end of a recording, replayed at once (for a forecast from a drill).
/// `path` may also be a state file written by --state-out (JSON, not JSON Lines): then it is
/// read as it is.
LiveState liveStateFromFile(const std::vector<SensorSpec>& sensors, const Scene* scene,
                            const std::string& path);

}  // namespace safetwin::live
