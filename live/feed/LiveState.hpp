// The live state of a site's sensors as one plain, copyable value: what the forecast, the viewer
// and `safetwin live --state-out` read. Filled by LiveFeed (live/feed/LiveFeed.hpp) from MQTT
// messages (plain JSON or Sparkplug B) or from a replayed recording.
//
// An alarm's state and its value's quality are kept apart, as ISA-18.2 / IEC 62682 ask: a sensor
// can be in alarm and stale at once. A sensor whose quality is not Good is never shown as safe.
//
// [SECTION] enums        quality, ISA-18.2 alarm state, severity
// [SECTION] SensorState  one sensor: value, unit, times, quality, alarm, limits
// [SECTION] LiveState    all sensors, alarm journal, counters, issues log, broker gaps
// [SECTION] JSON         liveStateToJson / liveStateFromJson (the --state-out file)
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace safetwin::live {

// [SECTION] enums ------------------------------------------------------------------------------

/// Quality of a sensor's value. Sparkplug B codes: bad 0, good 192, stale 500.
enum class Quality : uint8_t {
    Unknown,  // nothing received yet
    Good,
    Bad,    // the sensor reported a fault or an absurd value
    Stale,  // silent past its stale timeout, its node/device died, or the broker was lost
};

/// ISA-18.2 alarm states (ANSI/ISA-18.2-2016 fig. 4, IEC 62682). Suppressed-by-design and
/// out-of-service are not modelled.
enum class AlarmState : uint8_t {
    Normal,                  // no condition, nothing to acknowledge
    ActiveUnacknowledged,    // condition present, operator not yet acknowledged
    ActiveAcknowledged,      // condition present, acknowledged
    ReturnedUnacknowledged,  // condition gone, never acknowledged
    Shelved,                 // temporarily removed from service by the operator
};

/// Which limit the alarm is about. Warning = the warning limit (ISA "H"/"L"); Alarm = the alarm
/// limit (ISA "HH"/"LL").
enum class Severity : uint8_t { None, Warning, Alarm };

const char* toString(Quality q);
const char* toString(AlarmState s);
const char* toString(Severity s);
std::optional<Quality> qualityFromString(const std::string& s);
std::optional<AlarmState> alarmStateFromString(const std::string& s);
std::optional<Severity> severityFromString(const std::string& s);

// [SECTION] SensorState ------------------------------------------------------------------------

/// Limits of one sensor as configured (sim/scenario/SensorSpec.hpp); absent ones are NaN-free
/// optionals. All in the sensor's unit.
struct SensorLimits {
    std::optional<double> alarm_high, warning_high, warning_low, alarm_low;
    double deadband = 0;        // [Limit: >= 0] [Units: sensor unit]
    double on_delay_s = 0;      // condition must hold this long before the alarm [Units: s]
    double off_delay_s = 0;     // condition must be gone this long before it clears [Units: s]
    double stale_after_s = 60;  // silence before the value is stale [Units: s]
};

struct SensorState {
    std::string id;
    std::string kind;            // gas, pressure, level, temperature, ...
    std::string unit;            // configured unit, e.g. "ppm", "%LEL", "bar", "m", "degC"
    std::string object;          // scene object the sensor is mapped to ("" if a point)
    double x = 0, y = 0, z = 0;  // position [Units: m]
    std::string level;           // scene level id
    bool has_value = false;
    double value = 0;     // last accepted value [Units: unit]
    double time = 0;      // its sample time, Unix seconds (UTC)
    double received = 0;  // when it was received, Unix seconds (UTC)
    Quality quality = Quality::Unknown;
    AlarmState alarm = AlarmState::Normal;
    Severity severity = Severity::None;  // of the alarm (latched while unacknowledged)
    bool high = true;                    // the alarm is on a high limit (false: low)
    SensorLimits limits;
    std::string source;  // "json" or "sparkplug:<group>/<node>[/<device>]"

    /// True only when the value is Good and no alarm condition is active. Stale, bad or unknown
    /// sensors are never safe.
    bool safe() const {
        return quality == Quality::Good &&
               (alarm == AlarmState::Normal || alarm == AlarmState::ReturnedUnacknowledged);
    }
};

// [SECTION] LiveState --------------------------------------------------------------------------

/// One entry of the alarm journal: every transition of a sensor's alarm.
struct AlarmEvent {
    double time = 0;  // Unix seconds (feed clock)
    std::string sensor;
    AlarmState state = AlarmState::Normal;  // the state entered
    Severity severity = Severity::None;
    bool high = true;
    double value = 0;  // the value that caused it
};

/// Counters of everything received; shown, never fatal.
struct FeedCounters {
    uint64_t received = 0;        // every sensor message (not host STATE or commands)
    uint64_t accepted = 0;        // readings that updated a sensor
    uint64_t malformed = 0;       // unparseable payload or topic
    uint64_t unknown_sensor = 0;  // a reading for a sensor not in the scenario
    uint64_t wrong_unit = 0;      // unit differs from the configured one
    uint64_t duplicate = 0;       // same sample time as the last accepted reading
    uint64_t out_of_order = 0;    // sample time older than the last accepted reading
    uint64_t absurd = 0;          // outside the sensor's plausible range, NaN or infinite
    uint64_t seq_gap = 0;         // Sparkplug seq not the previous + 1 (mod 256)
    uint64_t no_birth = 0;        // Sparkplug DATA before its BIRTH, or unknown alias
    uint64_t deaths = 0;          // NDEATH / DDEATH accepted
    uint64_t stale_deaths = 0;    // NDEATH whose bdSeq does not match the live birth (ignored)
    uint64_t rebirth_requests = 0;
    uint64_t broker_lost = 0;  // connection to the broker lost
    uint64_t reconnects = 0;   // connection re-established
};

/// One logged problem (the newest LiveState::kMaxIssues are kept).
struct FeedIssue {
    double time = 0;   // Unix seconds (feed clock)
    std::string kind;  // counter name: malformed, unknown_sensor, wrong_unit, ...
    std::string topic;
    std::string sensor;  // "" if not known
    std::string detail;
};

/// A time the broker was unreachable; end < 0 while it still is.
struct BrokerGap {
    double start = 0, end = -1;  // Unix seconds
};

struct LiveState {
    static constexpr size_t kMaxIssues = 200;
    static constexpr size_t kMaxJournal = 1000;

    double now = 0;                    // feed clock at the snapshot, Unix seconds
    bool connected = false;            // to a broker (false in replay and after a loss)
    std::string source;                // "mqtt://host:port", "replay:<file>" or ""
    std::vector<SensorState> sensors;  // in scenario order
    std::vector<AlarmEvent> journal;   // oldest first, newest kMaxJournal kept
    FeedCounters counters;
    std::vector<FeedIssue> issues;  // oldest first
    std::vector<BrokerGap> gaps;

    const SensorState* find(const std::string& id) const {
        for (const SensorState& s : sensors)
            if (s.id == id) return &s;
        return nullptr;
    }
    /// Sensors whose alarm is active (acknowledged or not) at Alarm severity: the detectors that
    /// start a gas forecast.
    std::vector<const SensorState*> alarming() const {
        std::vector<const SensorState*> out;
        for (const SensorState& s : sensors)
            if ((s.alarm == AlarmState::ActiveUnacknowledged ||
                 s.alarm == AlarmState::ActiveAcknowledged) &&
                s.severity == Severity::Alarm)
                out.push_back(&s);
        return out;
    }
};

// [SECTION] JSON -------------------------------------------------------------------------------

/// The state file written by `safetwin live --state-out` (format in docs/FORMAT.md "Live feed").
nlohmann::json liveStateToJson(const LiveState& s);
/// Reads it back; throws safetwin::InputError naming `file` and the key on a bad file.
LiveState liveStateFromJson(const nlohmann::json& j, const std::string& file);
LiveState loadLiveStateFile(const std::string& path);

}  // namespace safetwin::live
