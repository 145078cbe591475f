#include "live/register/Hazard.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "live/register/HazardEffect.hpp"
#include "scenes/InputError.hpp"

namespace safetwin {

namespace {

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

[[noreturn]] void fail(const std::string& where, const std::string& message) {
    throw InputError(where.empty() ? message : where + ": " + message);
}

void checkWord(const std::string& column, const std::string& value,
               const std::vector<std::string>& words, const std::string& where) {
    if (std::find(words.begin(), words.end(), value) == words.end())
        fail(where, "'" + column + "' = '" + value + "' (expected one of " + joined(words) + ")");
}

std::optional<double> parseNumber(const std::string& column, const std::string& value,
                                  const std::string& where) {
    if (value.empty()) return std::nullopt;
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != value.size() || !std::isfinite(v))
        fail(where, "'" + column + "' = '" + value + "' is not a number");
    return v;
}

std::string number(const std::optional<double>& v) {
    if (!v) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", *v);
    return buf;
}

bool digits(const std::string& s, size_t at, size_t n) {
    if (s.size() < at + n) return false;
    for (size_t k = at; k < at + n; ++k)
        if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
    return true;
}

}  // namespace

int statusRank(const std::string& status) {
    const auto& v = hazardStatuses();
    const auto it = std::find(v.begin(), v.end(), status);
    return it == v.end() ? -1 : int(it - v.begin());
}

bool statusOpen(const std::string& status) {
    const int r = statusRank(status);
    return r >= 0 && r < statusRank("accepted");
}

const std::vector<std::string>& hazardColumns() {
    static const std::vector<std::string> v{
        "id",          "title",            "domain",
        "level",       "major_criterion",  "location_object",
        "location_level", "x",             "y",
        "found_at",    "found_by",         "cause",
        "harm",        "measures",         "responsible_unit",
        "responsible_person", "funds",     "deadline",
        "interim_measures", "emergency_plan", "supervision",
        "status",      "acceptance_evidence", "effect"};
    return v;
}

std::string getField(const Hazard& h, const std::string& c) {
    if (c == "id") return h.id;
    if (c == "title") return h.title;
    if (c == "domain") return h.domain;
    if (c == "level") return h.level;
    if (c == "major_criterion") return h.major_criterion;
    if (c == "location_object") return h.location_object;
    if (c == "location_level") return h.location_level;
    if (c == "x") return number(h.x);
    if (c == "y") return number(h.y);
    if (c == "found_at") return h.found_at;
    if (c == "found_by") return h.found_by;
    if (c == "cause") return h.cause;
    if (c == "harm") return h.harm;
    if (c == "measures") return h.measures;
    if (c == "responsible_unit") return h.responsible_unit;
    if (c == "responsible_person") return h.responsible_person;
    if (c == "funds") return number(h.funds);
    if (c == "deadline") return h.deadline;
    if (c == "interim_measures") return h.interim_measures;
    if (c == "emergency_plan") return h.emergency_plan;
    if (c == "supervision") return h.supervision;
    if (c == "status") return h.status;
    if (c == "acceptance_evidence") return h.acceptance_evidence;
    if (c == "effect") return h.effect;
    throw InputError("unknown hazard field '" + c + "' (fields: " + joined(hazardColumns()) + ")");
}

