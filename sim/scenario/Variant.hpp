// A scenario file with its layout variants (the `variants:` section, docs/FORMAT.md). The base
// layout is the variant "base"; every other variant is a list of edits of the base scene
// (scenes/SceneEdit.hpp), of its populations and of its events. Batch parameters override
// values of the scenario by path ("duration", "populations.staff.count").
//
// Everything is checked when the family is loaded: every variant is built once, so a bad edit
// is reported (file:line, the object's name, its close matches) before anything runs.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

#include "scenes/SceneEdit.hpp"
#include "sim/scenario/Scenario.hpp"

namespace safetwin {

struct VariantInfo {
    std::string name;  // "base" for the unedited scenario
    std::string description;
    SourceRef where;
    std::vector<SceneEdit> scene_edits;
    YAML::Node node;  // the variant's map (population and event edits)
};

/// A value to set in the scenario before it is read: `path` is dotted ("duration",
/// "grid.cell", "populations.staff.count"; a list is indexed by its items' `name`), `value`
/// a YAML value ("600", "{distribution: uniform, min: 0, max: 60}").
struct ParameterValue {
    std::string path;
    YAML::Node value;
    std::string text;  // the value as written, for keys and tables
    SourceRef where;   // where it was written (a batch manifest)
};

class ScenarioFamily {
  public:
    /// Reads a scenario file and checks the base and every variant. Throws InputError.
    static ScenarioFamily load(const std::string& path);
    /// As load(), from text; `file` is the name used in messages, `baseDir` the folder that a
    /// `scene:` path is relative to.
    static ScenarioFamily parse(const std::string& text, const std::string& file,
                                const std::string& baseDir);

    const std::string& file() const { return file_; }
    const std::string& name() const { return base_.name; }
    const Scenario& base() const { return base_; }
    /// The variants, "base" first.
    const std::vector<VariantInfo>& variants() const { return variants_; }
    std::vector<std::string> variantNames() const;
    /// Index of a variant; unknown names are an InputError listing the close matches.
    size_t variantIndex(const std::string& name, const SourceRef& where = {}) const;

    /// The scenario of one variant with parameters set. Not thread safe (yaml-cpp nodes):
    /// build on one thread, run anywhere.
    Scenario build(size_t variant, const std::vector<ParameterValue>& parameters = {}) const;

    /// Checks that a parameter path names something in the scenario (a population by name);
    /// fails with InputError at `where` otherwise.
    void checkParameterPath(const std::string& path, const SourceRef& where) const;

  private:
    ScenarioFamily() = default;
    void init(const YAML::Node& root, const std::string& file, const std::string& baseDir);

    YAML::Node root_;  // the whole file
    std::string file_, baseDir_;
    Scenario base_;
    std::vector<VariantInfo> variants_;
};

}  // namespace safetwin
