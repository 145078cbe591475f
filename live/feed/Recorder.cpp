// Recording and replay of a live feed (see Recorder.hpp).
#include "live/feed/Recorder.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <thread>

#include "live/feed/Sparkplug.hpp"
#include "scenes/InputError.hpp"

namespace safetwin::live {

namespace {

using nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

double unixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string base64Encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v =
            uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < in.size()) {
        uint32_t v = uint32_t(uint8_t(in[i])) << 16;
        if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64Decode(std::string_view in) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char ch : in) {
        if (ch == '=') break;
        const char* p = std::strchr(kAlphabet, ch);
        if (!p || ch == 0) return std::nullopt;
        acc = acc << 6 | uint32_t(p - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xff);
        }
    }
    return out;
}

Recorder::Recorder(const std::string& path) {
    file_ = std::fopen(path.c_str(), "w");
    if (!file_) throw InputError(path + ": cannot create the recording file");
    std::fputs("{\"format\": \"safetwin-live-recording\", \"version\": 1}\n", file_);
}

Recorder::~Recorder() {
    if (file_) std::fclose(file_);
}

void Recorder::message(double t, std::string_view topic, std::string_view payload) {
    const std::string line =
        json{{"t", t}, {"topic", std::string(topic)}, {"b64", base64Encode(payload)}}.dump() + "\n";
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), file_);
    ++count_;
    if (t - last_flush_ > 1.0) {
        std::fflush(file_);
        last_flush_ = t;
    }
}

void Recorder::event(double t, const char* name) {
    const std::string line = json{{"t", t}, {"event", name}}.dump() + "\n";
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
}

void Recorder::flush() {
    std::lock_guard lock(mutex_);
    std::fflush(file_);
}

uint64_t Recorder::count() const {
    std::lock_guard lock(mutex_);
    return count_;
}

std::string sparkplugFromJson(const json& j, const std::string& where) {
    static const std::pair<const char*, uint32_t> kTypes[] = {
        {"Int8", sp_datatype::Int8},       {"Int16", sp_datatype::Int16},
        {"Int32", sp_datatype::Int32},     {"Int64", sp_datatype::Int64},
        {"UInt8", sp_datatype::UInt8},     {"UInt16", sp_datatype::UInt16},
        {"UInt32", sp_datatype::UInt32},   {"UInt64", sp_datatype::UInt64},
        {"Float", sp_datatype::Float},     {"Double", sp_datatype::Double},
        {"Boolean", sp_datatype::Boolean}, {"String", sp_datatype::String}};
    try {
        SpPayload p;
        if (j.contains("timestamp")) p.timestamp_ms = j.at("timestamp").get<uint64_t>();
        if (j.contains("seq")) p.seq = j.at("seq").get<uint64_t>();
        for (const json& m : j.value("metrics", json::array())) {
            SpMetric x;
            x.name = m.value("name", std::string());
            if (m.contains("alias")) x.alias = m.at("alias").get<uint64_t>();
            if (m.contains("timestamp")) x.timestamp_ms = m.at("timestamp").get<uint64_t>();
            const std::string type = m.value("type", std::string("Double"));
            bool known = false;
            for (const auto& [name, code] : kTypes)
                if (type == name) {
                    x.datatype = code;
                    known = true;
                }
            if (!known) throw InputError(where + ": unknown Sparkplug type '" + type + "'");
            x.is_null =
                m.value("is_null", false) || (m.contains("value") && m.at("value").is_null());
            if (m.contains("value") && m.at("value").is_string())
                x.text = m.at("value").get<std::string>();
            else if (m.contains("value") && m.at("value").is_boolean())
                x.value = m.at("value").get<bool>();
            else if (m.contains("value") && m.at("value").is_number())
                x.value = m.at("value").get<double>();
            if (m.contains("quality")) x.quality = m.at("quality").get<int64_t>();
            x.unit = m.value("unit", std::string());
            p.metrics.push_back(std::move(x));
        }
        return encodeSparkplug(p);
    } catch (const json::exception& e) {
        throw InputError(where + ": bad Sparkplug payload: " + e.what());
    }
}