void setField(Hazard& h, const std::string& c, const std::string& v, const std::string& where) {
    if (c == "id") {
        for (char ch : v)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
                fail(where, "'id' = '" + v + "': use letters, digits, '-', '_' and '.' only");
        h.id = v;
    } else if (c == "title") h.title = v;
    else if (c == "domain") { checkWord(c, v, hazardDomains(), where); h.domain = v; }
    else if (c == "level") { checkWord(c, v, hazardLevels(), where); h.level = v; }
    else if (c == "major_criterion") h.major_criterion = v;
    else if (c == "location_object") h.location_object = v;
    else if (c == "location_level") h.location_level = v;
    else if (c == "x") h.x = parseNumber(c, v, where);
    else if (c == "y") h.y = parseNumber(c, v, where);
    else if (c == "found_at") {
        if (!v.empty() && !isIsoTime(v))
            fail(where, "'found_at' = '" + v + "' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
        h.found_at = v;
    } else if (c == "found_by") { checkWord(c, v, hazardFinders(), where); h.found_by = v; }
    else if (c == "cause") h.cause = v;
    else if (c == "harm") h.harm = v;
    else if (c == "measures") h.measures = v;
    else if (c == "responsible_unit") h.responsible_unit = v;
    else if (c == "responsible_person") h.responsible_person = v;
    else if (c == "funds") {
        h.funds = parseNumber(c, v, where);
        if (h.funds && *h.funds < 0) fail(where, "'funds' = " + v + " CNY must not be negative");
    } else if (c == "deadline") {
        if (!v.empty() && !(isIsoTime(v) && v.size() == 10))
            fail(where, "'deadline' = '" + v + "' (expected a date YYYY-MM-DD)");
        h.deadline = v;
    } else if (c == "interim_measures") h.interim_measures = v;
    else if (c == "emergency_plan") h.emergency_plan = v;
    else if (c == "supervision") h.supervision = v;
    else if (c == "status") { checkWord(c, v, hazardStatuses(), where); h.status = v; }
    else if (c == "acceptance_evidence") h.acceptance_evidence = v;
    else if (c == "effect") {
        parseHazardEffects(v, where.empty() ? "hazard " + h.id : where);  // syntax and ranges
        h.effect = v;
    }
    else
        fail(where, "unknown hazard field '" + c + "' (fields: " + joined(hazardColumns()) + ")");
}

void checkHazard(const Hazard& h, const std::string& where) {
    const std::string who = where.empty() ? "hazard " + h.id : where;
    if (h.title.empty()) fail(who, "'title' is missing");
    checkWord("domain", h.domain, hazardDomains(), who);
    checkWord("level", h.level, hazardLevels(), who);
    checkWord("found_by", h.found_by, hazardFinders(), who);
    checkWord("status", h.status, hazardStatuses(), who);
    if (h.found_at.empty()) fail(who, "'found_at' is missing (when it was found, YYYY-MM-DD)");
    if (h.level == "major" && h.major_criterion.empty())
        fail(who, "a major hazard needs 'major_criterion' (the clause that makes it major)");
    if (h.x.has_value() != h.y.has_value()) fail(who, "give both 'x' and 'y', or neither");
    if (h.x && h.location_level.empty()) fail(who, "a point location needs 'location_level'");
    // The plan comes before rectification: measures, responsible person and deadline; a major
    // hazard also needs funds, interim safety measures and an emergency plan (五到位).
    if (statusRank(h.status) >= statusRank("planned")) {
        std::vector<std::string> missing;
        if (h.measures.empty()) missing.push_back("measures");
        if (h.responsible_person.empty()) missing.push_back("responsible_person");
        if (h.deadline.empty()) missing.push_back("deadline");
        if (h.level == "major") {
            if (!h.funds) missing.push_back("funds");
            if (h.interim_measures.empty()) missing.push_back("interim_measures");
            if (h.emergency_plan.empty()) missing.push_back("emergency_plan");
        }
        if (!missing.empty())
            fail(who, "status '" + h.status + "' needs the rectification plan; missing: " +
                          joined(missing));
    }
    if (statusRank(h.status) >= statusRank("accepted") && h.acceptance_evidence.empty())
        fail(who, "status '" + h.status + "' needs 'acceptance_evidence'");
}

bool isIsoTime(const std::string& s) {
    if (!(digits(s, 0, 4) && s.size() >= 10 && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' &&
          digits(s, 8, 2)))
        return false;
    const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)),
              d = std::stoi(s.substr(8, 2));
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap)) return false;
    if (s.size() == 10) return true;
    // THH:MM[:SS]Z
    if (s[10] != 'T' || !digits(s, 11, 2) || s.size() < 17 || s[13] != ':' || !digits(s, 14, 2))
        return false;
    if (std::stoi(s.substr(11, 2)) > 23 || std::stoi(s.substr(14, 2)) > 59) return false;
    if (s.size() == 17) return s[16] == 'Z';
    return s.size() == 20 && s[16] == ':' && digits(s, 17, 2) && std::stoi(s.substr(17, 2)) <= 60 &&
           s[19] == 'Z';
}

std::string utcNow() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool isOverdue(const Hazard& h, const std::string& now) {
    // ISO dates compare as text; the deadline is the end of its day.
    return statusOpen(h.status) && !h.deadline.empty() && now.substr(0, 10) > h.deadline;
}

}  // namespace safetwin
