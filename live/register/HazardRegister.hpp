// The hazard register: an embedded SQLite file (schema in README "Hazard register", version in
// PRAGMA user_version). Every change is one BEGIN IMMEDIATE transaction that writes the record
// and its history together, in WAL mode with a busy timeout, so two processes writing at once
// wait for each other instead of corrupting the file or losing a change.
//
// A file that is not a SQLite database, fails its integrity check, or carries a newer schema
// than this build knows is refused with an InputError before anything is written.
//
// [SECTION] Queries    filters, stats, impact figures
// [SECTION] Register   open, add, update, list, history, CSV, stats, impact
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/register/Hazard.hpp"

struct sqlite3;

namespace safetwin {

// [SECTION] Queries ----------------------------------------------------------------------------

struct HazardFilter {
    std::string level, status, domain;  // "" = any; status also takes "open"
    bool overdue_only = false;
    std::string now;  // for overdue; "" = utcNow()
};

struct HazardStats {
    int total = 0, open = 0, rectified = 0, overdue = 0;  // rectified: accepted or closed
    int major = 0, major_open = 0, major_rectified = 0;
    double rectification_rate = 0.0;  // rectified / total (1 for an empty register)
    double major_rectification_rate = 0.0;
    std::map<std::string, int> by_status, by_level, by_domain;
    std::vector<Hazard> overdue_hazards;  // by deadline, oldest first
};

/// What an open hazard costs in evacuation time (live/forecast/HazardImpact.hpp): the mean
/// evacuation time now minus with the hazard rectified, over paired seeds, with its interval.
struct HazardImpactRecord {
    std::string hazard_id;
    double added_s = 0.0, lo_s = 0.0, hi_s = 0.0;  // [Units: s]
    int seeds = 0;
    int trapped = 0;  // people who cannot get out unless it is rectified (mean over seeds, rounded)
    std::string scenario, computed_at;
};

// [SECTION] Register ---------------------------------------------------------------------------

class HazardRegister {
  public:
    static constexpr int kSchemaVersion = 1;

    /// Opens (and with `create`, creates) the register at `path`. Throws InputError for a
    /// missing file (without `create`), a file that is not a register, a corrupted one, or one
    /// from a newer schema; nothing is written to such a file.
    static std::unique_ptr<HazardRegister> open(const std::string& path, bool create);
    ~HazardRegister();
    HazardRegister(const HazardRegister&) = delete;
    HazardRegister& operator=(const HazardRegister&) = delete;

    const std::string& path() const { return path_; }

    /// Adds a record (an empty id gets the next "HZ-nnnn"); returns its id. Throws InputError
    /// for a bad record or an id already used.
    std::string add(Hazard h, const std::string& author, const std::string& at = "");
    /// Sets fields (column -> text) of one record. A status change must follow the loop: one
    /// step forward, or back to "rectifying" from "self_checked" or "accepted" (a failed
    /// check); "closed" is final. A new deadline over an existing one is an extension and
    /// needs a `note` (the reason). Every changed field is one history entry.
    void update(const std::string& id, const std::map<std::string, std::string>& fields,
                const std::string& author, const std::string& note = "",
                const std::string& at = "");

    std::optional<Hazard> get(const std::string& id, const std::string& now = "") const;
    std::vector<Hazard> list(const HazardFilter& filter = {}) const;
    /// Open hazards (found .. self-checked), as the viewer and the forecast read them.
    std::vector<Hazard> openHazards(const std::string& now = "") const;
    std::vector<HistoryEntry> history(const std::string& id = "") const;
    HazardStats stats(const std::string& now = "") const;

    /// CSV (RFC 4180, header = hazardColumns(), UTF-8).
    std::string exportCsv(const HazardFilter& filter = {}) const;
    /// Imports CSV text in one transaction (all rows or none): new ids are added, known ids
    /// get their changed fields (history action "imported"). Returns {added, updated}.
    std::pair<int, int> importCsv(const std::string& text, const std::string& file,
                                  const std::string& author, const std::string& at = "");

    /// Changes whenever another connection (another process) commits to the file (SQLite's
    /// PRAGMA data_version): a viewer polls it, cheaply, and reloads its markers when it moves,
    /// so a change to the register shows within one polling interval.
    int64_t dataVersion() const;

    /// Replaces the stored impact figures (one transaction).
    void storeImpacts(const std::vector<HazardImpactRecord>& impacts);
    std::vector<HazardImpactRecord> impacts() const;

  private:
    HazardRegister() = default;
    void exec(const std::string& sql) const;
    void createSchema();
    template <class F>
    auto transaction(F&& body);
    void insert(const Hazard& h, bool replace);
    void addHistory(const HistoryEntry& e);
    void checkTransition(const Hazard& before, const Hazard& after) const;
    std::string nextId() const;
    std::vector<Hazard> query(const std::string& where, const std::vector<std::string>& args,
                              const std::string& now) const;

    sqlite3* db_ = nullptr;
    std::string path_;
};

/// Parses CSV text (RFC 4180: quoted fields with "" for a quote, CR LF or LF). Rows of cells;
/// `lines[i]` is the line where row i starts. Throws InputError at file:line for an
/// unterminated quote.
std::vector<std::vector<std::string>> parseCsv(const std::string& text, const std::string& file,
                                               std::vector<int>* lines = nullptr);
std::string csvField(const std::string& s);

}  // namespace safetwin
