// LiveState names and its JSON form (the --state-out file).
#include "live/feed/LiveState.hpp"

#include <fstream>
#include <sstream>

#include "scenes/InputError.hpp"

namespace safetwin::live {

namespace {

using nlohmann::json;

template <typename E, size_t N>
std::optional<E> lookup(const char* const (&names)[N], const std::string& s) {
    for (size_t i = 0; i < N; ++i)
        if (s == names[i]) return static_cast<E>(i);
    return std::nullopt;
}

constexpr const char* kQuality[] = {"unknown", "good", "bad", "stale"};
constexpr const char* kAlarm[] = {"normal", "active_unacknowledged", "active_acknowledged",
                                  "returned_unacknowledged", "shelved"};
constexpr const char* kSeverity[] = {"none", "warning", "alarm"};

json optionalNumber(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

std::optional<double> readOptional(const json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<double>();
}

}  // namespace

const char* toString(Quality q) {
    return kQuality[static_cast<int>(q)];
}
const char* toString(AlarmState s) {
    return kAlarm[static_cast<int>(s)];
}
const char* toString(Severity s) {
    return kSeverity[static_cast<int>(s)];
}
std::optional<Quality> qualityFromString(const std::string& s) {
    return lookup<Quality>(kQuality, s);
}
std::optional<AlarmState> alarmStateFromString(const std::string& s) {
    return lookup<AlarmState>(kAlarm, s);
}
std::optional<Severity> severityFromString(const std::string& s) {
    return lookup<Severity>(kSeverity, s);
}

nlohmann::json liveStateToJson(const LiveState& s) {
    json sensors = json::array();
    for (const SensorState& v : s.sensors) {
        sensors.push_back({
            {"id", v.id},
            {"kind", v.kind},
            {"unit", v.unit},
            {"object", v.object},
            {"position", {v.x, v.y, v.z}},
            {"level", v.level},
            {"value", v.has_value ? json(v.value) : json(nullptr)},
            {"time", v.has_value ? json(v.time) : json(nullptr)},
            {"received", v.has_value ? json(v.received) : json(nullptr)},
            {"quality", toString(v.quality)},
            {"alarm", toString(v.alarm)},
            {"severity", toString(v.severity)},
            {"direction", v.high ? "high" : "low"},
            {"safe", v.safe()},
            {"source", v.source},
            {"limits",
             {{"alarm_high", optionalNumber(v.limits.alarm_high)},
              {"warning_high", optionalNumber(v.limits.warning_high)},
              {"warning_low", optionalNumber(v.limits.warning_low)},
              {"alarm_low", optionalNumber(v.limits.alarm_low)},
              {"deadband", v.limits.deadband},
              {"on_delay_s", v.limits.on_delay_s},
              {"off_delay_s", v.limits.off_delay_s},
              {"stale_after_s", v.limits.stale_after_s}}},
        });
    }
    json journal = json::array();
    for (const AlarmEvent& e : s.journal)
        journal.push_back({{"time", e.time},
                           {"sensor", e.sensor},
                           {"state", toString(e.state)},
                           {"severity", toString(e.severity)},
                           {"direction", e.high ? "high" : "low"},
                           {"value", e.value}});
    const FeedCounters& c = s.counters;
    json counters = {{"received", c.received},
                     {"accepted", c.accepted},
                     {"malformed", c.malformed},
                     {"unknown_sensor", c.unknown_sensor},
                     {"wrong_unit", c.wrong_unit},
                     {"duplicate", c.duplicate},
                     {"out_of_order", c.out_of_order},
                     {"absurd", c.absurd},
                     {"seq_gap", c.seq_gap},
                     {"no_birth", c.no_birth},
                     {"deaths", c.deaths},
                     {"stale_deaths", c.stale_deaths},
                     {"rebirth_requests", c.rebirth_requests},
                     {"broker_lost", c.broker_lost},
                     {"reconnects", c.reconnects}};
    json issues = json::array();
    for (const FeedIssue& i : s.issues)
        issues.push_back({{"time", i.time},
                          {"kind", i.kind},
                          {"topic", i.topic},
                          {"sensor", i.sensor},
                          {"detail", i.detail}});
    json gaps = json::array();
    for (const BrokerGap& g : s.gaps)
        gaps.push_back({{"start", g.start}, {"end", g.end < 0 ? json(nullptr) : json(g.end)}});
    return {{"format", "safetwin-live-state"},
            {"version", 1},
            {"now", s.now},
            {"connected", s.connected},
            {"source", s.source},
            {"sensors", sensors},
            {"alarms", journal},
            {"counters", counters},
            {"issues", issues},
            {"gaps", gaps}};
}

LiveState liveStateFromJson(const nlohmann::json& j, const std::string& file) {
    LiveState s;
    const char* where = "";
    try {
        where = "format";
        if (j.value("format", std::string()) != "safetwin-live-state")
            throw InputError(file +
                             ": not a SafeTwin live state file (expected \"format\": "
                             "\"safetwin-live-state\")");
        where = "version";
        if (j.at("version").get<int>() > 1)
            throw InputError(file + ": live state version " +
                             std::to_string(j.at("version").get<int>()) +
                             " is newer than this build reads (1)");
        where = "now";
        s.now = j.at("now").get<double>();
        s.connected = j.value("connected", false);
        s.source = j.value("source", std::string());
        where = "sensors";
        for (const json& v : j.at("sensors")) {
            SensorState t;
            t.id = v.at("id").get<std::string>();
            t.kind = v.value("kind", std::string());
            t.unit = v.value("unit", std::string());
            t.object = v.value("object", std::string());
            const json& p = v.at("position");
            t.x = p.at(0).get<double>();
            t.y = p.at(1).get<double>();
            t.z = p.at(2).get<double>();
            t.level = v.value("level", std::string());
            t.has_value = !v.at("value").is_null();
            if (t.has_value) {
                t.value = v.at("value").get<double>();
                t.time = v.at("time").get<double>();
                t.received = v.at("received").get<double>();
            }
            const auto q = qualityFromString(v.at("quality").get<std::string>());
            const auto a = alarmStateFromString(v.at("alarm").get<std::string>());
            const auto sv = severityFromString(v.at("severity").get<std::string>());
            if (!q || !a || !sv)
                throw InputError(file + ": sensor '" + t.id +
                                 "': unknown quality, alarm or severity name");
            t.quality = *q;
            t.alarm = *a;
            t.severity = *sv;
            t.high = v.value("direction", std::string("high")) != "low";
            t.source = v.value("source", std::string());
            if (v.contains("limits")) {
                const json& l = v.at("limits");
                t.limits.alarm_high = readOptional(l, "alarm_high");
                t.limits.warning_high = readOptional(l, "warning_high");
                t.limits.warning_low = readOptional(l, "warning_low");
                t.limits.alarm_low = readOptional(l, "alarm_low");
                t.limits.deadband = l.value("deadband", 0.0);
                t.limits.on_delay_s = l.value("on_delay_s", 0.0);
                t.limits.off_delay_s = l.value("off_delay_s", 0.0);
                t.limits.stale_after_s = l.value("stale_after_s", 60.0);
            }
            s.sensors.push_back(std::move(t));
        }
        where = "alarms";
        for (const json& e : j.value("alarms", json::array())) {
            AlarmEvent a;
            a.time = e.at("time").get<double>();
            a.sensor = e.at("sensor").get<std::string>();
            a.state =
                alarmStateFromString(e.at("state").get<std::string>()).value_or(AlarmState::Normal);
            a.severity =
                severityFromString(e.at("severity").get<std::string>()).value_or(Severity::None);
            a.high = e.value("direction", std::string("high")) != "low";
            a.value = e.value("value", 0.0);
            s.journal.push_back(std::move(a));
        }
        where = "counters";
        if (j.contains("counters")) {
            const json& c = j.at("counters");
            FeedCounters& k = s.counters;
            k.received = c.value("received", uint64_t{0});
            k.accepted = c.value("accepted", uint64_t{0});
            k.malformed = c.value("malformed", uint64_t{0});
            k.unknown_sensor = c.value("unknown_sensor", uint64_t{0});
            k.wrong_unit = c.value("wrong_unit", uint64_t{0});
            k.duplicate = c.value("duplicate", uint64_t{0});
            k.out_of_order = c.value("out_of_order", uint64_t{0});
            k.absurd = c.value("absurd", uint64_t{0});
            k.seq_gap = c.value("seq_gap", uint64_t{0});
            k.no_birth = c.value("no_birth", uint64_t{0});
            k.deaths = c.value("deaths", uint64_t{0});
            k.stale_deaths = c.value("stale_deaths", uint64_t{0});
            k.rebirth_requests = c.value("rebirth_requests", uint64_t{0});
            k.broker_lost = c.value("broker_lost", uint64_t{0});
            k.reconnects = c.value("reconnects", uint64_t{0});
        }
        where = "issues";
        for (const json& i : j.value("issues", json::array()))
            s.issues.push_back({i.at("time").get<double>(), i.at("kind").get<std::string>(),
                                i.value("topic", std::string()), i.value("sensor", std::string()),
                                i.value("detail", std::string())});
        where = "gaps";
        for (const json& g : j.value("gaps", json::array()))
            s.gaps.push_back({g.at("start").get<double>(),
                              g.at("end").is_null() ? -1.0 : g.at("end").get<double>()});
    } catch (const json::exception& e) {
        throw InputError(file + ": bad live state at '" + where + "': " + e.what());
    }
    return s;
}

LiveState loadLiveStateFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open the live state file");
    std::stringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    if (j.is_discarded()) throw InputError(path + ": the live state file is not valid JSON");
    return liveStateFromJson(j, path);
}

}  // namespace safetwin::live
