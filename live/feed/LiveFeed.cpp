// The live sensor feed (see LiveFeed.hpp).
#include "live/feed/LiveFeed.hpp"

#include <cmath>

#include "live/feed/Sparkplug.hpp"

namespace safetwin::live {

namespace {

using nlohmann::json;

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

bool startsWith(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

}  // namespace

LiveFeed::LiveFeed(const std::vector<SensorSpec>& specs, const Scene* scene) {
    sensors_.reserve(specs.size());
    for (const SensorSpec& sp : specs) {
        Sensor s;
        SensorState& st = s.state;
        st.id = sp.id;
        st.kind = sp.kind;
        st.unit = sp.unit;
        st.object = sp.object;
        st.level = sp.level_id;
        st.x = sp.at.x;
        st.y = sp.at.y;
        st.z = sp.height;
        if (scene) {
            const int l = scene->levelIndex(sp.level_id);
            if (l >= 0) st.z += scene->levels[size_t(l)].elevation;
        }
        st.limits.alarm_high = sp.alarm_high;
        st.limits.warning_high = sp.warning_high;
        st.limits.warning_low = sp.warning_low;
        st.limits.alarm_low = sp.alarm_low;
        st.limits.deadband = sp.deadband;
        st.limits.on_delay_s = sp.on_delay;
        st.limits.off_delay_s = sp.off_delay;
        st.limits.stale_after_s = sp.stale_after;
        s.plausible_min = sp.plausible_min;
        s.plausible_max = sp.plausible_max;
        s.sp_group = sp.sp_group;
        s.sp_node = sp.sp_node;
        s.sp_device = sp.sp_device;
        by_id_[sp.id] = sensors_.size();
        by_metric_[sp.sp_metric.empty() ? sp.id : sp.sp_metric].push_back(sensors_.size());
        sensors_.push_back(std::move(s));
    }
}

void LiveFeed::setSource(const std::string& source) {
    std::lock_guard lock(mutex_);
    state_.source = source;
}

void LiveFeed::setIssueSink(std::function<void(const FeedIssue&)> sink) {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
}

void LiveFeed::issue(double now, const char* kind, std::string_view topic,
                     const std::string& sensor, const std::string& detail) {
    FeedIssue i{now, kind, std::string(topic.substr(0, 200)), sensor, detail};
    if (sink_) sink_(i);
    state_.issues.push_back(std::move(i));
    if (state_.issues.size() > LiveState::kMaxIssues)
        state_.issues.erase(
            state_.issues.begin(),
            state_.issues.begin() + long(state_.issues.size() - LiveState::kMaxIssues));
}

void LiveFeed::trimJournal() {
    auto& j = state_.journal;
    if (j.size() > LiveState::kMaxJournal)
        j.erase(j.begin(), j.begin() + long(j.size() - LiveState::kMaxJournal));
}

std::vector<Outgoing> LiveFeed::ingest(std::string_view topic, std::string_view payload,
                                       double now) {
    std::vector<Outgoing> out;
    std::lock_guard lock(mutex_);
    state_.now = std::max(state_.now, now);
    // Host state and commands (ours included, echoed by the broker) are not sensor messages.
    if (startsWith(topic, "spBv1.0/STATE/") || topic.find("/NCMD/") != std::string_view::npos ||
        topic.find("/DCMD/") != std::string_view::npos)
        return out;
    ++state_.counters.received;
    if (startsWith(topic, "spBv1.0/"))
        ingestSparkplug(topic, payload, now, out);
    else
        ingestJson(topic, payload, now);
    trimJournal();
    return out;
}

void LiveFeed::reading(size_t i, double value, double t, const std::string* unit,
                       std::optional<Quality> reported, std::string_view topic, double now) {
    Sensor& s = sensors_[i];
    SensorState& st = s.state;
    FeedCounters& c = state_.counters;
    if (unit && *unit != st.unit) {
        ++c.wrong_unit;
        issue(now, "wrong_unit", topic, st.id,
              "unit '" + *unit + "', configured '" + st.unit + "' (reading " + num(value) +
                  " ignored)");
        return;
    }
    if (st.has_value && t == st.time) {
        ++c.duplicate;
        issue(now, "duplicate", topic, st.id, "sample time " + num(t) + " already received");
        return;
    }
    if (st.has_value && t < st.time) {
        ++c.out_of_order;
        issue(now, "out_of_order", topic, st.id,
              "sample time " + num(t) + " is older than the last reading's " + num(st.time) +
                  " (kept the newer reading)");
        return;
    }
    if (reported != Quality::Bad && reported != Quality::Stale &&
        (!std::isfinite(value) || value < s.plausible_min || value > s.plausible_max)) {
        ++c.absurd;
        issue(now, "absurd", topic, st.id,
              "value " + num(value) + " " + st.unit + " outside the plausible range [" +
                  num(s.plausible_min) + ", " + num(s.plausible_max) + "]: quality bad");
        st.quality = Quality::Bad;
        st.received = now;
        return;
    }
    ++c.accepted;
    st.received = now;
    st.time = t;
    st.quality = reported.value_or(Quality::Good);
    if (st.quality == Quality::Good) {
        st.value = value;
        st.has_value = true;
    }
    if (st.quality == Quality::Good) s.alarm.update(st, st.value, now, state_.journal);
}

void LiveFeed::ingestJson(std::string_view topic, std::string_view payload, double now) {
    FeedCounters& c = state_.counters;
    // safetwin/<site>/sensors/<sensor id>
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (;;) {
        const size_t slash = topic.find('/', start);
        parts.push_back(
            topic.substr(start, slash == std::string_view::npos ? slash : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (parts.size() != 4 || parts[0] != "safetwin" || parts[2] != "sensors" || parts[3].empty()) {
        ++c.malformed;
        issue(now, "malformed", topic, "",
              "topic is neither safetwin/<site>/sensors/<id> nor spBv1.0/...");
        return;
    }
    const std::string id(parts[3]);
    const json j = json::parse(payload.begin(), payload.end(), nullptr, false);
    auto bad = [&](const std::string& why) {
        ++c.malformed;
        issue(now, "malformed", topic, id, why);
    };
    if (j.is_discarded() || !j.is_object()) return bad("payload is not a JSON object");
    if (j.contains("id") && (!j["id"].is_string() || j["id"].get<std::string>() != id))
        return bad("payload 'id' differs from the topic's sensor id '" + id + "'");
    if (!j.contains("t") || !j["t"].is_number()) return bad("missing or non-numeric 't' (Unix s)");
    if (!j.contains("unit") || !j["unit"].is_string()) return bad("missing 'unit'");
    std::optional<Quality> reported;
    if (j.contains("quality")) {
        const json& q = j["quality"];
        if (!q.is_string() || !qualityFromString(q.get<std::string>()) ||
            q.get<std::string>() == "unknown")
            return bad("'quality' must be \"good\", \"bad\" or \"stale\"");
        reported = qualityFromString(q.get<std::string>());
    }
    double value = 0;
    if (j.contains("value") && j["value"].is_number())
        value = j["value"].get<double>();
    else if (j.contains("value") && j["value"].is_null())
        reported = Quality::Bad;  // a sensor that reports no value is faulty
    else
        return bad("missing or non-numeric 'value'");
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        ++c.unknown_sensor;
        issue(now, "unknown_sensor", topic, id, "no sensor '" + id + "' in the scenario");
        return;
    }
    const std::string unit = j["unit"].get<std::string>();
    sensors_[it->second].state.source = "json";
    reading(it->second, value, j["t"].get<double>(), &unit, reported, topic, now);
}

void LiveFeed::requestRebirth(const std::string& group, const std::string& node, double now,
                              std::vector<Outgoing>& out) {
    Node& n = nodes_[group + "/" + node];
    if (now - n.last_rebirth < 5.0) return;  // one request per node every 5 s
    n.last_rebirth = now;
    ++state_.counters.rebirth_requests;
    SpPayload p;
    p.timestamp_ms = uint64_t(std::llround(now * 1000));
    SpMetric m;
    m.name = "Node Control/Rebirth";
    m.datatype = sp_datatype::Boolean;
    m.value = 1;
    p.metrics.push_back(m);
    out.push_back({sparkplugTopic({SpType::NCMD, group, node, ""}), encodeSparkplug(p)});
}

void LiveFeed::markStale(const std::string& nodeKey, const std::string* device) {
    for (Sensor& s : sensors_)
        if (s.live_node == nodeKey && (!device || s.live_device == *device) &&
            s.state.quality != Quality::Unknown)
            s.state.quality = Quality::Stale;
}

void LiveFeed::ingestSparkplug(std::string_view topicView, std::string_view payload, double now,
                               std::vector<Outgoing>& out) {
    FeedCounters& c = state_.counters;
    const std::string topic(topicView);
    const std::optional<SpTopic> t = parseSparkplugTopic(topic);
    if (!t) {
        ++c.malformed;
        issue(now, "malformed", topic, "", "not a Sparkplug B topic");
        return;
    }
    // Host STATE and commands (ours included) are not sensor data.
    if (t->type == SpType::STATE || t->type == SpType::NCMD || t->type == SpType::DCMD) return;
    const std::optional<SpPayload> p = decodeSparkplug(std::string(payload));
    if (!p) {
        ++c.malformed;
        issue(now, "malformed", topic, "", "payload is not a Sparkplug B protobuf");
        return;
    }
    const std::string key = t->group + "/" + t->node;
    Node& node = nodes_[key];
    auto bdSeqOf = [&](const SpPayload& q) -> std::optional<uint64_t> {
        for (const SpMetric& m : q.metrics)
            if (m.name == "bdSeq" && m.numeric && !m.is_null) return uint64_t(m.value);
        return std::nullopt;
    };
    if (t->type == SpType::NDEATH) {
        const std::optional<uint64_t> bd = bdSeqOf(*p);
        if (!node.born || (bd && node.has_bdseq && *bd != node.bdseq)) {
            ++c.stale_deaths;
            issue(now, "stale_death", topic, "",
                  "NDEATH bdSeq " + (bd ? std::to_string(*bd) : std::string("?")) +
                      " does not match the live birth (ignored)");
            return;
        }
        ++c.deaths;
        node.born = false;
        markStale(key, nullptr);
        return;
    }
    if (t->type == SpType::NBIRTH) {
        node.born = true;
        node.aliases.clear();
        node.seq = p->seq.value_or(0);
        const std::optional<uint64_t> bd = bdSeqOf(*p);
        node.has_bdseq = bd.has_value();
        node.bdseq = bd.value_or(0);
    } else {
        if (!node.born) {
            ++c.no_birth;
            issue(now, "no_birth", topic, "", "message from an edge node without a live NBIRTH");
            requestRebirth(t->group, t->node, now, out);
            return;
        }
        const uint64_t expected = (node.seq + 1) % 256;
        if (!p->seq || *p->seq != expected) {
            ++c.seq_gap;
            issue(now, "seq_gap", topic, "",
                  "seq " + (p->seq ? std::to_string(*p->seq) : std::string("missing")) +
                      ", expected " + std::to_string(expected));
            requestRebirth(t->group, t->node, now, out);
        }
        node.seq = p->seq.value_or(expected) % 256;
        if (t->type == SpType::DDEATH) {
            ++c.deaths;
            markStale(key, &t->device);
            return;
        }
    }
    const bool birth = t->type == SpType::NBIRTH || t->type == SpType::DBIRTH;
    const std::string source = "sparkplug:" + key + (t->device.empty() ? "" : "/" + t->device);
    for (const SpMetric& m : p->metrics) {
        std::string name = m.name;
        if (m.alias) {
            if (birth && !name.empty()) {
                node.aliases[*m.alias] = name;
            } else if (name.empty()) {
                const auto a = node.aliases.find(*m.alias);
                if (a == node.aliases.end()) {
                    ++c.no_birth;
                    issue(now, "no_birth", topic, "",
                          "alias " + std::to_string(*m.alias) + " was not declared in a birth");
                    requestRebirth(t->group, t->node, now, out);
                    continue;
                }
                name = a->second;
            }
        }
        if (name.empty()) {
            ++c.malformed;
            issue(now, "malformed", topic, "", "metric with neither name nor alias");
            continue;
        }
        if (name == "bdSeq" || startsWith(name, "Node Control/") ||
            startsWith(name, "Device Control/") || startsWith(name, "Properties/"))
            continue;
        bool matched = false;
        const auto it = by_metric_.find(name);
        if (it != by_metric_.end())
            for (size_t i : it->second) {
                Sensor& s = sensors_[i];
                if (!s.sp_group.empty() &&
                    (s.sp_group != t->group || s.sp_node != t->node || s.sp_device != t->device))
                    continue;
                matched = true;
                if (!m.numeric && !m.is_null) {
                    ++c.malformed;
                    issue(now, "malformed", topic, s.state.id,
                          "metric '" + name + "' is not numeric");
                    continue;
                }
                std::optional<Quality> q;
                if (m.is_null) q = Quality::Bad;
                if (m.quality)
                    q = *m.quality == 192   ? Quality::Good
                        : *m.quality == 500 ? Quality::Stale
                                            : Quality::Bad;
                s.live_node = key;
                s.live_device = t->device;
                s.state.source = source;
                const uint64_t ms = m.timestamp_ms.value_or(
                    p->timestamp_ms.value_or(uint64_t(std::llround(now * 1000))));
                reading(i, m.value, double(ms) / 1000.0, m.unit.empty() ? nullptr : &m.unit, q,
                        topic, now);
            }
        if (!matched && !birth) {
            ++c.unknown_sensor;
            issue(now, "unknown_sensor", topic, name, "no sensor maps to metric '" + name + "'");
        }
    }
}

void LiveFeed::tick(double now) {
    std::lock_guard lock(mutex_);
    state_.now = std::max(state_.now, now);
    for (Sensor& s : sensors_) {
        SensorState& st = s.state;
        if ((st.quality == Quality::Good || st.quality == Quality::Bad) &&
            now - st.received > st.limits.stale_after_s)
            st.quality = Quality::Stale;
        if (st.quality == Quality::Good) s.alarm.tick(st, now, state_.journal);
    }
    trimJournal();
}

void LiveFeed::brokerLost(double now) {
    std::lock_guard lock(mutex_);
    state_.now = std::max(state_.now, now);
    if (!state_.connected && !state_.gaps.empty() && state_.gaps.back().end < 0) return;
    state_.connected = false;
    ++state_.counters.broker_lost;
    state_.gaps.push_back({now, -1});
    for (Sensor& s : sensors_)
        if (s.state.quality != Quality::Unknown) s.state.quality = Quality::Stale;
    // Every edge node must be born again before its DATA is trusted.
    for (auto& [key, node] : nodes_) node.born = false;
}

void LiveFeed::brokerConnected(double now) {
    std::lock_guard lock(mutex_);
    state_.now = std::max(state_.now, now);
    if (state_.connected) return;
    state_.connected = true;
    if (!state_.gaps.empty() && state_.gaps.back().end < 0) {
        state_.gaps.back().end = now;
        ++state_.counters.reconnects;
    }
}

bool LiveFeed::acknowledge(const std::string& id, double now) {
    std::lock_guard lock(mutex_);
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return false;
    Sensor& s = sensors_[it->second];
    return s.alarm.acknowledge(s.state, now, state_.journal);
}

bool LiveFeed::shelve(const std::string& id, bool on, double now) {
    std::lock_guard lock(mutex_);
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return false;
    Sensor& s = sensors_[it->second];
    const AlarmState before = s.state.alarm;
    s.alarm.shelve(s.state, on, now, state_.journal);
    return before != s.state.alarm;
}

LiveState LiveFeed::snapshot() const {
    std::lock_guard lock(mutex_);
    LiveState out = state_;
    out.sensors.reserve(sensors_.size());
    for (const Sensor& s : sensors_) out.sensors.push_back(s.state);
    return out;
}

}  // namespace safetwin::live
