// One record of the hazard register (隐患台账) and the words its fields may take. Plain data:
// the register (HazardRegister.hpp) stores it in SQLite, the CSV reader and writer map it to
// columns of the same names, the viewer and the forecast read it.
//
// The fields follow the Chinese hazard rules (安全生产事故隐患排查治理暂行规定, 2007; Safety
// Production Law 2021 art. 41): the level with the criterion clause that made a hazard major,
// how it was found, cause and harm, the rectification plan with its "five in place" (measures,
// funds, deadline, responsible person, emergency plan) and interim safety measures, listing
// for supervision (挂牌督办), and the closure loop found -> planned -> rectifying ->
// self-checked -> accepted -> closed (销号).
//
// [SECTION] Words     domains, levels, finders, statuses
// [SECTION] Hazard    the record
// [SECTION] History   one change of a record
// [SECTION] Checks    validation of one record; dates
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace safetwin {

// [SECTION] Words ------------------------------------------------------------------------------

inline const std::vector<std::string>& hazardDomains() {
    static const std::vector<std::string> v{"hazardous_chemicals", "construction", "fire_safety",
                                            "gas", "electrical", "other"};
    return v;
}
inline const std::vector<std::string>& hazardLevels() {
    static const std::vector<std::string> v{"general", "major"};
    return v;
}
inline const std::vector<std::string>& hazardFinders() {
    static const std::vector<std::string> v{"self_inspection", "joint_inspection", "expert_review",
                                            "public_report"};
    return v;
}
/// The closure loop, in order. A hazard is open until it is accepted.
inline const std::vector<std::string>& hazardStatuses() {
    static const std::vector<std::string> v{"found",         "planned",  "rectifying",
                                            "self_checked",  "accepted", "closed"};
    return v;
}
/// Position of a status in the loop (0 = found), -1 for an unknown word.
int statusRank(const std::string& status);
/// Open: found, planned, rectifying or self-checked (accepted and closed hazards are rectified).
bool statusOpen(const std::string& status);

// [SECTION] Hazard -----------------------------------------------------------------------------

struct Hazard {
    std::string id;                 // "HZ-0001" when not given
    std::string title;
    std::string domain = "other";   // hazardDomains()
    std::string level = "general";  // hazardLevels()
    std::string major_criterion;    // clause that made it major, e.g. "GB 35181-2025 4.2 a)"
    // Where: a scene object (door, exit, space, obstacle, stair) by id or name, or a point on a level.
    std::string location_object;
    std::string location_level;
    std::optional<double> x, y;     // [Units: m] plan position, with location_level
    std::string found_at;           // ISO 8601 date or UTC time, "2026-11-02" or "2026-11-02T09:30:00Z"
    std::string found_by = "self_inspection";  // hazardFinders()
    std::string cause, harm;
    // Rectification plan.
    std::string measures, responsible_unit, responsible_person;
    std::optional<double> funds;    // [Units: CNY]
    std::string deadline;           // ISO date, end of that day
    std::string interim_measures, emergency_plan;
    std::string supervision;        // listing for supervision of a major hazard ("" none)
    std::string status = "found";   // hazardStatuses()
    std::string acceptance_evidence;
    /// Its effect on a simulation (HazardEffect.hpp), e.g. "close_exit:M1"; "" none.
    std::string effect;
    // Kept by the register.
    std::string created_at, updated_at;  // UTC times
    int64_t version = 0;            // +1 per change
    int extensions = 0;             // deadline extensions so far
    bool overdue = false;           // open and past its deadline at the time asked
};

// [SECTION] History ----------------------------------------------------------------------------

/// One change: "created", "status" (from -> to), "extension" (old -> new deadline), "edit"
/// (one field), "imported" (a field changed by a CSV import).
struct HistoryEntry {
    int64_t seq = 0;
    std::string hazard_id, at, author, action, field, old_value, new_value, note;
};

// [SECTION] Checks -----------------------------------------------------------------------------

/// The columns of the register and of its CSV files, in order (README "Hazard register").
const std::vector<std::string>& hazardColumns();
/// A column's value as text ("" for none), and setting it from text; setField throws
/// InputError at `where` for a bad value (unknown word, malformed date or number).
std::string getField(const Hazard& h, const std::string& column);
void setField(Hazard& h, const std::string& column, const std::string& value,
              const std::string& where);

/// Checks a whole record (required fields, words, a major hazard's criterion, the plan that a
/// status needs). Throws InputError at `where`.
void checkHazard(const Hazard& h, const std::string& where);

/// True for "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]Z"; the date part must exist.
bool isIsoTime(const std::string& s);
/// The current UTC time, "YYYY-MM-DDTHH:MM:SSZ".
std::string utcNow();
/// Overdue: open, with a deadline, and `now` past the end of the deadline's day.
bool isOverdue(const Hazard& h, const std::string& now);

}  // namespace safetwin
