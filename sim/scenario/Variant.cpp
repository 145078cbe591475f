#include "sim/scenario/Variant.hpp"

#include <filesystem>
#include <set>

#include "scenes/YamlReader.hpp"
#include "sim/scenario/ScenarioYaml.hpp"

namespace safetwin {

namespace {

namespace fs = std::filesystem;

// The trees built here share their leaves with the file's tree (so messages keep the file's
// line numbers) and copy only the maps and lists along an edited path. Nothing is modified in
// place: the file's tree is read by every build.

std::string scalarOf(const YAML::Node& n) {
    return n.IsDefined() && n.IsScalar() ? n.Scalar() : std::string();
}

/// Index of the item of a list whose `name` (or `id`) is `key`, or -1.
int itemIndex(const YAML::Node& list, const std::string& key) {
    if (!list.IsSequence()) return -1;
    for (size_t k = 0; k < list.size(); ++k) {
        const YAML::Node item = list[k];
        if (!item.IsMap()) continue;
        if (scalarOf(item["name"]) == key || scalarOf(item["id"]) == key) return int(k);
    }
    return -1;
}

std::vector<std::string> itemNames(const YAML::Node& list) {
    std::vector<std::string> names;
    if (list.IsSequence())
        for (const YAML::Node& item : list)
            if (item.IsMap())
                names.push_back(scalarOf(item["name"]).empty() ? scalarOf(item["id"])
                                                               : scalarOf(item["name"]));
    return names;
}

/// A copy of `node` with the value at `path` replaced by `*value` (removed if `value` is null).
/// `keyNode`, if given, is inserted as the last key (keeps its place in the file).
YAML::Node with(const YAML::Node& node, const std::vector<std::string>& path, size_t at,
                const YAML::Node* value, const YAML::Node* keyNode, const SourceRef& where) {
    if (at == path.size()) return *value;
    const std::string& key = path[at];
    if (node.IsDefined() && node.IsSequence()) {
        const int k = itemIndex(node, key);
        if (k < 0)
            throw InputError(where, "'" + key + "' names no item of the list" +
                                        closeMatches(key, itemNames(node), "items"));
        YAML::Node out(YAML::NodeType::Sequence);
        for (size_t i = 0; i < node.size(); ++i)
            out.push_back(int(i) == k ? with(node[i], path, at + 1, value, keyNode, where)
                                      : node[i]);
        return out;
    }
    YAML::Node out(YAML::NodeType::Map);
    YAML::Node child(YAML::NodeType::Undefined);
    YAML::Node childKey(YAML::NodeType::Undefined);
    bool found = false;
    if (node.IsDefined() && node.IsMap())
        for (const auto& kv : node) {
            if (scalarOf(kv.first) == key) {
                child.reset(kv.second);  // reset: rebinds (operator= would write into the tree)
                childKey.reset(kv.first);
                found = true;
                continue;
            }
            out.force_insert(kv.first, kv.second);
        }
    else if (node.IsDefined() && !node.IsNull())
        throw InputError(where, "'" + key + "' cannot be set inside a value that is not a map");
    const bool last = at + 1 == path.size();
    if (last && !value) return out;
    const YAML::Node newKey = last && keyNode ? *keyNode : found ? childKey : YAML::Node(key);
    const YAML::Node none;
    out.force_insert(newKey, with(found ? child : none, path, at + 1, value, keyNode, where));
    return out;
}

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : path) {
        if (c == '.') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

const std::initializer_list<const char*> kVariantKeys = {"name",
                                                         "description",
                                                         "remove",
                                                         "move",
                                                         "resize",
                                                         "close",
                                                         "open",
                                                         "add",
                                                         "populations",
                                                         "add_populations",
                                                         "remove_populations",
                                                         "events"};

}  // namespace

ScenarioFamily ScenarioFamily::load(const std::string& path) {
    ScenarioFamily f;
    const std::string dir = fs::path(path).parent_path().string();
    f.init(YamlReader::loadFile(path), path, dir.empty() ? "." : dir);
    return f;
}

ScenarioFamily ScenarioFamily::parse(const std::string& text, const std::string& file,
                                     const std::string& baseDir) {
    ScenarioFamily f;
    f.init(YamlReader::loadText(text, file), file, baseDir);
    return f;
}

void ScenarioFamily::init(const YAML::Node& root, const std::string& file,
                          const std::string& baseDir) {
    root_ = root;
    file_ = file;
    baseDir_ = baseDir;
    base_ = parseScenario(root, file, baseDir);
    VariantInfo base;
    base.name = "base";
    base.description = "the scenario as written, without edits";
    base.where = SourceRef{file, 1, 1};
    variants_.push_back(base);
    if (!root.IsMap() || !root["variants"]) return;
    const YamlReader r(file);
    const YAML::Node list = root["variants"];
    if (list.IsNull()) return;
    r.expectList(list, "variants");
    for (const YAML::Node& node : list) {
        const YamlMap m(r, node, "variant", kVariantKeys, "");
        VariantInfo v;
        v.name = m.string("name");
        v.where = r.where(m.require("name"));
        v.description = m.string("description", "");
        for (const VariantInfo& other : variants_)
            if (other.name == v.name)
                m.fail("name", "variant name '" + v.name + "' is used twice" +
                                   (v.name == "base" ? " ('base' is the scenario without edits)"
                                                     : " (first at " + other.where.str() + ")"));
        v.scene_edits = readSceneEdits(m);
        v.node.reset(node);
        variants_.push_back(std::move(v));
        build(variants_.size() - 1);  // checks the variant now, with its place in the file
    }
}

std::vector<std::string> ScenarioFamily::variantNames() const {
    std::vector<std::string> names;
    for (const VariantInfo& v : variants_) names.push_back(v.name);
    return names;
}

size_t ScenarioFamily::variantIndex(const std::string& name, const SourceRef& where) const {
    for (size_t k = 0; k < variants_.size(); ++k)
        if (variants_[k].name == name) return k;
    throw InputError(where, "scenario '" + file_ + "' has no variant '" + name + "'" +
                                closeMatches(name, variantNames(), "variants"));
}

void ScenarioFamily::checkParameterPath(const std::string& path, const SourceRef& where) const {
    const std::vector<std::string> parts = splitPath(path);
    YAML::Node node = root_;
    for (size_t k = 0; k + 1 < parts.size(); ++k) {
        if (node.IsSequence()) {
            const int i = itemIndex(node, parts[k]);
            if (i < 0)
                throw InputError(where, "parameter '" + path + "': '" + parts[k] +
                                            "' names no item of '" + (k ? parts[k - 1] : path) +
                                            "'" + closeMatches(parts[k], itemNames(node), "items"));
            node.reset(node[size_t(i)]);
        } else if (node.IsMap()) {
            const YAML::Node child = node[parts[k]];
            if (!child) return;  // a map that is not written yet ("grid.cell" without grid)
            node.reset(child);
        }
    }
}

Scenario ScenarioFamily::build(size_t index, const std::vector<ParameterValue>& parameters) const {
    const VariantInfo& v = variants_.at(index);
    Scene scene = base_.scene;
    YAML::Node tree = with(root_, {"variants"}, 0, nullptr, nullptr, v.where);
    std::vector<std::pair<std::string, SourceRef>> modified;  // population name, edit place
    if (index > 0) {
        applySceneEdits(scene, v.scene_edits);
        const YamlReader r(file_);
        const YamlMap m(r, v.node, "variant", kVariantKeys, "");
        auto popNames = [&] { return itemNames(tree["populations"]); };
        auto require = [&](const YAML::Node& nameNode, const std::string& verb) {
            const std::string name = r.asString(nameNode, "name");
            if (itemIndex(tree["populations"], name) < 0)
                throw InputError(r.where(nameNode),
                                 "cannot " + verb + " population '" + name +
                                     "': the scenario has no population of that name" +
                                     closeMatches(name, popNames(), "populations"));
            return name;
        };
        if (m.has("remove_populations")) {
            YAML::Node ids = m.require("remove_populations");
            std::vector<YAML::Node> list;
            if (ids.IsScalar())
                list.push_back(ids);
            else {
                r.expectList(ids, "remove_populations");
                for (const YAML::Node& n : ids) list.push_back(n);
            }
            for (const YAML::Node& n : list) {
                const std::string name = require(n, "remove");
                YAML::Node kept(YAML::NodeType::Sequence);
                for (const YAML::Node& item : tree["populations"])
                    if (scalarOf(item["name"]) != name) kept.push_back(item);
                if (kept.size() == 0)
                    r.fail(n, "removing population '" + name +
                                  "' leaves the variant with nobody in it");
                tree.reset(with(tree, {"populations"}, 0, &kept, nullptr, v.where));
            }
        }
        for (const YAML::Node& edit : m.list("populations")) {
            const YamlMap pm(
                r, edit, "population edit",
                {"name", "count", "where", "profile", "premovement", "exit_choice", "exit"}, "");
            const std::string name = require(pm.require("name"), "change");
            for (const auto& kv : edit) {
                const std::string key = scalarOf(kv.first);
                if (key == "name") continue;
                tree.reset(with(tree, {"populations", name, key}, 0, &kv.second, &kv.first,
                                r.where(edit)));
            }
            // A new exit choice other than 'assigned' drops the base's assigned exit; new
            // start points drop the base's count (it is their number).
            if (pm.has("exit_choice") && !pm.has("exit") && pm.string("exit_choice") != "assigned")
                tree.reset(
                    with(tree, {"populations", name, "exit"}, 0, nullptr, nullptr, r.where(edit)));
            if (pm.has("where") && !pm.has("count") && pm.require("where").IsMap() &&
                pm.require("where")["points"])
                tree.reset(
                    with(tree, {"populations", name, "count"}, 0, nullptr, nullptr, r.where(edit)));
            modified.push_back({name, r.where(edit)});
        }
        if (m.has("add_populations")) {
            YAML::Node pops(YAML::NodeType::Sequence);
            for (const YAML::Node& item : tree["populations"]) pops.push_back(item);
            for (const YAML::Node& n : m.list("add_populations")) pops.push_back(n);
            tree.reset(with(tree, {"populations"}, 0, &pops, nullptr, v.where));
        }
        if (m.has("events")) {
            const YAML::Node events = m.require("events");
            tree.reset(with(tree, {"events"}, 0, &events, nullptr, v.where));
        }
    }
    for (const ParameterValue& p : parameters) {
        try {
            tree.reset(with(tree, splitPath(p.path), 0, &p.value, nullptr, p.where));
        } catch (const InputError& e) {
            throw InputError(p.where, "parameter '" + p.path + "': " + e.what());
        }
    }
    Scenario s;
    try {
        s = parseScenario(tree, file_, baseDir_, &scene);
    } catch (const InputError& e) {
        if (parameters.empty()) throw;
        std::string set;
        for (const ParameterValue& p : parameters)
            set += (set.empty() ? "" : ", ") + p.path + " = " + p.text;
        throw InputError(parameters.front().where,
                         "with parameters " + set + " (variant '" + v.name + "'): " + e.what());
    }
    for (const auto& [name, where] : modified)
        for (Population& pop : s.populations)
            if (pop.name == name && pop.where.line == 0) pop.where = where;
    return s;
}

}  // namespace safetwin
