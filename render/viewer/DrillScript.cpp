#include "render/viewer/DrillScript.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenes/YamlReader.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin::viewer {

namespace {

struct EventName { InjectEvent event; const char* name; };
constexpr EventName kEvents[] = {{InjectEvent::CloseDoor, "close_door"}, {InjectEvent::OpenDoor, "open_door"},
                                 {InjectEvent::StartLeak, "start_leak"}, {InjectEvent::SetWind, "set_wind"},
                                 {InjectEvent::RaiseAlarm, "raise_alarm"}, {InjectEvent::Message, "message"}};

std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    const size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

/// Numbers separated by spaces or commas; InputError at `where` naming `what`.
std::vector<double> numbers(const std::string& text, const SourceRef& where, const std::string& what, size_t count) {
    std::string t = text;
    std::replace(t.begin(), t.end(), ',', ' ');
    std::replace(t.begin(), t.end(), ';', ' ');
    std::istringstream in(t);
    std::vector<double> v;
    std::string word;
    while (in >> word) {
        try {
            size_t used = 0;
            v.push_back(std::stod(word, &used));
            if (used != word.size()) throw std::invalid_argument(word);
        } catch (const std::exception&) {
            throw InputError(where, what + ": '" + text + "' is not a number list");
        }
        if (!std::isfinite(v.back())) throw InputError(where, what + ": '" + text + "' has a non-finite number");
    }
    if (v.size() != count) throw InputError(where, what + ": expected " + std::to_string(count) + " numbers, got '" + text + "'");
    return v;
}

/// Leak target "LEVEL:X Y" or "X Y" (also "X,Y").
void parseLeakTarget(Inject& in) {
    std::string t = in.target;
    const size_t colon = t.find(':');
    if (colon != std::string::npos) {
        in.level = trim(t.substr(0, colon));
        t = t.substr(colon + 1);
    }
    const auto v = numbers(t, in.where, "start_leak target (\"LEVEL:X Y\" or \"X Y\", metres)", 2);
    in.at = {v[0], v[1]};
}

/// The optional `value` column: leak rate [kg/s]; wind "SPEED DIRECTION" [m/s, deg from].
void parseValue(Inject& in, const std::string& value) {
    if (value.empty()) {
        if (in.event == InjectEvent::SetWind) throw InputError(in.where, "set_wind needs a value \"SPEED DIRECTION\" (m/s, degrees the wind comes from)");
        return;
    }
    if (in.event == InjectEvent::StartLeak) {
        in.rate = numbers(value, in.where, "start_leak value (rate in kg/s)", 1)[0];
        if (!(in.rate > 0.0 && in.rate <= 1e4)) throw InputError(in.where, "start_leak rate " + formatNumber(in.rate) + " kg/s is out of range (0, 10000] kg/s");
    } else if (in.event == InjectEvent::SetWind) {
        const auto v = numbers(value, in.where, "set_wind value (\"SPEED DIRECTION\": m/s, degrees the wind comes from)", 2);
        in.wind_speed = v[0];
        in.wind_direction = v[1];
        if (!(in.wind_speed >= 0.0 && in.wind_speed <= 50.0)) throw InputError(in.where, "wind speed " + formatNumber(in.wind_speed) + " m/s is out of range [0, 50] m/s");
    } else {
        throw InputError(in.where, std::string("a value is only read for start_leak and set_wind, not for ") + injectEventName(in.event));
    }
}

/// Splits one CSV record (RFC 4180 quotes, doubled quotes inside).
std::vector<std::string> csvFields(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (size_t k = 0; k < line.size(); ++k) {
        const char c = line[k];
        if (quoted) {
            if (c == '"' && k + 1 < line.size() && line[k + 1] == '"') { cur += '"'; ++k; }
            else if (c == '"') quoted = false;
            else cur += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(trim(cur));
    return out;
}

}  // namespace

const char* injectEventName(InjectEvent e) {
    for (const EventName& n : kEvents)
        if (n.event == e) return n.name;
    return "";
}

InjectEvent parseInjectEvent(const std::string& name, const SourceRef& where) {
    std::vector<std::string> names;
    for (const EventName& n : kEvents) {
        if (name == n.name) return n.event;
        names.push_back(n.name);
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    const std::string near = closestMatch(name, names);
    throw InputError(where, "unknown inject event '" + name + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; expected one of " + list);
}

void DrillScript::add(Inject in) {
    if (in.id.empty()) in.id = "I" + std::to_string(injects_.size() + 1);
    for (const Inject& o : injects_)
        if (o.id == in.id) throw InputError(in.where, "inject id '" + in.id + "' is used twice (first at " + o.where.str() + ")");
    if ((in.event == InjectEvent::CloseDoor || in.event == InjectEvent::OpenDoor) && in.target.empty())
        throw InputError(in.where, std::string(injectEventName(in.event)) + " needs a target: the door id");
    if (in.event == InjectEvent::StartLeak) {
        if (in.target.empty()) throw InputError(in.where, "start_leak needs a target: \"LEVEL:X Y\" or \"X Y\" (metres)");
        parseLeakTarget(in);
    }
    injects_.push_back(std::move(in));
    status_.emplace_back();
}

DrillScript DrillScript::load(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw InputError(SourceRef{path, 0, 0}, "cannot read the drill script");
    std::ostringstream os;
    os << f.rdbuf();
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".csv") return parseCsv(os.str(), path);
    if (ext == ".yaml" || ext == ".yml") return parseYaml(os.str(), path);
    throw InputError(SourceRef{path, 0, 0}, "a drill script is .csv or .yaml/.yml, not '" + ext + "'");
}

DrillScript DrillScript::parseCsv(const std::string& text, const std::string& file) {
    DrillScript s;
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    std::vector<std::string> header;
    int cTime = -1, cEvent = -1, cTarget = -1, cMessage = -1, cValue = -1, cId = -1;
    while (std::getline(in, line)) {
        ++lineNo;
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        const auto fields = csvFields(line);
        if (header.empty()) {
            header = fields;
            for (size_t k = 0; k < header.size(); ++k) {
                const std::string& h = header[k];
                int* col = h == "time" ? &cTime : h == "event" ? &cEvent : h == "target" ? &cTarget : h == "message" ? &cMessage : h == "value" ? &cValue : h == "id" ? &cId : nullptr;
                if (!col) throw InputError(SourceRef{file, lineNo, 0}, "unknown column '" + h + "'; expected time, event, target, message (and optionally value, id)");
                *col = int(k);
            }
            if (cTime < 0 || cEvent < 0) throw InputError(SourceRef{file, lineNo, 0}, "the header needs at least the columns time and event (time,event,target,message)");
            continue;
        }
        const SourceRef where{file, lineNo, 0};
        if (fields.size() > header.size()) throw InputError(where, std::to_string(fields.size()) + " fields but the header has " + std::to_string(header.size()) + " (quote a message with commas)");
        auto field = [&](int c) { return c >= 0 && size_t(c) < fields.size() ? fields[size_t(c)] : std::string(); };
        Inject inj;
        inj.where = where;
        const std::string t = field(cTime);
        inj.time = numbers(t, where, "time (seconds from the start)", 1)[0];
        if (inj.time < 0.0) throw InputError(where, "time " + t + " s must be >= 0");
        inj.event = parseInjectEvent(field(cEvent), where);
        inj.target = field(cTarget);
        inj.message = field(cMessage);
        inj.id = field(cId);
        parseValue(inj, field(cValue));
        s.add(std::move(inj));
    }
    if (header.empty()) throw InputError(SourceRef{file, 0, 0}, "empty drill script; expected a header time,event,target,message and one inject per line");
    std::stable_sort(s.injects_.begin(), s.injects_.end(), [](const Inject& a, const Inject& b) { return a.time < b.time; });
    return s;
}

DrillScript DrillScript::parseYaml(const std::string& text, const std::string& file) {
    DrillScript s;
    const YamlReader reader(file);
    const YAML::Node root = YamlReader::loadText(text, file);
    const YamlMap top(reader, root, "drill script", {"name", "injects"});
    for (const YAML::Node& n : top.list("injects")) {
        const YamlMap m(reader, n, "inject", {"id", "time", "event", "target", "message", "value", "level", "at", "rate", "height", "duration", "speed", "direction"});
        Inject inj;
        inj.where = m.where();
        inj.id = m.string("id", "");
        inj.time = m.number("time", Range::closed(0.0, 86400.0, "s"));
        inj.event = parseInjectEvent(m.string("event"), reader.where(m.require("event")));
        inj.target = m.string("target", "");
        inj.message = m.string("message", "");
        if (inj.event == InjectEvent::StartLeak && m.has("at")) {
            const Vec2 p = m.point("at");
            inj.target = m.string("level", "");
            inj.target += (inj.target.empty() ? "" : ":") + formatNumber(p.x) + " " + formatNumber(p.y);
        }
        if (m.has("value")) parseValue(inj, m.string("value"));
        if (inj.event == InjectEvent::StartLeak) {
            inj.rate = m.number("rate", Range::aboveTo(0.0, 1e4, "kg/s"), inj.rate);
            inj.height = m.number("height", Range::closed(0.0, 100.0, "m"), inj.height);
            inj.duration = m.number("duration", Range::aboveTo(0.0, 86400.0, "s"), inj.duration);
        }
        if (inj.event == InjectEvent::SetWind && !m.has("value")) {
            inj.wind_speed = m.number("speed", Range::closed(0.0, 50.0, "m/s"));
            inj.wind_direction = m.number("direction", Range::closed(-360.0, 720.0, "deg"));
        }
        s.add(std::move(inj));
    }
    std::stable_sort(s.injects_.begin(), s.injects_.end(), [](const Inject& a, const Inject& b) { return a.time < b.time; });
    return s;
}

void DrillScript::validate(const Scenario& scenario) const {
    for (const Inject& in : injects_) {
        switch (in.event) {
        case InjectEvent::CloseDoor:
        case InjectEvent::OpenDoor:
            if (!scenario.scene.findDoor(in.target)) {
                std::vector<std::string> ids;
                for (const auto& l : scenario.scene.levels)
                    for (const auto& d : l.doors) ids.push_back(d.id);
                const std::string near = closestMatch(in.target, ids);
                throw InputError(in.where, "inject '" + in.id + "': unknown door '" + in.target + "'" + (near.empty() ? "" : " (did you mean '" + near + "'?)"));
            }
            break;
        case InjectEvent::StartLeak:
            if (!in.level.empty() && scenario.scene.levelIndex(in.level) < 0)
                throw InputError(in.where, "inject '" + in.id + "': unknown level '" + in.level + "'");
            [[fallthrough]];
        case InjectEvent::SetWind:
            if (!scenario.gas)
                throw InputError(in.where, "inject '" + in.id + "': " + injectEventName(in.event) + " needs a scenario with a gas: section (its gas, grid and wind)");
            break;
        default: break;
        }
    }
}

std::vector<size_t> DrillScript::due(double t) const {
    std::vector<size_t> out;
    if (paused_) return out;
    for (size_t i = 0; i < injects_.size(); ++i)
        if (status_[i].state == InjectState::Pending && injects_[i].time <= t + 1e-9) out.push_back(i);
    return out;
}

void DrillScript::markFired(size_t i, double t, bool early) { status_.at(i) = {InjectState::Fired, t, early, ""}; }
void DrillScript::markSkipped(size_t i, double t) { status_.at(i) = {InjectState::Skipped, t, false, ""}; }
void DrillScript::markFailed(size_t i, double t, const std::string& error) { status_.at(i) = {InjectState::Failed, t, false, error}; }

}  // namespace safetwin::viewer