std::vector<RecordedLine> readRecording(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open the recording");
    std::vector<RecordedLine> out;
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        if (text.find_first_not_of(" \t\r") == std::string::npos || text[0] == '#') continue;
        const std::string where = path + ":" + std::to_string(line);
        const json j = json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object()) throw InputError(where + ": not a JSON object");
        if (j.contains("format")) {
            if (j["format"] != "safetwin-live-recording")
                throw InputError(where + ": not a SafeTwin live recording");
            if (j.value("version", 1) > 1)
                throw InputError(where + ": recording version is newer than this build reads (1)");
            continue;
        }
        RecordedLine r;
        if (!j.contains("t") || !j["t"].is_number())
            throw InputError(where + ": missing 't' (receive time, s)");
        r.t = j["t"].get<double>();
        if (!out.empty() && r.t < out.back().t)
            throw InputError(where + ": 't' = " + std::to_string(r.t) +
                             " goes back in time (lines must be in receive order)");
        if (j.contains("event")) {
            r.event = j.value("event", std::string());
            if (r.event != "broker_lost" && r.event != "connected" && r.event != "end")
                throw InputError(where + ": unknown event '" + r.event +
                                 "' (expected broker_lost, connected or end)");
        } else {
            if (!j.contains("topic") || !j["topic"].is_string())
                throw InputError(where + ": missing 'topic'");
            r.topic = j["topic"].get<std::string>();
            if (j.contains("b64") && j["b64"].is_string()) {
                auto bytes = base64Decode(j["b64"].get<std::string>());
                if (!bytes) throw InputError(where + ": 'b64' is not base64");
                r.payload = std::move(*bytes);
            } else if (j.contains("text")) {
                r.payload = j["text"].is_string() ? j["text"].get<std::string>() : j["text"].dump();
            } else if (j.contains("sparkplug")) {
                r.payload = sparkplugFromJson(j["sparkplug"], where);
            } else {
                throw InputError(where + ": a message needs 'b64', 'text' or 'sparkplug'");
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

double replay(const std::vector<RecordedLine>& lines, LiveFeed& feed, const ReplayOptions& o) {
    if (lines.empty()) return 0;
    const double t0 = lines.front().t;
    const auto wall0 = std::chrono::steady_clock::now();
    auto pace = [&](double t) {
        if (o.speed <= 0) return;
        const auto due = wall0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>((t - t0) / o.speed));
        std::this_thread::sleep_until(due);
    };
    double now = t0;
    feed.brokerConnected(t0);
    for (const RecordedLine& r : lines) {
        if (o.until > 0 && r.t - t0 > o.until) break;
        if (o.stop && o.stop()) return now - t0;
        // Ticks between messages, so delays and staleness happen when they did.
        for (double tick = now + o.tick_s; tick < r.t; tick += o.tick_s) {
            pace(tick);
            feed.tick(tick);
        }
        pace(r.t);
        now = r.t;
        if (r.event == "broker_lost")
            feed.brokerLost(now);
        else if (r.event == "connected")
            feed.brokerConnected(now);
        else if (r.event.empty())
            feed.ingest(r.topic, r.payload, now);
        feed.tick(now);
    }
    return now - t0;
}

LiveState liveStateFromFile(const std::vector<SensorSpec>& sensors, const Scene* scene,
                            const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open the live state or recording");
    std::string first;
    std::getline(in, first);
    if (first.find("safetwin-live-recording") == std::string::npos) return loadLiveStateFile(path);
    LiveFeed feed(sensors, scene);
    feed.setSource("replay:" + path);
    ReplayOptions o;
    o.speed = 0;
    replay(readRecording(path), feed, o);
    return feed.snapshot();
}

}  // namespace safetwin::live
