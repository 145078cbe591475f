// Sparkplug B (Eclipse Sparkplug 3.0.0) topics and payloads as plain structs, so that nothing
// outside Sparkplug.cpp sees the generated protobuf classes.
//
// Topic namespace (spec 4.1): spBv1.0/<group_id>/<message_type>/<edge_node_id>[/<device_id>],
// message types NBIRTH NDEATH NDATA NCMD DBIRTH DDEATH DDATA DCMD, and spBv1.0/STATE/<host_id>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace safetwin::live {

enum class SpType : uint8_t { NBIRTH, NDEATH, NDATA, NCMD, DBIRTH, DDEATH, DDATA, DCMD, STATE };

struct SpTopic {
    SpType type = SpType::NDATA;
    std::string group, node, device;  // device "" for node messages; node = host id for STATE
};

/// Parses a topic starting with "spBv1.0/"; nullopt if it is not a valid Sparkplug B topic.
std::optional<SpTopic> parseSparkplugTopic(const std::string& topic);
std::string sparkplugTopic(const SpTopic& t);

/// Sparkplug B datatypes used here (spec 6.4.16); other types decode as non-numeric.
namespace sp_datatype {
constexpr uint32_t Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, UInt8 = 5, UInt16 = 6, UInt32 = 7,
                   UInt64 = 8, Float = 9, Double = 10, Boolean = 11, String = 12;
}

struct SpMetric {
    std::string name;  // "" when only the alias is sent
    std::optional<uint64_t> alias;
    std::optional<uint64_t> timestamp_ms;
    uint32_t datatype = sp_datatype::Double;
    bool is_null = false;
    bool is_historical = false;
    bool numeric = true;  // value holds a number (int, float, double, boolean)
    double value = 0;
    std::string text;                // string values
    std::optional<int64_t> quality;  // property "Quality": 0 bad, 192 good, 500 stale
    std::string unit;                // property "engUnit" (or "Units"), "" if absent
};

struct SpPayload {
    std::optional<uint64_t> timestamp_ms;
    std::optional<uint64_t> seq;
    std::vector<SpMetric> metrics;
};

/// Serialises a payload to protobuf bytes.
std::string encodeSparkplug(const SpPayload& p);
/// Parses protobuf bytes; nullopt if they are not a valid payload.
std::optional<SpPayload> decodeSparkplug(const std::string& bytes);

}  // namespace safetwin::live
