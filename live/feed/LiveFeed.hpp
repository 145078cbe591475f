// The live sensor feed: turns MQTT messages (the plain JSON layout or Sparkplug B) into the
// LiveState of the scenario's sensors. Transport-free and clock-free: the MQTT client
// (MqttClient.hpp) and the replayer (Recorder.hpp) hand it each message with its receive time,
// so a recorded drill replays exactly as it was lived. Thread-safe; every method may be called
// from any thread.
//
// Topic layouts (docs/FORMAT.md "Live feed"):
//   safetwin/<site>/sensors/<sensor id>   payload {"id": ..., "t": Unix s, "value": ..., "unit":
//   ...} spBv1.0/<group>/NBIRTH|NDATA|NDEATH/<edge node>, .../DBIRTH|DDATA|DDEATH/<edge
//   node>/<device>
//
// Nothing received is ever fatal: a malformed message, an unknown sensor, a wrong unit, a
// duplicate or out-of-order time, an absurd value, a Sparkplug sequence gap or a DATA message
// before its BIRTH is counted in LiveState::counters and logged in LiveState::issues; the good
// readings around it are still applied.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "live/feed/LiveState.hpp"
#include "live/feed/SensorAlarm.hpp"
#include "sim/scenario/SensorSpec.hpp"

namespace safetwin::live {

/// A message the feed asks its transport to publish (a Sparkplug rebirth request, NCMD).
struct Outgoing {
    std::string topic;
    std::string payload;
};

class LiveFeed {
  public:
    /// `scene` (optional) gives the levels' elevations for the sensors' z.
    explicit LiveFeed(const std::vector<SensorSpec>& sensors, const Scene* scene = nullptr);

    /// One received message at feed time `now` (Unix seconds). Returns what must be published
    /// in answer (rebirth requests after a Sparkplug sequence gap or unknown node).
    std::vector<Outgoing> ingest(std::string_view topic, std::string_view payload, double now);
    /// Advances the clock: on/off delays that expire, values that go stale.
    void tick(double now);
    /// The broker was lost at `now`: every sensor that had a value turns stale; a gap opens.
    void brokerLost(double now);
    /// Connected (again) at `now`: the open gap closes.
    void brokerConnected(double now);
    /// Operator actions; false if the sensor is unknown or nothing changed.
    bool acknowledge(const std::string& id, double now);
    bool shelve(const std::string& id, bool on, double now);

    void setSource(const std::string& source);
    /// Called (under the feed's lock, keep it short) for every logged issue.
    void setIssueSink(std::function<void(const FeedIssue&)> sink);

    LiveState snapshot() const;

  private:
    struct Sensor {
        SensorState state;
        SensorAlarm alarm;
        double plausible_min = -1e300, plausible_max = 1e300;
        std::string sp_group, sp_node, sp_device;  // configured address ("" any)
        std::string live_node, live_device;        // node key and device it last came from
    };
    struct Node {
        bool born = false;
        bool has_bdseq = false;
        uint64_t bdseq = 0;
        uint64_t seq = 0;
        std::unordered_map<uint64_t, std::string> aliases;  // alias -> metric name
        double last_rebirth = -1e300;
    };

    void issue(double now, const char* kind, std::string_view topic, const std::string& sensor,
               const std::string& detail);
    void ingestJson(std::string_view topic, std::string_view payload, double now);
    void ingestSparkplug(std::string_view topic, std::string_view payload, double now,
                         std::vector<Outgoing>& out);
    void requestRebirth(const std::string& group, const std::string& node, double now,
                        std::vector<Outgoing>& out);
    /// Applies one reading to sensor i after the unit, time and plausibility checks.
    void reading(size_t i, double value, double t, const std::string* unit,
                 std::optional<Quality> reported, std::string_view topic, double now);
    void markStale(const std::string& nodeKey, const std::string* device);
    void trimJournal();

    mutable std::mutex mutex_;
    std::vector<Sensor> sensors_;
    std::unordered_map<std::string, size_t> by_id_;
    std::unordered_map<std::string, std::vector<size_t>> by_metric_;
    std::map<std::string, Node> nodes_;  // key "<group>/<node>"
    LiveState state_;                    // counters, journal, issues, gaps (sensors in sensors_)
    std::function<void(const FeedIssue&)> sink_;
};

}  // namespace safetwin::live
