#include "scenes/YamlReader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace safetwin {

// Range and messages ---------------------------------------------------------------------------

bool Range::contains(double v) const {
    const bool aboveLo = lo_open ? v > lo : v >= lo;
    const bool belowHi = hi_open ? v < hi : v <= hi;
    return aboveLo && belowHi;
}

std::string Range::str() const {
    std::string s = std::string(lo_open ? "(" : "[") + formatNumber(lo) + ", " + formatNumber(hi) +
                    (hi_open ? ")" : "]");
    if (!unit.empty()) s += " " + unit;
    return s;
}

std::string formatNumber(double v) {
    std::ostringstream os;
    os << std::setprecision(12) << v;
    return os.str();
}

int editDistance(const std::string& a, const std::string& b) {
    // Optimal string alignment distance; inputs are short keys, so the full table is fine.
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
    for (size_t i = 0; i <= n; ++i) d[i][0] = int(i);
    for (size_t j = 0; j <= m; ++j) d[0][j] = int(j);
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
    // A typo: at most 2 edits, and fewer than a third of the word (so "id" never suggests "at").
    const int limit = std::min(2, std::max(1, int(word.size()) / 3));
    std::string best;
    int bestDistance = limit + 1;
    for (const std::string& c : candidates) {
        const int dist = editDistance(word, c);
        if (dist < bestDistance) {
            bestDistance = dist;
            best = c;
        }
    }
    return best;
}

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string s;
    for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
    return s;
}

std::string withUnit(const std::string& value, const std::string& unit) {
    return unit.empty() ? value : value + " " + unit;
}

/// Parses a whole scalar as a decimal number; locale-independent, no trailing characters.
bool parseDouble(const std::string& text, double& out) {
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (first != last && *first == '+') ++first;
    if (first == last) return false;
    const auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc() && ptr == last && std::isfinite(out);
}

}  // namespace

// YamlReader -----------------------------------------------------------------------------------

YAML::Node YamlReader::loadText(const std::string& text, const std::string& file) {
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        SourceRef where{file, 0, 0};
        if (e.mark.line >= 0) where = {file, e.mark.line + 1, e.mark.column + 1};
        throw InputError(where, "malformed YAML: " + e.msg);
    }
}

