#include "sim/batch/Manifest.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenes/YamlReader.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

/// Letters, digits and . _ = - kept; anything else becomes '-'.
std::string safeName(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '=' || c == '-';
        out += ok ? c : '-';
    }
    return out.substr(0, 100);
}

struct Param {
    std::string path;
    std::vector<ParameterValue> values;
};

}  // namespace

std::string fnv1aHex(const std::string& data) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : data) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

Manifest Manifest::load(const std::string& path) {
    Manifest mf;
    mf.file_ = path;
    const YAML::Node root = YamlReader::loadFile(path);
    const YamlReader r(path);
    if (!root.IsDefined() || root.IsNull())
        throw InputError(SourceRef{path, 1, 1},
                         "the manifest is empty (expected 'scenarios' and 'seeds')");
    const YamlMap m(r, root, "manifest", {"name", "scenarios", "seeds", "parameters"});
    mf.name_ = m.string("name", fs::path(path).stem().string());
    const fs::path dir = fs::path(path).parent_path();

    // Seeds: a count (the scenario's own seed and the next ones), a list, or {first, count}.
    struct Seeds {
        bool relative = true;
        std::vector<uint64_t> list;
    } seeds;
    {
        const YAML::Node s = m.require("seeds");
        if (s.IsScalar()) {
            const int64_t n = m.integer("seeds", 1, 100000);
            for (int64_t k = 0; k < n; ++k) seeds.list.push_back(uint64_t(k));
        } else if (s.IsSequence()) {
            seeds.relative = false;
            for (const YAML::Node& x : s) seeds.list.push_back(r.asUnsigned(x, "seeds"));
            if (seeds.list.empty()) m.fail("seeds", "'seeds' lists no seed");
        } else {
            const YamlMap sm(r, s, "seeds", {"first", "count"}, "seeds.");
            seeds.relative = false;
            const uint64_t first = sm.unsignedInteger("first", 1);
            const int64_t n = sm.integer("count", 1, 100000);
            for (int64_t k = 0; k < n; ++k) seeds.list.push_back(first + uint64_t(k));
        }
    }

    // Parameters: path -> list of values; the runs sweep their cartesian product.
    std::vector<Param> params;
    if (auto p = m.find("parameters")) {
        if (!p->IsMap()) r.fail(*p, "'parameters': expected a map of 'path: [value, ...]'");
        for (const auto& kv : *p) {
            Param param;
            param.path = r.asString(kv.first, "parameters");
            const YAML::Node values = kv.second;
            std::vector<YAML::Node> list;
            if (values.IsSequence())
                for (const YAML::Node& v : values) list.push_back(v);
            else
                list.push_back(values);
            if (list.empty()) r.fail(kv.first, "parameter '" + param.path + "' lists no value");
            for (const YAML::Node& v : list) {
                YAML::Emitter e;
                e << YAML::Flow << v;
                param.values.push_back({param.path, v, e.c_str(), r.where(v)});
            }
            mf.paramPaths_.push_back(param.path);
            params.push_back(std::move(param));
        }
    }
    std::vector<std::vector<ParameterValue>> combos(1);
    for (const Param& p : params) {
        std::vector<std::vector<ParameterValue>> next;
        for (const auto& c : combos)
            for (const ParameterValue& v : p.values) {
                next.push_back(c);
                next.back().push_back(v);
            }
        combos = std::move(next);
    }

    std::string identity = "safetwin batch v1\n";
    const std::vector<YAML::Node> scenarios = m.list("scenarios");
    if (scenarios.empty())
        m.fail("scenarios",
               "the manifest lists no scenario (expected at least one under 'scenarios')");
    for (const YAML::Node& node : scenarios) {
        std::string given;
        std::vector<std::pair<std::string, SourceRef>> variants;
        // (No assignment to a YAML::Node that refers to the tree: yaml-cpp would overwrite it.)
        SourceRef fileWhere = r.where(node);
        if (node.IsMap()) {
            const YamlMap sm(r, node, "scenario entry", {"file", "variants"});
            fileWhere = r.where(sm.require("file"));
            given = sm.string("file");
            if (auto v = sm.find("variants")) {
                if (v->IsScalar())
                    variants.push_back({r.asString(*v, "variants"), r.where(*v)});
                else {
                    r.expectList(*v, "variants");
                    for (const YAML::Node& x : *v)
                        variants.push_back({r.asString(x, "variants"), r.where(x)});
                }
            }
        } else {
            given = r.asString(node, "scenarios");
        }
        fs::path resolved(given);
        if (resolved.is_relative()) resolved = dir / resolved;
        resolved = resolved.lexically_normal();
        std::error_code ec;
        if (!fs::is_regular_file(resolved, ec))
            throw InputError(fileWhere, "scenario file '" + given + "' not found (looked for '" +
                                            resolved.string() +
                                            "'; paths are relative to the manifest's folder)");
        ScenarioFamily family = ScenarioFamily::load(resolved.string());
        for (const Param& p : params) family.checkParameterPath(p.path, p.values.front().where);
        std::vector<size_t> vs;
        if (variants.empty())
            for (size_t k = 0; k < family.variants().size(); ++k) vs.push_back(k);
        for (const auto& [name, where] : variants) vs.push_back(family.variantIndex(name, where));
        identity += "scenario " + given + " " + fnv1aHex(readAll(resolved.string())) + "\n";
        const size_t f = mf.families_.size();
        for (size_t v : vs)
            for (const auto& combo : combos) {
                family.build(v, combo);  // checks the combination once, before anything runs
                for (uint64_t s : seeds.list) {
                    RunSpec spec;
                    spec.index = mf.runs_.size();
                    spec.scenario_file = given;
                    spec.variant = family.variants()[v].name;
                    for (const ParameterValue& p : combo)
                        spec.parameters.push_back({p.path, p.text});
                    spec.seed = seeds.relative ? family.base().seed + s : s;
                    std::string label = fs::path(given).stem().string() + "_" + spec.variant;
                    for (const auto& [k, val] : spec.parameters) label += "_" + k + "=" + val;
                    label += "_s" + std::to_string(spec.seed);
                    char idx[16];
                    std::snprintf(idx, sizeof idx, "%06zu", spec.index);
                    spec.key = std::string(idx) + "_" + safeName(label);
                    identity += spec.key + "\n";
                    mf.runs_.push_back(spec);
                    mf.family_.push_back(f);
                    mf.variant_.push_back(v);
                    mf.parameters_.push_back(combo);
                }
            }
        mf.families_.push_back(std::move(family));
    }
    mf.hash_ = fnv1aHex(identity);
    return mf;
}

Scenario Manifest::build(size_t k) const {
    return families_[family_[k]].build(variant_[k], parameters_[k]);
}

}  // namespace safetwin
