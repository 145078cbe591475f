// The after-action record of a drill, as exercise review asks for it: every inject and director
// action with the time it took effect (and the time it was planned for), the evacuation progress
// and exposure at that moment, then the final figures of the run. Written as JSON
// (after_action.json, for tools) and as a readable HTML page (after_action.html, for the debrief);
// format in docs/FORMAT.md "After-action record".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace safetwin {
class Simulation;
namespace viewer {
class DrillScript;

/// Evacuation progress and exposure at one moment.
struct Progress {
    double time = 0.0;                 // [Units: s]
    int total = 0, out = 0, remaining = 0, waiting = 0, moving = 0;
    int exposed = 0;                   // breathed any gas so far (out or not), not incapacitated
    int incapacitated = 0;
    double alarm = -1.0;               // time the alarm was raised, < 0 none [Units: s]
};

Progress progressOf(const Simulation& sim);

struct AfterActionEntry {
    double time = 0.0;                 // when it took effect [Units: s]
    std::string source;                // "director", "scenario", "inject"
    std::string inject;                // inject id, if from the script
    double planned = -1.0;             // the inject's scripted time, < 0 none [Units: s]
    std::string action;                // close_door, ..., message, skip
    std::string target, detail, message;
    std::string outcome = "done";      // done, early, skipped, failed: why
    Progress progress;
};

class AfterActionRecord {
public:
    void add(AfterActionEntry e) { entries_.push_back(std::move(e)); }
    const std::vector<AfterActionEntry>& entries() const { return entries_; }

    /// The whole record: run, entries, inject list with states, final figures.
    nlohmann::ordered_json toJson(const Simulation& sim, const DrillScript* script, const std::string& scriptPath) const;
    /// A self-contained page (no scripts, no external files) from toJson's content.
    static std::string toHtml(const nlohmann::ordered_json& record);
    /// Writes after_action.json and after_action.html into dir (atomically); returns the JSON path.
    std::filesystem::path write(const std::filesystem::path& dir, const Simulation& sim, const DrillScript* script,
                                const std::string& scriptPath) const;

private:
    std::vector<AfterActionEntry> entries_;
};

}  // namespace viewer
}  // namespace safetwin