YAML::Node YamlReader::loadFile(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InputError(SourceRef{path, 0, 0}, "file not found");
    if (fs::is_directory(path, ec))
        throw InputError(SourceRef{path, 0, 0}, "is a folder (expected a YAML file)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(SourceRef{path, 0, 0}, "cannot open the file for reading");
    std::ostringstream text;
    text << in.rdbuf();
    return loadText(text.str(), path);
}

SourceRef YamlReader::where(const YAML::Node& node) const {
    if (!node.IsDefined()) return {file_, 0, 0};
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
}

void YamlReader::fail(const YAML::Node& node, const std::string& message) const {
    throw InputError(where(node), message);
}

double YamlReader::asNumber(const YAML::Node& node, const std::string& label,
                            const Range& range) const {
    double v = 0.0;
    if (!node.IsScalar() || !parseDouble(node.Scalar(), v)) {
        const std::string got = node.IsScalar() ? " '" + node.Scalar() + "'" : "";
        fail(node, "'" + label + "'" + (got.empty() ? "" : " =" + got) + ": expected a number in " +
                       range.str());
    }
    if (!range.contains(v))
        fail(node, "'" + label + "' = " + withUnit(node.Scalar(), range.unit) +
                       " is out of range " + range.str());
    return v;
}

int64_t YamlReader::asInteger(const YAML::Node& node, const std::string& label, int64_t lo,
                              int64_t hi) const {
    const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    int64_t v = 0;
    bool ok = false;
    if (node.IsScalar()) {
        const std::string& s = node.Scalar();
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        ok = ec == std::errc() && ptr == s.data() + s.size();
        double d = 0.0;  // also accept 1e6 or 300.0: whole numbers written as reals
        if (!ok && parseDouble(s, d) && d == std::floor(d) && std::abs(d) < 9e15) {
            v = int64_t(d);
            ok = true;
        }
    }
    if (!ok)
        fail(node, "'" + label + "'" + (node.IsScalar() ? " = '" + node.Scalar() + "'" : "") +
                       ": expected a whole number in " + range);
    if (v < lo || v > hi)
        fail(node, "'" + label + "' = " + node.Scalar() + " is out of range " + range);
    return v;
}

uint64_t YamlReader::asUnsigned(const YAML::Node& node, const std::string& label) const {
    uint64_t v = 0;
    bool ok = false;
    if (node.IsScalar()) {
        const std::string& s = node.Scalar();
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        ok = ec == std::errc() && ptr == s.data() + s.size();
    }
    if (!ok)
        fail(node, "'" + label + "'" + (node.IsScalar() ? " = '" + node.Scalar() + "'" : "") +
                       ": expected a whole number in [0, 18446744073709551615]");
    return v;
}

std::string YamlReader::asString(const YAML::Node& node, const std::string& label) const {
    if (!node.IsScalar() || node.Scalar().empty())
        fail(node,
             "'" + label + "': expected a text value" + (node.IsNull() ? " (it is empty)" : ""));
    return node.Scalar();
}

bool YamlReader::asBool(const YAML::Node& node, const std::string& label) const {
    if (node.IsScalar()) {
        std::string s = node.Scalar();
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (s == "true" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "no" || s == "off") return false;
    }
    fail(node, "'" + label + "'" + (node.IsScalar() ? " = '" + node.Scalar() + "'" : "") +
                   ": expected true or false");
}

namespace {

/// `n` coordinates in metres, each within +-1e6 m, or a file:line error naming `shape`.
void readCoordinates(const YamlReader& r, const YAML::Node& node, const std::string& label,
                     const char* shape, size_t n, double* out) {
    const std::string expected = "'" + label + "': expected a point " + shape + " (" +
                                 std::to_string(n) + " numbers in metres)";
    if (!node.IsSequence() || node.size() != n) r.fail(node, expected);
    for (size_t i = 0; i < n; ++i) {
        const YAML::Node c = node[i];
        if (!c.IsScalar() || !parseDouble(c.Scalar(), out[i])) r.fail(c, expected);
        if (std::abs(out[i]) > 1e6)
            r.fail(c, "'" + label + "': coordinate " + c.Scalar() +
                          " m is out of range [-1000000, 1000000] m");
    }
}

}  // namespace

Vec2 YamlReader::asPoint(const YAML::Node& node, const std::string& label) const {
    double v[2];
    readCoordinates(*this, node, label, "[x, y]", 2, v);
    return {v[0], v[1]};
}

std::array<double, 3> YamlReader::asPoint3(const YAML::Node& node, const std::string& label) const {
    std::array<double, 3> v{};
    readCoordinates(*this, node, label, "[x, y, z]", 3, v.data());
    return v;
}

std::vector<Vec2> YamlReader::asPoints(const YAML::Node& node, const std::string& label,
                                       size_t minCount) const {
    const std::string expected = "expected a list of [x, y] points";
    if (!node.IsSequence())
        fail(node, "'" + label + "': " + expected + " (at least " + std::to_string(minCount) + ")");
    std::vector<Vec2> points;
    for (const YAML::Node& p : node) {
        if (!p.IsSequence() || p.size() != 2)
            fail(p, "'" + label + "': " + expected + "; this item is not a point [x, y]");
        points.push_back(asPoint(p, label));
    }
    if (points.size() < minCount)
        fail(node, "'" + label + "' has " + std::to_string(points.size()) +
                       " points (expected at least " + std::to_string(minCount) + ")");
    return points;
}

Polygon YamlReader::asRect(const YAML::Node& node, const std::string& label) const {
    const YamlMap m(*this, node, "'" + label + "'", {"min", "max"}, label + ".");
    const Vec2 lo = m.point("min"), hi = m.point("max");
    if (!(hi.x > lo.x && hi.y > lo.y))
        fail(node, "'" + label + "': max (" + formatNumber(hi.x) + ", " + formatNumber(hi.y) +
                       ") must be above and to the right of min (" + formatNumber(lo.x) + ", " +
                       formatNumber(lo.y) + ")");
    return rectangle(lo, hi);
}

void YamlReader::expectList(const YAML::Node& node, const std::string& label) const {
    if (!node.IsSequence() && !node.IsNull())
        fail(node, "'" + label + "': expected a list (items starting with '- ')");
}

// YamlMap --------------------------------------------------------------------------------------

YamlMap::YamlMap(const YamlReader& reader, const YAML::Node& node, std::string what,
                 std::initializer_list<const char*> known, std::string labelPrefix)
    : reader_(&reader), node_(node), what_(std::move(what)), prefix_(std::move(labelPrefix)) {
    if (!node_.IsMap())
        reader.fail(node_, what_ + ": expected a map of 'key: value' entries" +
                               (node_.IsScalar() ? " but found '" + node_.Scalar() + "'" : ""));
    std::vector<std::string> keys(known.begin(), known.end());
    std::vector<std::string> seen;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        const YAML::Node key = it->first;
        const std::string name = key.IsScalar() ? key.Scalar() : std::string("<not a name>");
        if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
            const std::string guess = closestMatch(name, keys);
            reader.fail(key, "unknown key '" + name + "' in " + what_ +
                                 (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                                 " (expected one of: " + joined(keys) + ")");
        }
        if (std::find(seen.begin(), seen.end(), name) != seen.end())
            reader.fail(key, "key '" + name + "' appears twice in " + what_);
        seen.push_back(name);
    }
}

