// Reading YAML input with messages a planner can act on: every error is an InputError naming
// file:line:column, the key, the value as written, its unit and the allowed range.
//
// [SECTION] Range       an allowed interval with its unit, printed as "[0.005, 0.1] s"
// [SECTION] YamlReader  loading files and text; typed values of single nodes
// [SECTION] YamlMap     one map of the input: rejects unknown keys, typed lookups by key
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scenes/Geometry.hpp"
#include "scenes/InputError.hpp"

namespace safetwin {

// [SECTION] Range ------------------------------------------------------------------------------

/// An allowed interval for a number. Open ends are excluded, as in "(0, 5] m".
struct Range {
    double lo = -1e300;
    double hi = 1e300;
    bool lo_open = false;
    bool hi_open = false;
    std::string unit;  // "" for a pure number

    static Range closed(double lo, double hi, std::string unit = "") {
        return {lo, hi, false, false, std::move(unit)};
    }
    /// (lo, hi]: the usual form for a positive physical quantity with an upper limit.
    static Range aboveTo(double lo, double hi, std::string unit = "") {
        return {lo, hi, true, false, std::move(unit)};
    }
    bool contains(double v) const;
    std::string str() const;  // "[0.005, 0.1] s", "(0, 5] m"
};

/// Formats a number for messages: up to 12 significant digits, no trailing zeros.
std::string formatNumber(double v);

/// Edit distance (insertions, deletions, substitutions, adjacent swaps) for "did you mean".
int editDistance(const std::string& a, const std::string& b);
/// The candidate closest to `word` if it is a likely typo of it, else "".
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

// [SECTION] YamlReader -------------------------------------------------------------------------

/// Knows the file a tree came from, and turns node marks (0-based) into SourceRefs (1-based).
class YamlReader {
  public:
    explicit YamlReader(std::string file) : file_(std::move(file)) {}
    const std::string& file() const { return file_; }

    /// Reads and parses a whole file. A missing or unreadable file, or malformed YAML, is an
    /// InputError naming the file (and line:column for syntax errors).
    static YAML::Node loadFile(const std::string& path);
    /// Parses text; `file` is the name used in messages.
    static YAML::Node loadText(const std::string& text, const std::string& file);

    SourceRef where(const YAML::Node& node) const;
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const;

    // Typed values of one node. `label` names the value in messages (usually its key).
    double asNumber(const YAML::Node& node, const std::string& label, const Range& range) const;
    int64_t asInteger(const YAML::Node& node, const std::string& label, int64_t lo,
                      int64_t hi) const;
    uint64_t asUnsigned(const YAML::Node& node, const std::string& label) const;
    std::string asString(const YAML::Node& node, const std::string& label) const;
    bool asBool(const YAML::Node& node, const std::string& label) const;
    /// `[x, y]` in metres; each coordinate within +-1e6 m.
    Vec2 asPoint(const YAML::Node& node, const std::string& label) const;
    /// `[x, y, z]` in metres; each coordinate within +-1e6 m.
    std::array<double, 3> asPoint3(const YAML::Node& node, const std::string& label) const;
    /// `[[x, y], ...]` with at least `minCount` points.
    std::vector<Vec2> asPoints(const YAML::Node& node, const std::string& label,
                               size_t minCount) const;
    /// `{min: [x, y], max: [x, y]}` as a counter-clockwise polygon; max must exceed min.
    Polygon asRect(const YAML::Node& node, const std::string& label) const;
    /// A sequence (possibly empty); "expected a list" otherwise.
    void expectList(const YAML::Node& node, const std::string& label) const;

  private:
    std::string file_;
};

// [SECTION] YamlMap ----------------------------------------------------------------------------

/// One YAML map of the input, checked on construction: it must be a map, every key must be in
/// `known` (a near miss gets a "did you mean"), and no key may appear twice. Lookups then
/// name the key in their messages, prefixed by `labelPrefix` (e.g. "speed." gives
/// "'speed.mean' = ...").
class YamlMap {
  public:
    YamlMap(const YamlReader& reader, const YAML::Node& node, std::string what,
            std::initializer_list<const char*> known, std::string labelPrefix = "");

    const YamlReader& reader() const { return *reader_; }
    const YAML::Node& node() const { return node_; }
    SourceRef where() const { return reader_->where(node_); }
    std::string label(const std::string& key) const { return prefix_ + key; }

    bool has(const std::string& key) const;
    /// The value of `key` if present; an empty value ("key:" alone) is an error at the key.
    std::optional<YAML::Node> find(const std::string& key) const;
    /// The value of a key that must be present ("missing key 'id' in door" otherwise).
    YAML::Node require(const std::string& key) const;
    /// Fails at the key's value (or at the map when the key is absent).
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

    double number(const std::string& key, const Range& range) const;
    double number(const std::string& key, const Range& range, double fallback) const;
    std::optional<double> optionalNumber(const std::string& key, const Range& range) const;
    int64_t integer(const std::string& key, int64_t lo, int64_t hi) const;
    std::optional<int64_t> optionalInteger(const std::string& key, int64_t lo, int64_t hi) const;
    uint64_t unsignedInteger(const std::string& key, uint64_t fallback) const;
    std::string string(const std::string& key) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    bool boolean(const std::string& key, bool fallback) const;
    Vec2 point(const std::string& key) const;
    std::vector<Vec2> points(const std::string& key, size_t minCount) const;
    Polygon rect(const std::string& key) const;
    /// A list under `key`; an absent key gives an empty list.
    std::vector<YAML::Node> list(const std::string& key) const;

  private:
    /// {key node, value node} of `key`, if present (the value may be null).
    std::optional<std::pair<YAML::Node, YAML::Node>> entry(const std::string& key) const;

    const YamlReader* reader_;
    YAML::Node node_;
    std::string what_;
    std::string prefix_;
};

}  // namespace safetwin
