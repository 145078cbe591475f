// Sparkplug B topics and the protobuf payload <-> plain structs.
#include "live/feed/Sparkplug.hpp"

#include "feed/sparkplug_b.pb.h"  // generated in the build folder

namespace safetwin::live {

namespace {

namespace pb = safetwin::sparkplug;

constexpr const char* kTypes[] = {"NBIRTH", "NDEATH", "NDATA", "NCMD",
                                  "DBIRTH", "DDEATH", "DDATA", "DCMD"};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t slash = s.find('/', start);
        out.push_back(s.substr(start, slash == std::string::npos ? slash : slash - start));
        if (slash == std::string::npos) return out;
        start = slash + 1;
    }
}

}  // namespace

std::optional<SpTopic> parseSparkplugTopic(const std::string& topic) {
    const std::vector<std::string> p = split(topic);
    if (p.size() < 3 || p[0] != "spBv1.0") return std::nullopt;
    for (const std::string& level : p)
        if (level.empty()) return std::nullopt;
    SpTopic t;
    if (p[1] == "STATE") {
        if (p.size() != 3) return std::nullopt;
        t.type = SpType::STATE;
        t.node = p[2];
        return t;
    }
    t.group = p[1];
    int type = -1;
    for (int i = 0; i < 8; ++i)
        if (p[2] == kTypes[i]) type = i;
    if (type < 0) return std::nullopt;
    t.type = static_cast<SpType>(type);
    const bool device = type >= 4;
    if (p.size() != (device ? 5u : 4u)) return std::nullopt;
    t.node = p[3];
    if (device) t.device = p[4];
    return t;
}

std::string sparkplugTopic(const SpTopic& t) {
    if (t.type == SpType::STATE) return "spBv1.0/STATE/" + t.node;
    std::string s = "spBv1.0/" + t.group + "/" + kTypes[int(t.type)] + "/" + t.node;
    if (!t.device.empty()) s += "/" + t.device;
    return s;
}

std::string encodeSparkplug(const SpPayload& p) {
    pb::Payload out;
    if (p.timestamp_ms) out.set_timestamp(*p.timestamp_ms);
    if (p.seq) out.set_seq(*p.seq);
    for (const SpMetric& m : p.metrics) {
        pb::Payload::Metric* x = out.add_metrics();
        if (!m.name.empty()) x->set_name(m.name);
        if (m.alias) x->set_alias(*m.alias);
        if (m.timestamp_ms) x->set_timestamp(*m.timestamp_ms);
        x->set_datatype(m.datatype);
        if (m.is_historical) x->set_is_historical(true);
        if (m.is_null) {
            x->set_is_null(true);
        } else {
            switch (m.datatype) {
                case sp_datatype::Int8:
                case sp_datatype::Int16:
                case sp_datatype::Int32:
                case sp_datatype::UInt8:
                case sp_datatype::UInt16:
                case sp_datatype::UInt32:
                    // Signed values are stored as their two's complement bits (spec 6.4.6).
                    x->set_int_value(static_cast<uint32_t>(static_cast<int64_t>(m.value)));
                    break;
                case sp_datatype::Int64:
                case sp_datatype::UInt64:
                    x->set_long_value(static_cast<uint64_t>(static_cast<int64_t>(m.value)));
                    break;
                case sp_datatype::Float:
                    x->set_float_value(static_cast<float>(m.value));
                    break;
                case sp_datatype::Boolean:
                    x->set_boolean_value(m.value != 0);
                    break;
                case sp_datatype::String:
                    x->set_string_value(m.text);
                    break;
                default:
                    x->set_double_value(m.value);
                    break;
            }
        }
        if (m.quality || !m.unit.empty()) {
            pb::Payload::PropertySet* props = x->mutable_properties();
            if (m.quality) {
                props->add_keys("Quality");
                pb::Payload::PropertyValue* v = props->add_values();
                v->set_type(sp_datatype::Int32);
                v->set_int_value(static_cast<uint32_t>(*m.quality));
            }
            if (!m.unit.empty()) {
                props->add_keys("engUnit");
                pb::Payload::PropertyValue* v = props->add_values();
                v->set_type(sp_datatype::String);
                v->set_string_value(m.unit);
            }
        }
    }
    return out.SerializeAsString();
}

std::optional<SpPayload> decodeSparkplug(const std::string& bytes) {
    pb::Payload in;
    if (!in.ParseFromString(bytes)) return std::nullopt;
    SpPayload p;
    if (in.has_timestamp()) p.timestamp_ms = in.timestamp();
    if (in.has_seq()) p.seq = in.seq();
    p.metrics.reserve(size_t(in.metrics_size()));
    for (const pb::Payload::Metric& x : in.metrics()) {
        SpMetric m;
        m.name = x.name();
        if (x.has_alias()) m.alias = x.alias();
        if (x.has_timestamp()) m.timestamp_ms = x.timestamp();
        m.datatype = x.datatype();
        m.is_null = x.is_null();
        m.is_historical = x.is_historical();
        switch (x.value_case()) {
            case pb::Payload::Metric::kIntValue: {
                const uint32_t bits = x.int_value();
                const bool isSigned = m.datatype == sp_datatype::Int8 ||
                                      m.datatype == sp_datatype::Int16 ||
                                      m.datatype == sp_datatype::Int32;
                m.value = isSigned ? double(static_cast<int32_t>(bits)) : double(bits);
                break;
            }
            case pb::Payload::Metric::kLongValue:
                m.value = m.datatype == sp_datatype::Int64
                              ? double(static_cast<int64_t>(x.long_value()))
                              : double(x.long_value());
                break;
            case pb::Payload::Metric::kFloatValue:
                m.value = x.float_value();
                break;
            case pb::Payload::Metric::kDoubleValue:
                m.value = x.double_value();
                break;
            case pb::Payload::Metric::kBooleanValue:
                m.value = x.boolean_value() ? 1 : 0;
                break;
            case pb::Payload::Metric::kStringValue:
                m.numeric = false;
                m.text = x.string_value();
                break;
            case pb::Payload::Metric::VALUE_NOT_SET:
                m.numeric = false;
                if (!m.is_null) m.is_null = true;
                break;
            default:
                m.numeric = false;
                break;
        }
        if (x.has_properties()) {
            const pb::Payload::PropertySet& props = x.properties();
            for (int i = 0; i < props.keys_size() && i < props.values_size(); ++i) {
                const pb::Payload::PropertyValue& v = props.values(i);
                if (props.keys(i) == "Quality") {
                    if (v.has_int_value())
                        m.quality = static_cast<int32_t>(v.int_value());
                    else if (v.has_long_value())
                        m.quality = static_cast<int64_t>(v.long_value());
                } else if ((props.keys(i) == "engUnit" || props.keys(i) == "Units") &&
                           v.has_string_value()) {
                    m.unit = v.string_value();
                }
            }
        }
        p.metrics.push_back(std::move(m));
    }
    return p;
}

}  // namespace safetwin::live