std::optional<std::pair<YAML::Node, YAML::Node>> YamlMap::entry(const std::string& key) const {
    for (auto it = node_.begin(); it != node_.end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key)
            return std::pair<YAML::Node, YAML::Node>(it->first, it->second);
    return std::nullopt;
}

std::optional<YAML::Node> YamlMap::find(const std::string& key) const {
    const auto e = entry(key);
    if (!e) return std::nullopt;
    // An empty value's mark lies on the next line; point at the key instead.
    if (e->second.IsNull()) reader_->fail(e->first, "'" + label(key) + "' has no value");
    return e->second;
}

bool YamlMap::has(const std::string& key) const {
    return entry(key).has_value();
}

YAML::Node YamlMap::require(const std::string& key) const {
    if (auto v = find(key)) return *v;
    reader_->fail(node_, "missing key '" + key + "' in " + what_);
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
    const auto e = entry(key);
    reader_->fail(!e ? node_ : e->second.IsNull() ? e->first : e->second, message);
}

double YamlMap::number(const std::string& key, const Range& range) const {
    return reader_->asNumber(require(key), label(key), range);
}

double YamlMap::number(const std::string& key, const Range& range, double fallback) const {
    return optionalNumber(key, range).value_or(fallback);
}

std::optional<double> YamlMap::optionalNumber(const std::string& key, const Range& range) const {
    if (auto v = find(key)) return reader_->asNumber(*v, label(key), range);
    return std::nullopt;
}

int64_t YamlMap::integer(const std::string& key, int64_t lo, int64_t hi) const {
    return reader_->asInteger(require(key), label(key), lo, hi);
}

std::optional<int64_t> YamlMap::optionalInteger(const std::string& key, int64_t lo,
                                                int64_t hi) const {
    if (auto v = find(key)) return reader_->asInteger(*v, label(key), lo, hi);
    return std::nullopt;
}

uint64_t YamlMap::unsignedInteger(const std::string& key, uint64_t fallback) const {
    if (auto v = find(key)) return reader_->asUnsigned(*v, label(key));
    return fallback;
}

std::string YamlMap::string(const std::string& key) const {
    return reader_->asString(require(key), label(key));
}

std::string YamlMap::string(const std::string& key, const std::string& fallback) const {
    if (auto v = find(key)) return reader_->asString(*v, label(key));
    return fallback;
}

bool YamlMap::boolean(const std::string& key, bool fallback) const {
    if (auto v = find(key)) return reader_->asBool(*v, label(key));
    return fallback;
}

Vec2 YamlMap::point(const std::string& key) const {
    return reader_->asPoint(require(key), label(key));
}

std::vector<Vec2> YamlMap::points(const std::string& key, size_t minCount) const {
    return reader_->asPoints(require(key), label(key), minCount);
}

Polygon YamlMap::rect(const std::string& key) const {
    return reader_->asRect(require(key), label(key));
}

std::vector<YAML::Node> YamlMap::list(const std::string& key) const {
    std::vector<YAML::Node> items;
    if (auto e = entry(key)) {  // an empty value is an empty list
        reader_->expectList(e->second, label(key));
        for (const YAML::Node& item : e->second) items.push_back(item);
    }
    return items;
}

}  // namespace safetwin
